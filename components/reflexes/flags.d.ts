// Types of flags.js for the host side (the miner and the probes).
import type { FlagCue } from './runtime.js';
/** true, false, or undefined (unsure) from the words of a request. */
export function flagValue(cue: FlagCue, ws: string[]): boolean | undefined;
export function readFlags(spec: unknown, toks: Array<{ w: string }>, slots: Record<string, string>, template?: string[]): Record<string, boolean> | null;
