// Python: functions, classes and methods (decorated or not), module-level assignments; calls
// (plain, on self, on a module or class); import and from-import, relative or absolute.
import type { Node } from 'web-tree-sitter';
import { type Collector, type Rules, SKIP } from './collect.ts';

/** `a.b.c` when every part is a name (a module path or `self.field`), else null. */
function dotted(node: Node): string | null {
  if (node.type === 'identifier') return node.text;
  if (node.type !== 'attribute') return null;
  const object = node.childForFieldName('object');
  const attr = node.childForFieldName('attribute');
  const head = object ? dotted(object) : null;
  return head && attr ? `${head}.${attr.text}` : null;
}

/** The class a call makes (`Store()` -> "Store") or an annotation names (`s: Store`, `Optional[Store]`). */
function className(node: Node | null): string | null {
  if (!node) return null;
  if (node.type === 'call') return className(node.childForFieldName('function'));
  if (node.type === 'type') return className(node.namedChild(0));
  if (node.type === 'identifier') return /^[A-Z]/.test(node.text) ? node.text : null;
  if (node.type === 'attribute') return className(node.childForFieldName('attribute'));
  if (node.type === 'generic_type' || node.type === 'subscript') {
    for (const c of node.namedChildren) {
      const found = c && c.type !== 'identifier' ? className(c) : null;
      if (found) return found;
    }
  }
  return null;
}

function receiverOf(object: Node | null): string {
  if (!object) return '?';
  const names = dotted(object);
  if (names) return names;
  // `super().f()` reads as a call on the base class.
  if (object.type === 'call' && object.childForFieldName('function')?.text === 'super') return 'super';
  return '?';
}

/** `a.b.c` -> "a.b.c"; relative imports keep their dots ("..pkg"). */
function moduleText(node: Node | null): string {
  return node ? node.text.replace(/\s+/g, '') : '';
}

function importStatement(node: Node, at: Collector): void {
  for (const name of node.childrenForFieldName('name')) {
    if (!name) continue;
    if (name.type === 'aliased_import') {
      const module = moduleText(name.childForFieldName('name'));
      const alias = name.childForFieldName('alias');
      if (alias) at.import({ local: alias.text, imported: '*', source: module, reexport: false }, name);
    } else {
      // `import a.b` binds `a`; calls then read `a.b.f()`, resolved by the full module path.
      const module = moduleText(name);
      at.import({ local: module, imported: '*', source: module, reexport: false }, name);
    }
  }
}

function importFrom(node: Node, at: Collector): void {
  const source = moduleText(node.childForFieldName('module_name'));
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    at.import({ local: '*', imported: '*', source, reexport: false }, node);
    return;
  }
  for (const name of node.childrenForFieldName('name')) {
    if (!name) continue;
    if (name.type === 'aliased_import') {
      const original = moduleText(name.childForFieldName('name'));
      const alias = name.childForFieldName('alias');
      at.import({ local: alias?.text ?? original, imported: original, source, reexport: false }, name);
    } else {
      at.import({ local: name.text, imported: name.text, source, reexport: false }, name);
    }
  }
}

function visit(node: Node, at: Collector): number | undefined {
  switch (node.type) {
    case 'function_definition': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const inClass = at.symbols[at.scope].kind === 'class';
      return at.define(name, inClass ? 'method' : 'function', node, at.scope === 0 && !name.text.startsWith('_'));
    }
    case 'class_definition': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const seq = at.define(name, 'class', node, at.scope === 0 && !name.text.startsWith('_'));
      for (const base of node.childForFieldName('superclasses')?.namedChildren ?? []) {
        if (base?.type === 'identifier') at.ref(base, 'extends', null, seq);
        else if (base?.type === 'attribute') {
          const attr = base.childForFieldName('attribute');
          if (attr) at.ref(attr, 'extends', receiverOf(base.childForFieldName('object')), seq);
        }
      }
      return seq;
    }
    case 'assignment': {
      const left = node.childForFieldName('left');
      const type = className(node.childForFieldName('type')) ?? className(node.childForFieldName('right'));
      const target = left ? dotted(left) : null;
      if (target?.startsWith('self.')) {
        // `self.store = Store()` in a method: a field of the class.
        const method = at.symbols[at.scope];
        at.hint(target, type, method.parent ?? at.scope);
      } else if (target) at.hint(target, type);
      if (at.scope === 0 && left?.type === 'identifier') at.define(left, 'variable', node, !left.text.startsWith('_'));
      return undefined;
    }
    case 'typed_parameter':
    case 'typed_default_parameter': {
      const name = node.namedChildren.find((c) => c?.type === 'identifier') ?? node.childForFieldName('name');
      if (name) at.hint(name.text, className(node.childForFieldName('type')));
      return undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'identifier') at.ref(callee, 'call');
      else if (callee?.type === 'attribute') {
        const attr = callee.childForFieldName('attribute');
        if (attr) at.ref(attr, 'call', receiverOf(callee.childForFieldName('object')));
      }
      return undefined;
    }
    case 'import_statement':
      importStatement(node, at);
      return SKIP;
    case 'import_from_statement':
      importFrom(node, at);
      return SKIP;
    default:
      return undefined;
  }
}

export const pythonRules: Rules = {
  visits: new Set([
    'function_definition',
    'class_definition',
    'assignment',
    'typed_parameter',
    'typed_default_parameter',
    'call',
    'import_statement',
    'import_from_statement',
  ]),
  visit,
  names: { identifier: 'ref' },
  notNames: new Set(['attribute', 'name']),
};
