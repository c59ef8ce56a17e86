// What one source file contributes to the code graph, as found by its parser: definitions with their
// containment, references and calls by name, and imports. Cross-file edges are derived from these.

export type Language = 'typescript' | 'tsx' | 'javascript' | 'python' | 'rust';

export type SymbolKind =
  | 'file'
  | 'module'
  | 'class'
  | 'interface'
  | 'type'
  | 'enum'
  | 'function'
  | 'method'
  | 'variable'
  | 'struct'
  | 'trait'
  | 'impl'
  | 'macro';

/** A definition. `seq` is its index in the file's list; symbol 0 is the file itself. */
export type SymbolFact = {
  seq: number;
  name: string;
  /** Names of the enclosing definitions and its own, joined by '.' (e.g. "Parser.parse"). */
  qualified: string;
  kind: SymbolKind;
  /** seq of the definition that contains it (null for the file). */
  parent: number | null;
  line: number;
  column: number;
  endLine: number;
  exported: boolean;
};

/**
 * call: `name(...)`; new: `new Name(...)`; member: `a.name` read without a call; ref: a value use of a
 * name bound at module level (imported or defined there); type: a type annotation naming one;
 * extends: a class's base or implemented type.
 */
export type RefKind = 'call' | 'new' | 'member' | 'ref' | 'type' | 'extends';

export type RefFact = {
  /** seq of the innermost named definition it occurs in (0: the file's top level). */
  from: number;
  name: string;
  kind: RefKind;
  /**
   * What a member call is called on: "this"/"self"/"super", an identifier ("ns", "Foo"), a module
   * path ("crate::a" in Rust), "?" for anything else, null for a plain call.
   */
  receiver: string | null;
  /** The receiver's type when the code states it nearby (`const c = new Cache()`, `c: Cache`), else null. */
  receiverType: string | null;
  line: number;
  column: number;
};

/** `imported` is "*" for a whole module (namespace, wildcard) and "default" for a default import. */
export type ImportFact = { local: string; imported: string; source: string; line: number; reexport: boolean };

export type FileFacts = {
  path: string;
  language: Language;
  symbols: SymbolFact[];
  refs: RefFact[];
  imports: ImportFact[];
  /** Set when the parser met syntax errors: the rest of the file is still indexed. */
  errors: number;
};
