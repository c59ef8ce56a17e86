// Walks one syntax tree with a language's rules and collects the file's facts: each rule sees the
// nodes it asked for, with the definition it occurs in, and records definitions, calls and imports.
import type { Node, Tree, TreeCursor } from 'web-tree-sitter';
import type { FileFacts, ImportFact, Language, RefFact, RefKind, SymbolFact, SymbolKind } from './facts.ts';

/** What a rule answers for a node: the scope its subtree is in, or SKIP to leave the subtree out. */
export const SKIP = -1;

export type Rules = {
  /** Node types the rule wants to see (everything else is only walked through). */
  visits: ReadonlySet<string>;
  visit(node: Node, at: Collector): number | undefined;
  /** Identifier node types that may be references, with the kind they make. */
  names: Readonly<Record<string, RefKind>>;
  /** Fields whose identifiers are never references (property names, keyword argument names). */
  notNames?: ReadonlySet<string>;
};

/** Bounded so a pathological nesting cannot exhaust the stack; deeper code is still walked flat. */
const MAX_DEPTH = 2000;

export class Collector {
  readonly symbols: SymbolFact[];
  readonly refs: RefFact[] = [];
  readonly imports: ImportFact[] = [];
  /** The definition the walk is in. */
  scope = 0;
  /** Start offsets of names already recorded as definitions or calls (not references again). */
  readonly claimed = new Set<number>();
  readonly #hints = new Map<number, Map<string, string>>();
  readonly #names: Array<{ from: number; name: string; kind: RefKind; line: number; column: number }> = [];

  constructor(path: string) {
    this.symbols = [{ seq: 0, name: path, qualified: '', kind: 'file', parent: null, line: 0, column: 0, endLine: 0, exported: false }];
  }

  define(name: Node | string, kind: SymbolKind, whole: Node, exported = false): number {
    const parent = this.symbols[this.scope];
    const text = typeof name === 'string' ? name : name.text;
    const at = typeof name === 'string' ? whole.startPosition : name.startPosition;
    if (typeof name !== 'string') this.claimed.add(name.startIndex);
    const seq = this.symbols.length;
    this.symbols.push({
      seq,
      name: text,
      qualified: parent.qualified ? `${parent.qualified}.${text}` : text,
      kind,
      parent: parent.seq,
      line: at.row + 1,
      column: at.column,
      endLine: whole.endPosition.row + 1,
      exported,
    });
    return seq;
  }

  ref(name: Node, kind: RefKind, receiver: string | null = null, from = this.scope): void {
    this.claimed.add(name.startIndex);
    this.refNamed(name.text, name, kind, receiver, from);
  }

  refNamed(name: string, at: Node, kind: RefKind, receiver: string | null = null, from = this.scope): void {
    const receiverType = receiver === null ? null : this.typeOf(receiver, from);
    this.refs.push({ from, name, kind, receiver, receiverType, line: at.startPosition.row + 1, column: at.startPosition.column });
  }

  /** Records that `name` (a local, a parameter, `this.field`) holds a value of `type` in the current definition. */
  hint(name: string, type: string | null, scope = this.scope): void {
    if (!type) return;
    let hints = this.#hints.get(scope);
    if (!hints) this.#hints.set(scope, (hints = new Map()));
    hints.set(name, type);
  }

  /** The stated type of a name, looked up from the definition it is used in outwards. */
  typeOf(name: string, from = this.scope): string | null {
    for (let at: number | null = from; at !== null; at = this.symbols[at].parent) {
      const found = this.#hints.get(at)?.get(name);
      if (found) return found;
    }
    return null;
  }

  import(fact: Omit<ImportFact, 'line'>, at: Node): void {
    this.imports.push({ ...fact, line: at.startPosition.row + 1 });
  }

  /** An identifier that may refer to a module-level name: kept if it does, once per line. */
  candidate(cursor: TreeCursor, kind: RefKind): void {
    if (this.claimed.has(cursor.startIndex)) return;
    const at = cursor.startPosition;
    this.#names.push({ from: this.scope, name: cursor.nodeText, kind, line: at.row + 1, column: at.column });
  }

  /** References to names bound at module level (imports and top-level definitions). */
  settle(): void {
    const bound = new Set<string>(this.imports.filter((i) => !i.reexport || i.source === '').map((i) => i.local));
    for (const s of this.symbols) if (s.parent === 0) bound.add(s.name);
    const seen = new Set<string>();
    for (const n of this.#names) {
      if (!bound.has(n.name)) continue;
      const key = `${n.from}\0${n.name}\0${n.kind}\0${n.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.refs.push({ ...n, receiver: null, receiverType: null });
    }
  }
}

/** The facts of one parsed file. */
export function collect(path: string, language: Language, tree: Tree, rules: Rules): FileFacts {
  const at = new Collector(path);
  at.symbols[0].endLine = tree.rootNode.endPosition.row + 1;
  const cursor = tree.walk();
  let errors = 0;
  const walk = (depth: number) => {
    const type = cursor.nodeType;
    const saved = at.scope;
    if (type === 'ERROR') errors++;
    if (rules.visits.has(type)) {
      const scope = rules.visit(cursor.currentNode, at);
      if (scope === SKIP) return;
      if (scope !== undefined) at.scope = scope;
    } else if (cursor.nodeIsNamed) {
      const kind = rules.names[type];
      if (kind && !rules.notNames?.has(cursor.currentFieldName ?? '')) at.candidate(cursor, kind);
    }
    if (depth < MAX_DEPTH && cursor.gotoFirstChild()) {
      do walk(depth + 1);
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
    at.scope = saved;
  };
  try {
    walk(0);
  } finally {
    cursor.delete();
  }
  at.settle();
  return { path, language, symbols: at.symbols, refs: at.refs, imports: at.imports, errors };
}
