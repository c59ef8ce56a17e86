// Rust: functions, structs, enums, traits, impl blocks (methods qualified by their type), modules,
// constants, macros; calls (plain, paths like `Type::new`, methods on self), macro invocations; `use`.
import type { Node } from 'web-tree-sitter';
import { type Collector, type Rules, SKIP } from './collect.ts';

const ITEM_KINDS = {
  struct_item: 'struct',
  enum_item: 'enum',
  union_item: 'struct',
  trait_item: 'trait',
  mod_item: 'module',
  type_item: 'type',
  const_item: 'variable',
  static_item: 'variable',
  macro_definition: 'macro',
} as const;

function isPublic(node: Node): boolean {
  return node.namedChildren.some((c) => c?.type === 'visibility_modifier');
}

/** The last segment of a type (`a::B<T>` -> "B"). */
function typeName(node: Node | null): string | null {
  if (!node) return null;
  if (node.type === 'type_identifier' || node.type === 'identifier') return node.text;
  if (node.type === 'generic_type') return typeName(node.childForFieldName('type'));
  if (node.type === 'scoped_type_identifier') return typeName(node.childForFieldName('name'));
  if (node.type === 'reference_type') return typeName(node.childForFieldName('type'));
  return null;
}

/** The type a `let` states or builds (`let l: Lexer`, `Lexer::new()`, `Lexer { .. }`). */
function builtType(value: Node | null): string | null {
  if (!value) return null;
  if (value.type === 'struct_expression') return typeName(value.childForFieldName('name'));
  if (value.type === 'call_expression') {
    const f = value.childForFieldName('function');
    if (f?.type === 'scoped_identifier') {
      const path = f.childForFieldName('path');
      const last = path?.type === 'scoped_identifier' ? path.childForFieldName('name') : path;
      return last && /^[A-Z]/.test(last.text) ? last.text : null;
    }
  }
  if (value.type === 'reference_expression') return builtType(value.childForFieldName('value'));
  return null;
}

function receiverOf(value: Node | null): string {
  if (!value) return '?';
  if (value.type === 'self') return 'self';
  if (value.type === 'identifier') return value.text;
  return '?';
}

/** Each name a `use` tree brings in, with the path it comes from. */
function readUseTree(node: Node | null, prefix: string, at: Collector, where: Node): void {
  if (!node) return;
  const join = (a: string, b: string) => (a ? `${a}::${b}` : b);
  switch (node.type) {
    case 'identifier':
    case 'self':
    case 'crate':
    case 'super':
      at.import({ local: node.text, imported: node.text, source: prefix, reexport: false }, where);
      return;
    case 'scoped_identifier': {
      const name = node.childForFieldName('name');
      const path = node.childForFieldName('path');
      if (name) at.import({ local: name.text, imported: name.text, source: join(prefix, path?.text ?? ''), reexport: false }, where);
      return;
    }
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      const alias = node.childForFieldName('alias');
      if (!path || !alias) return;
      const full = join(prefix, path.text).split('::');
      const imported = full.pop() ?? '';
      at.import({ local: alias.text, imported, source: full.join('::'), reexport: false }, where);
      return;
    }
    case 'use_wildcard': {
      const path = node.namedChildren[0];
      at.import({ local: '*', imported: '*', source: join(prefix, path?.text ?? ''), reexport: false }, where);
      return;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      readUseTree(node.childForFieldName('list'), join(prefix, path?.text ?? ''), at, where);
      return;
    }
    case 'use_list':
      for (const c of node.namedChildren) readUseTree(c, prefix, at, where);
      return;
  }
}

/**
 * Calls inside a macro's tokens (`vec![l.next(), f(x)]`, `println!("{}", a::b())`): the grammar keeps
 * them as a flat token tree, so a name directly followed by a parenthesised group is read as a call.
 */
function tokenCalls(tree: Node, at: Collector): void {
  const tokens = tree.children.filter((c): c is Node => c !== null);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'token_tree') {
      tokenCalls(t, at);
      continue;
    }
    const next = tokens[i + 1];
    if (t.type !== 'identifier' || next?.type !== 'token_tree' || next.child(0)?.type !== '(') continue;
    const before = tokens[i - 1]?.type;
    const owner = tokens[i - 2];
    if ((before === '.' || before === '::') && owner && (owner.type === 'identifier' || owner.type === 'self')) at.ref(t, 'call', owner.text);
    else if (before !== '.' && before !== '::') at.ref(t, 'call');
  }
}

function visit(node: Node, at: Collector): number | undefined {
  switch (node.type) {
    case 'function_item': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const owner = at.symbols[at.scope].kind;
      return at.define(name, owner === 'impl' || owner === 'trait' ? 'method' : 'function', node, isPublic(node));
    }
    case 'impl_item': {
      // Methods are qualified by the type they are implemented on: `S.new`, whatever the trait.
      const type = typeName(node.childForFieldName('type'));
      if (!type) return undefined;
      const seq = at.define(type, 'impl', node);
      const trait = node.childForFieldName('trait');
      const traitName = typeName(trait);
      if (trait && traitName) at.refNamed(traitName, trait, 'extends', null, seq);
      return seq;
    }
    case 'call_expression': {
      const callee = node.childForFieldName('function');
      const target = callee?.type === 'generic_function' ? callee.childForFieldName('function') : callee;
      if (target?.type === 'identifier') at.ref(target, 'call');
      else if (target?.type === 'field_expression') {
        const field = target.childForFieldName('field');
        if (field) at.ref(field, 'call', receiverOf(target.childForFieldName('value')));
      } else if (target?.type === 'scoped_identifier') {
        const name = target.childForFieldName('name');
        if (name) at.ref(name, 'call', target.childForFieldName('path')?.text ?? '?');
      }
      return undefined;
    }
    case 'let_declaration':
    case 'parameter': {
      const written = node.childForFieldName('pattern');
      const pattern = written?.type === 'mut_pattern' ? written.namedChild(0) : written;
      if (pattern?.type === 'identifier') at.hint(pattern.text, typeName(node.childForFieldName('type')) ?? builtType(node.childForFieldName('value')));
      return undefined;
    }
    case 'macro_invocation': {
      const macro = node.childForFieldName('macro');
      if (macro?.type === 'identifier') at.ref(macro, 'call');
      for (const tree of node.namedChildren) if (tree?.type === 'token_tree') tokenCalls(tree, at);
      return SKIP;
    }
    case 'use_declaration':
      readUseTree(node.childForFieldName('argument'), '', at, node);
      return SKIP;
    default: {
      const kind = ITEM_KINDS[node.type as keyof typeof ITEM_KINDS];
      const name = node.childForFieldName('name');
      if (!kind || !name) return undefined;
      return at.define(name, kind, node, isPublic(node));
    }
  }
}

export const rustRules: Rules = {
  visits: new Set([
    'function_item',
    'impl_item',
    'call_expression',
    'let_declaration',
    'parameter',
    'macro_invocation',
    'use_declaration',
    ...Object.keys(ITEM_KINDS),
  ]),
  visit,
  names: { identifier: 'ref', type_identifier: 'type' },
};
