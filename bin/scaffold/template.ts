// What a scaffold template gives for a kind: the manifest, the source, its unit test (plain Node,
// no build), and the WIT declarations (generated from wit/) its world is checked against.
export type Template = {
  manifest: Record<string, unknown>;
  source: string;
  test: string;
  /** File names under components/wit-types/. */
  types: string[];
};

/** NAME as the prefix of its environment variables: "my-hook" -> MY_HOOK. */
export const envName = (name: string) => name.toUpperCase().replace(/-/g, '_');
