// Names to definitions across files: each reference is read in its scope (enclosing definitions,
// then the file's imports, then the class it is a member of), the way the language would bind it.
// Calls on a value whose type is unknown link only to a method name defined once in the index.
import type { FileFacts, RefFact, RefKind, SymbolFact } from './facts.ts';
import { builtinMembers } from './builtins.ts';
import { resolveModule, rustModule } from './modules.ts';

export type SymbolRef = { path: string; seq: number };
export type ResolvedEdge = { from: SymbolRef; to: SymbolRef; kind: RefKind; line: number };

/** Kinds whose members are reached only through `this`, `self` or a qualified name. */
const MEMBER_OWNERS = new Set(['class', 'interface', 'impl', 'trait', 'struct', 'enum']);
const TYPE_KINDS = new Set(['class', 'interface', 'struct', 'enum', 'trait', 'type', 'impl']);
const SELF = new Set(['this', 'self', 'Self']);
const MAX_HOPS = 6;

type FileIndex = {
  facts: FileFacts;
  /** parent seq -> name -> seqs of its children with that name. */
  children: Map<number, Map<string, number[]>>;
  imports: Map<string, FileFacts['imports'][number]>;
  wildcards: FileFacts['imports'];
};

function indexFile(facts: FileFacts): FileIndex {
  const children = new Map<number, Map<string, number[]>>();
  for (const s of facts.symbols) {
    if (s.parent === null) continue;
    let byName = children.get(s.parent);
    if (!byName) children.set(s.parent, (byName = new Map()));
    const list = byName.get(s.name);
    if (list) list.push(s.seq);
    else byName.set(s.name, [s.seq]);
  }
  const imports = new Map<string, FileFacts['imports'][number]>();
  const wildcards: FileFacts['imports'] = [];
  for (const i of facts.imports) {
    if (i.reexport) continue;
    if (i.local === '*') wildcards.push(i);
    else imports.set(i.local, i);
  }
  return { facts, children, imports, wildcards };
}

export class Resolver {
  readonly #files = new Map<string, FileIndex>();
  /** Method name -> every method so named (for calls on values of unknown type). */
  readonly #methods = new Map<string, SymbolRef[]>();
  /** Rust: type name -> its impl blocks, wherever they are. */
  readonly #impls = new Map<string, SymbolRef[]>();
  readonly #suffixes = new Map<string, string | null>();

  constructor(files: Iterable<FileFacts>) {
    for (const facts of files) {
      const index = indexFile(facts);
      this.#files.set(facts.path, index);
      for (const s of facts.symbols) {
        if (s.kind === 'method') push(this.#methods, s.name, { path: facts.path, seq: s.seq });
        if (s.kind === 'impl') push(this.#impls, s.name, { path: facts.path, seq: s.seq });
      }
    }
  }

  /** Every edge the references of one file make, to definitions anywhere in the index. */
  edgesOf(path: string): ResolvedEdge[] {
    const file = this.#files.get(path);
    if (!file) return [];
    const out: ResolvedEdge[] = [];
    for (const r of file.facts.refs) {
      const to = this.#resolveRef(file, r);
      if (to) out.push({ from: { path, seq: r.from }, to, kind: r.kind, line: r.line });
    }
    return out;
  }

  /** Files each import of this file points to (inside the index). */
  importsOf(path: string): string[] {
    const file = this.#files.get(path);
    if (!file) return [];
    const out = new Set<string>();
    for (const i of file.facts.imports) {
      if (i.source === '') continue;
      const target = this.#module(file, i.source);
      if (target && target !== path) out.add(target);
    }
    return [...out];
  }

  symbol(ref: SymbolRef): SymbolFact | undefined {
    return this.#files.get(ref.path)?.facts.symbols[ref.seq];
  }

  #module(file: FileIndex, source: string): string | null {
    const has = (p: string) => this.#files.has(p);
    return resolveModule(file.facts.language, file.facts.path, source, has, (suffix) => this.#bySuffix(suffix));
  }

  #bySuffix(suffix: string): string | null {
    if (!this.#suffixes.has(suffix)) {
      const matches = [...this.#files.keys()].filter((p) => p === suffix || p.endsWith(`/${suffix}`));
      this.#suffixes.set(suffix, matches.length === 1 ? matches[0] : null);
    }
    return this.#suffixes.get(suffix) ?? null;
  }

  #resolveRef(file: FileIndex, r: RefFact): SymbolRef | null {
    if (r.receiver === null) return this.#plain(file, r.from, r.name, 0);
    return this.#member(file, r);
  }

  /** A bare name as its scope binds it: enclosing definitions, the file's top level, then imports. */
  #plain(file: FileIndex, from: number, name: string, hops: number): SymbolRef | null {
    const symbols = file.facts.symbols;
    for (let at: number | null = from; at !== null; at = symbols[at].parent) {
      if (at !== 0 && MEMBER_OWNERS.has(symbols[at].kind)) continue;
      const found = file.children.get(at)?.get(name);
      if (found) return { path: file.facts.path, seq: found[0] };
    }
    const bound = file.imports.get(name);
    if (bound) return this.#imported(file, bound.source, bound.imported, hops);
    for (const w of file.wildcards) {
      const found = this.#export(w.source, file, name, hops + 1);
      if (found) return found;
    }
    return null;
  }

  /** What `import { imported } from source` binds, as seen from `file`. */
  #imported(file: FileIndex, source: string, imported: string, hops: number): SymbolRef | null {
    if (file.facts.language === 'rust') {
      const found = rustModule(file.facts.path, source ? `${source}::${imported}` : imported, (p) => this.#files.has(p));
      if (found?.rest.length === 0) return { path: found.file, seq: 0 };
      const at = rustModule(file.facts.path, source, (p) => this.#files.has(p));
      if (!at || at.rest.length > 0) return null;
      return this.#exportIn(at.file, imported, hops + 1);
    }
    if (imported === '*') {
      const target = this.#module(file, source);
      return target ? { path: target, seq: 0 } : null;
    }
    const found = this.#export(source, file, imported, hops + 1);
    if (found || file.facts.language !== 'python') return found;
    // `from pkg import mod`: the name is a module.
    const module = this.#module(file, source ? `${source}.${imported}` : imported);
    return module ? { path: module, seq: 0 } : null;
  }

  #export(source: string, file: FileIndex, name: string, hops: number): SymbolRef | null {
    const target = this.#module(file, source);
    return target ? this.#exportIn(target, name, hops) : null;
  }

  /** A name a module exports: its own top-level definition, or one it re-exports. */
  #exportIn(path: string, name: string, hops: number): SymbolRef | null {
    const file = this.#files.get(path);
    if (!file || hops > MAX_HOPS) return null;
    for (const i of file.facts.imports) {
      if (!i.reexport || (i.local !== name && i.local !== '*')) continue;
      if (i.source === '') {
        // `export { a as b }`, `export default a`: whatever `a` is bound to here.
        const found = this.#plain(file, 0, i.imported, hops + 1);
        if (found) return found;
        continue;
      }
      if (i.local === '*') {
        const found = this.#export(i.source, file, name, hops + 1);
        if (found) return found;
      } else {
        return this.#imported(file, i.source, i.imported, hops + 1);
      }
    }
    const own = file.children.get(0)?.get(name);
    if (own) return { path, seq: own[0] };
    // Python and Rust modules export what they import too.
    if (file.facts.language !== 'typescript' && file.facts.language !== 'tsx' && file.facts.language !== 'javascript') {
      return this.#plain(file, 0, name, hops + 1);
    }
    return null;
  }

  /** `receiver.name`: a member of this class, of a named class or module, or a unique method. */
  #member(file: FileIndex, r: RefFact): SymbolRef | null {
    const receiver = r.receiver ?? '?';
    const path = file.facts.path;
    if (r.receiverType) {
      const type = this.#qualifier(file, r.from, r.receiverType);
      const symbol = type ? this.symbol(type) : undefined;
      if (type && symbol && TYPE_KINDS.has(symbol.kind)) return this.#memberOf(type, r.name, 0);
    }
    if (SELF.has(receiver) || receiver === 'super') {
      const owner = this.#enclosingType(file, r.from);
      if (owner) {
        const start = receiver === 'super' ? this.#bases(owner) : [owner];
        for (const type of start) {
          const found = this.#memberOf(type, r.name, 0);
          if (found) return found;
        }
      }
    } else if (receiver !== '?') {
      const target = this.#qualifier(file, r.from, receiver);
      if (target) {
        const symbol = this.symbol(target);
        if (symbol?.kind === 'file') return this.#exportIn(target.path, r.name, 0);
        if (symbol && TYPE_KINDS.has(symbol.kind)) return this.#memberOf(target, r.name, 0);
        if (symbol?.kind === 'module') return this.#child(target, r.name);
      }
    }
    // Only a call is linked on its name alone, and never one a built-in type also answers to.
    if ((r.kind !== 'call' && r.kind !== 'new') || builtinMembers(file.facts.language).has(r.name)) return null;
    const candidates = this.#methods.get(r.name);
    if (candidates?.length === 1) return candidates[0];
    // Several methods so named: one in this very file is the likeliest.
    const local = candidates?.filter((c) => c.path === path);
    return local?.length === 1 ? local[0] : null;
  }

  /** What a receiver names: a binding in scope, or (Rust) a `::` path. */
  #qualifier(file: FileIndex, from: number, receiver: string): SymbolRef | null {
    if (file.facts.language === 'rust' && receiver.includes('::')) {
      const at = rustModule(path(file), receiver, (p) => this.#files.has(p));
      if (at && at.rest.length === 0) return { path: at.file, seq: 0 };
      if (at && at.rest.length === 1) return this.#exportIn(at.file, at.rest[0], 0);
      return null;
    }
    if (file.facts.language === 'python' && receiver.includes('.') && !file.imports.has(receiver)) {
      const module = this.#module(file, receiver);
      return module ? { path: module, seq: 0 } : null;
    }
    const found = this.#plain(file, from, receiver, 0);
    if (!found) return null;
    const symbol = this.symbol(found);
    // A Rust type's members live in its impl blocks.
    if (file.facts.language === 'rust' && symbol && symbol.kind !== 'impl' && TYPE_KINDS.has(symbol.kind)) {
      return this.#impls.get(symbol.name)?.[0] ?? found;
    }
    return found;
  }

  #enclosingType(file: FileIndex, from: number): SymbolRef | null {
    const symbols = file.facts.symbols;
    for (let at: number | null = from; at !== null; at = symbols[at].parent) {
      if (MEMBER_OWNERS.has(symbols[at].kind)) return { path: path(file), seq: at };
    }
    return null;
  }

  #child(owner: SymbolRef, name: string): SymbolRef | null {
    const seq = this.#files.get(owner.path)?.children.get(owner.seq)?.get(name)?.[0];
    return seq === undefined ? null : { path: owner.path, seq };
  }

  /** A member of a type: its own, any impl block of the same name (Rust), then its bases'. */
  #memberOf(type: SymbolRef, name: string, hops: number): SymbolRef | null {
    if (hops > MAX_HOPS) return null;
    const own = this.#child(type, name);
    if (own) return own;
    const symbol = this.symbol(type);
    if (symbol && this.#files.get(type.path)?.facts.language === 'rust') {
      for (const impl of this.#impls.get(symbol.name) ?? []) {
        const found = this.#child(impl, name);
        if (found) return found;
      }
    }
    for (const base of this.#bases(type)) {
      const found = this.#memberOf(base, name, hops + 1);
      if (found) return found;
    }
    return null;
  }

  /** The types a class extends or implements, resolved from its own file. */
  #bases(type: SymbolRef): SymbolRef[] {
    const file = this.#files.get(type.path);
    if (!file) return [];
    const out: SymbolRef[] = [];
    for (const r of file.facts.refs) {
      if (r.kind !== 'extends' || r.from !== type.seq) continue;
      const found = this.#resolveRef(file, r);
      if (found && !(found.path === type.path && found.seq === type.seq)) out.push(found);
    }
    return out;
  }
}

function path(file: FileIndex): string {
  return file.facts.path;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
