// The kinds of component and the JavaScript engines a component builds with: plain lists, so a
// caller (the CLI's flag choices) need not load the manifest validator to name them.
export const COMPONENT_KINDS = ['tool', 'channel', 'provider', 'reflex', 'store'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];
export const BACKENDS = ['quickjs', 'starlingmonkey'] as const;
export type Backend = (typeof BACKENDS)[number];
