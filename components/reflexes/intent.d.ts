// Types of intent.js for the host side (its tests import it directly).
export type Intent = {
  negated: boolean;
  tense: 'past' | 'future' | 'present';
  joins: number;
  changes: string;
  why: boolean;
  measure: string;
  method: boolean;
  kind: boolean;
  /** A modal after the word that asks: what may or should be ("who should work on X"). */
  modal: boolean;
};
export function sameAct(a: Intent, b: Intent): boolean;
export const ASK_WORDS: string[];
export const AUX_WORDS: string[];
export function intentOf(words: string[]): Intent;
export function sameIntent(rest: string[], template: string[]): boolean;
export const NEGATIONS: string[];
export const PAST: string[];
export const FUTURE: string[];
export const JOINS: string[];
/** The words open a yes-or-no question ("is X free"), after any words of greeting. */
export function yesNo(words: string[]): boolean;
