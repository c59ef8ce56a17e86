// TypeScript, TSX and JavaScript: functions, classes, methods, interfaces, types, enums, namespaces,
// function-valued variables and fields; calls and `new`; ES imports, re-exports and require().
import type { Node } from 'web-tree-sitter';
import { type Collector, type Rules, SKIP } from './collect.ts';

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const CLASS_VALUES = new Set(['class']);

/** What a member call is called on, as the resolver reads it. */
function receiverOf(object: Node | null): string {
  if (!object) return '?';
  if (object.type === 'this' || object.type === 'super') return object.type;
  if (object.type === 'identifier') return object.text;
  // `this.writer.add()`: the field's stated type, when there is one, says which add.
  if (object.type === 'member_expression' && object.childForFieldName('object')?.type === 'this') {
    return `this.${object.childForFieldName('property')?.text ?? ''}`;
  }
  return '?';
}

/** The class a type annotation names (`Cache`, `Cache<T>`, `ns.Cache`, `Cache | null`), if any. */
function typeName(node: Node | null): string | null {
  if (!node) return null;
  switch (node.type) {
    case 'type_identifier':
      return node.text;
    case 'type_annotation':
    case 'union_type':
    case 'parenthesized_type':
      for (const c of node.namedChildren) {
        const found = typeName(c);
        if (found) return found;
      }
      return null;
    case 'generic_type':
      return typeName(node.childForFieldName('name'));
    case 'nested_type_identifier':
      return node.childForFieldName('name')?.text ?? null;
    default:
      return null;
  }
}

/** `new Cache()` -> "Cache". */
function constructed(value: Node | null): string | null {
  const callee = value?.type === 'new_expression' ? value.childForFieldName('constructor') : null;
  return callee?.type === 'identifier' ? callee.text : null;
}

function isExported(node: Node): boolean {
  const parent = node.parent;
  if (parent?.type === 'export_statement') return true;
  // `export const f = ...`: declarator -> lexical_declaration -> export_statement
  return node.type === 'variable_declarator' && parent?.parent?.type === 'export_statement';
}

function stringValue(node: Node | null): string | null {
  return node?.type === 'string' ? node.text.slice(1, -1) : null;
}

function importStatement(node: Node, at: Collector): void {
  const source = stringValue(node.childForFieldName('source'));
  if (source === null) return;
  const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
  if (!clause) return;
  for (const part of clause.namedChildren) {
    if (!part) continue;
    if (part.type === 'identifier') at.import({ local: part.text, imported: 'default', source, reexport: false }, part);
    else if (part.type === 'namespace_import') {
      const name = part.namedChildren.find((c) => c?.type === 'identifier');
      if (name) at.import({ local: name.text, imported: '*', source, reexport: false }, name);
    } else if (part.type === 'named_imports') {
      for (const spec of part.namedChildren) {
        const name = spec?.childForFieldName('name');
        if (!spec || !name) continue;
        const alias = spec.childForFieldName('alias');
        at.import({ local: (alias ?? name).text, imported: name.text, source, reexport: false }, spec);
      }
    }
  }
}

/** `export ... from`, `export { a as b }` and `export default f`: what the module exports under which name. */
function exportStatement(node: Node, at: Collector): boolean {
  const source = stringValue(node.childForFieldName('source'));
  const clause = node.namedChildren.find((c) => c?.type === 'export_clause');
  if (clause) {
    for (const spec of clause.namedChildren) {
      const name = spec?.childForFieldName('name');
      if (!spec || !name) continue;
      const alias = spec.childForFieldName('alias');
      at.import({ local: (alias ?? name).text, imported: name.text, source: source ?? '', reexport: true }, spec);
      if (source === null) at.ref(name, 'ref');
    }
    return true;
  }
  if (source !== null) {
    const ns = node.namedChildren.find((c) => c?.type === 'namespace_export');
    const name = ns?.namedChildren.find((c) => c?.type === 'identifier');
    at.import({ local: name?.text ?? '*', imported: '*', source, reexport: true }, node);
    return true;
  }
  const value = node.childForFieldName('value');
  if (value?.type === 'identifier') at.import({ local: 'default', imported: value.text, source: '', reexport: true }, value);
  const declaration = node.childForFieldName('declaration');
  const named = declaration?.childForFieldName('name');
  if (declaration && named && node.children.some((c) => c?.type === 'default')) {
    at.import({ local: 'default', imported: named.text, source: '', reexport: true }, named);
  }
  return false;
}

/** `const x = require('m')` and `const { a, b: c } = require('m')`. */
function requireCall(name: Node, value: Node, at: Collector): boolean {
  if (value.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'require') return false;
  const source = stringValue(value.childForFieldName('arguments')?.namedChild(0) ?? null);
  if (source === null) return false;
  if (name.type === 'identifier') at.import({ local: name.text, imported: '*', source, reexport: false }, name);
  else if (name.type === 'object_pattern') {
    for (const p of name.namedChildren) {
      if (p?.type === 'shorthand_property_identifier_pattern') at.import({ local: p.text, imported: p.text, source, reexport: false }, p);
      else if (p?.type === 'pair_pattern') {
        const key = p.childForFieldName('key');
        const local = p.childForFieldName('value');
        if (key && local?.type === 'identifier') at.import({ local: local.text, imported: key.text, source, reexport: false }, p);
      }
    }
  }
  return true;
}

function classHeritage(node: Node, at: Collector, from: number): void {
  const heritage = node.namedChildren.find((c) => c?.type === 'class_heritage');
  if (!heritage) return;
  for (const clause of heritage.namedChildren) {
    if (!clause) continue;
    const targets = clause.type === 'extends_clause' || clause.type === 'implements_clause' ? clause.namedChildren : [clause];
    for (const t of targets) {
      if (t?.type === 'identifier' || t?.type === 'type_identifier') at.ref(t, 'extends', null, from);
      else if (t?.type === 'member_expression') {
        const p = t.childForFieldName('property');
        if (p) at.ref(p, 'extends', receiverOf(t.childForFieldName('object')), from);
      }
    }
  }
}

function visit(node: Node, at: Collector): number | undefined {
  switch (node.type) {
    case 'function_declaration':
    case 'generator_function_declaration': {
      const name = node.childForFieldName('name');
      return name ? at.define(name, 'function', node, isExported(node)) : undefined;
    }
    case 'class_declaration':
    case 'abstract_class_declaration':
    case 'class': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const seq = at.define(name, 'class', node, isExported(node));
      classHeritage(node, at, seq);
      return seq;
    }
    case 'method_definition': {
      const name = node.childForFieldName('name');
      // A constructor's calls are the class's, as the language service counts them.
      if (!name || name.text === 'constructor') return undefined;
      return at.define(name, 'method', node);
    }
    case 'required_parameter':
    case 'optional_parameter': {
      const pattern = node.childForFieldName('pattern');
      const type = typeName(node.childForFieldName('type'));
      if (pattern?.type !== 'identifier' || !type) return undefined;
      at.hint(pattern.text, type);
      // `constructor(private writer: Writer)` declares a field too.
      if (node.namedChildren.some((c) => c?.type === 'accessibility_modifier')) at.hint(`this.${pattern.text}`, type);
      return undefined;
    }
    case 'public_field_definition':
    case 'field_definition': {
      const name = node.childForFieldName('name') ?? node.childForFieldName('property');
      const value = node.childForFieldName('value');
      if (name) at.hint(`this.${name.text}`, typeName(node.childForFieldName('type')) ?? constructed(value));
      if (name && value && FUNCTION_VALUES.has(value.type)) return at.define(name, 'method', node);
      return undefined;
    }
    case 'variable_declarator': {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (!name) return undefined;
      if (value && requireCall(name, value, at)) return SKIP;
      if (name.type !== 'identifier') return undefined;
      at.hint(name.text, typeName(node.childForFieldName('type')) ?? constructed(value));
      if (value && FUNCTION_VALUES.has(value.type)) return at.define(name, 'function', node, isExported(node));
      if (value && CLASS_VALUES.has(value.type)) return at.define(name, 'class', node, isExported(node));
      if (at.scope === 0) at.define(name, 'variable', node, isExported(node));
      return undefined;
    }
    case 'interface_declaration': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const seq = at.define(name, 'interface', node, isExported(node));
      const ext = node.namedChildren.find((c) => c?.type === 'extends_type_clause');
      for (const t of ext?.namedChildren ?? []) if (t?.type === 'type_identifier') at.ref(t, 'extends', null, seq);
      return seq;
    }
    case 'type_alias_declaration':
    case 'enum_declaration':
    case 'internal_module':
    case 'module': {
      const name = node.childForFieldName('name');
      if (!name) return undefined;
      const kind = node.type === 'type_alias_declaration' ? 'type' : node.type === 'enum_declaration' ? 'enum' : 'module';
      return at.define(name, kind, node, isExported(node));
    }
    case 'function_expression':
    case 'function':
    case 'generator_function': {
      // `return function lang() {...}`: a named function expression is a definition of its own.
      const name = node.childForFieldName('name');
      const holder = node.parent?.type;
      if (!name || holder === 'variable_declarator' || holder === 'public_field_definition' || holder === 'field_definition') return undefined;
      return at.define(name, 'function', node);
    }
    case 'member_expression': {
      // A method read without being called here (`arr.map(this.f)`, `fn = ns.f`): where it gets called from.
      const parent = node.parent;
      const callee =
        parent?.type === 'call_expression'
          ? parent.childForFieldName('function')
          : parent?.type === 'new_expression'
            ? parent.childForFieldName('constructor')
            : null;
      if (callee?.equals(node)) return undefined;
      const object = node.childForFieldName('object');
      const property = node.childForFieldName('property');
      if (!object || !property || property.type !== 'property_identifier') return undefined;
      if (object.type === 'this' || object.type === 'super' || object.type === 'identifier') at.ref(property, 'member', receiverOf(object));
      return undefined;
    }
    case 'call_expression':
    case 'new_expression': {
      const kind = node.type === 'call_expression' ? 'call' : 'new';
      const callee = node.childForFieldName(kind === 'call' ? 'function' : 'constructor');
      if (callee?.type === 'identifier') at.ref(callee, kind);
      else if (callee?.type === 'member_expression') {
        const property = callee.childForFieldName('property');
        if (property) at.ref(property, kind, receiverOf(callee.childForFieldName('object')));
      }
      return undefined;
    }
    case 'import_statement':
      importStatement(node, at);
      return SKIP;
    case 'export_statement':
      return exportStatement(node, at) ? SKIP : undefined;
    default:
      return undefined;
  }
}

export const typescriptRules: Rules = {
  visits: new Set([
    'function_declaration',
    'generator_function_declaration',
    'class_declaration',
    'abstract_class_declaration',
    'class',
    'method_definition',
    'public_field_definition',
    'field_definition',
    'required_parameter',
    'optional_parameter',
    'variable_declarator',
    'interface_declaration',
    'type_alias_declaration',
    'enum_declaration',
    'internal_module',
    'module',
    'function_expression',
    'function',
    'generator_function',
    'member_expression',
    'call_expression',
    'new_expression',
    'import_statement',
    'export_statement',
  ]),
  visit,
  names: { identifier: 'ref', type_identifier: 'type' },
};
