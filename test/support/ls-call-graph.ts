// The call graph of a TypeScript package as the TypeScript language service sees it (call hierarchy),
// the reference the code graph's accuracy is measured against.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { CodeGraphIndex } from '../../agent/memory/code-graph/graph.ts';
import { languageOf, parseFacts } from '../../agent/memory/code-graph/parse.ts';

/** A function as the call hierarchy names it: "<path relative to the package>:<line>:<name>". */
export type FunctionKey = string;
export type LsCallGraph = {
  files: number;
  lines: number;
  /** Every function-like declaration found, by key. */
  functions: FunctionKey[];
  /** caller -> callee, from provideCallHierarchyOutgoingCalls on every function. */
  outgoing: Array<[FunctionKey, FunctionKey]>;
  /** caller -> callee, from provideCallHierarchyIncomingCalls on every function. */
  incoming: Array<[FunctionKey, FunctionKey]>;
};

/** TypeScript sources under dir, tests and declaration files left out. */
export function packageSources(dir: string, skip: RegExp = /(^|\/)(__tests__|testing|__fixtures__)(\/|$)|\.test\.ts$|\.d\.ts$/): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const rel = relative(dir, path);
      if (skip.test(rel) || name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

function keyOf(dir: string, item: ts.CallHierarchyItem, program: ts.Program): FunctionKey {
  // A file's top level is a caller too: its key is the code graph's file node.
  if (item.kind === ts.ScriptElementKind.moduleElement || item.kind === ts.ScriptElementKind.scriptElement) return `${relative(dir, item.file)}:0:<file>`;
  const file = program.getSourceFile(item.file);
  const line = file ? file.getLineAndCharacterOfPosition(item.selectionSpan.start).line + 1 : 0;
  return `${relative(dir, item.file)}:${line}:${item.name}`;
}

/** Where call hierarchies start: every named function, method, constructor, accessor and function-valued variable. */
function declarationPositions(file: ts.SourceFile): number[] {
  const out: number[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && node.name && node.body) {
      out.push(node.name.getStart(file));
    } else if (ts.isConstructorDeclaration(node) && node.body) {
      out.push(node.getStart(file));
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    ) {
      out.push(node.name.getStart(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/**
 * Runs the language service's call hierarchy over every function of the package's sources, or over
 * `sample` of them picked evenly (a large codebase: findReferences per function is the slow part).
 */
export function lsCallGraph(dir: string, files = packageSources(dir), sample?: number): LsCallGraph {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true, allowJs: true, noEmit: true };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      try {
        return ts.ScriptSnapshot.fromString(readFileSync(name, 'utf8'));
      } catch {
        return undefined;
      }
    },
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram();
  if (!program) throw new Error(`no program for ${dir}`);
  const inside = new Set(files);
  const functions = new Set<FunctionKey>();
  const outgoing = new Set<string>();
  const incoming = new Set<string>();
  let lines = 0;
  const starts: Array<[string, number]> = [];
  for (const name of files) {
    const file = program.getSourceFile(name);
    if (!file) continue;
    lines += file.getLineStarts().length;
    for (const position of declarationPositions(file)) starts.push([name, position]);
  }
  const step = sample && sample < starts.length ? starts.length / sample : 1;
  const picked = step === 1 ? starts : Array.from({ length: sample ?? 0 }, (_, i) => starts[Math.floor(i * step)]);
  for (const [name, position] of picked) {
    {
      const prepared = service.prepareCallHierarchy(name, position);
      const items = prepared ? (Array.isArray(prepared) ? prepared : [prepared]) : [];
      for (const item of items) {
        const from = keyOf(dir, item, program);
        functions.add(from);
        for (const call of service.provideCallHierarchyOutgoingCalls(name, position)) {
          if (inside.has(call.to.file)) outgoing.add(JSON.stringify([from, keyOf(dir, call.to, program)]));
        }
        for (const call of service.provideCallHierarchyIncomingCalls(name, position)) {
          if (inside.has(call.from.file)) incoming.add(JSON.stringify([keyOf(dir, call.from, program), from]));
        }
      }
    }
  }
  const pairs = (set: Set<string>) => [...set].sort().map((p) => JSON.parse(p) as [FunctionKey, FunctionKey]);
  return { files: files.length, lines, functions: [...functions].sort(), outgoing: pairs(outgoing), incoming: pairs(incoming) };
}

// ---- scoring a call graph against it ----------------------------------------------------------

export type Score = { precision: number; recall: number; truePositives: number; found: number; expected: number };
export type Comparison = { callers: Score; callees: Score; calleesStrict: Score; functions: number };

function score(expected: Map<FunctionKey, Set<FunctionKey>>, found: Map<FunctionKey, Set<FunctionKey>>, universe: Set<FunctionKey>): Score {
  let tp = 0;
  let nFound = 0;
  let nExpected = 0;
  for (const key of universe) {
    const want = expected.get(key) ?? new Set();
    const got = found.get(key) ?? new Set();
    nExpected += want.size;
    nFound += got.size;
    for (const k of got) if (want.has(k)) tp++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 1000) / 1000);
  return { precision: ratio(tp, nFound), recall: ratio(tp, nExpected), truePositives: tp, found: nFound, expected: nExpected };
}

function grouped(pairs: Array<[FunctionKey, FunctionKey]>, by: 0 | 1): Map<FunctionKey, Set<FunctionKey>> {
  const out = new Map<FunctionKey, Set<FunctionKey>>();
  for (const pair of pairs) {
    const key = pair[by];
    const other = pair[by === 0 ? 1 : 0];
    let set = out.get(key);
    if (!set) out.set(key, (set = new Set()));
    set.add(other);
  }
  return out;
}

/**
 * Precision and recall of a call graph's edges (caller -> callee, in the same keys) against the
 * language service: callers of each function against provideCallHierarchyIncomingCalls, callees
 * against provideCallHierarchyOutgoingCalls. The service's two views disagree on one point: its
 * outgoing calls leave out calls made inside anonymous callbacks, which its incoming calls (and the
 * code graph) count for the enclosing function; `callees` scores against both views together,
 * `calleesStrict` against the outgoing calls alone. Only functions the service knows are scored.
 */
export function compare(
  reference: Pick<LsCallGraph, 'functions' | 'incoming' | 'outgoing'>,
  edges: Array<[FunctionKey, FunctionKey]>,
  sampled = false,
): Comparison {
  // A sampled reference knows the calls of its sampled functions only: only those are scored.
  const universe = new Set(sampled ? reference.functions : [...reference.functions, ...reference.incoming.flat(), ...reference.outgoing.flat()]);
  const both = [...new Map([...reference.outgoing, ...reference.incoming].map((e) => [e.join('\0'), e])).values()];
  return {
    functions: reference.functions.length,
    callers: score(grouped(reference.incoming, 1), grouped(edges, 1), universe),
    callees: score(grouped(both, 0), grouped(edges, 0), universe),
    calleesStrict: score(grouped(reference.outgoing, 0), grouped(edges, 0), universe),
  };
}

/** The code graph of the same files, in memory (no database), for scoring. */
export async function codeGraphOf(dir: string, files = packageSources(dir)): Promise<CodeGraphIndex> {
  const index = new CodeGraphIndex();
  for (const file of files) {
    const rel = relative(dir, file);
    const language = languageOf(rel);
    if (language) index.set(await parseFacts(rel, language, readFileSync(file, 'utf8')));
  }
  return index;
}

/** The code graph's call edges in the language service's keys ("<path>:<line>:<name>", files as "<path>:0:<file>"). */
export function callEdges(index: CodeGraphIndex): Array<[FunctionKey, FunctionKey]> {
  const graph = index.graph();
  const key = (id: string) => {
    const a = graph.getNodeAttributes(id);
    return a.kind === 'file' ? `${a.path}:0:<file>` : `${a.path}:${a.line}:${a.name}`;
  };
  const out: Array<[FunctionKey, FunctionKey]> = [];
  graph.forEachEdge((_e, a, source, target) => {
    if (a.calls > 0) out.push([key(source), key(target)]);
  });
  return out;
}

// `npx node test/support/ls-call-graph.ts node_modules/PKG/src OUT.json`: the committed reference data.
if (import.meta.main) {
  const [dir, out] = process.argv.slice(2);
  const { writeFileSync } = await import('node:fs');
  const { resolve, dirname } = await import('node:path');
  const root = resolve(dir);
  let pkgDir = root;
  while (!ts.sys.fileExists(join(pkgDir, 'package.json'))) pkgDir = dirname(pkgDir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const graph = lsCallGraph(root);
  const data = { package: pkg.name, version: pkg.version, dir: relative(process.cwd(), root), typescript: ts.version, ...graph };
  writeFileSync(out, `${JSON.stringify(data, null, 1)}\n`);
  console.log(
    `${pkg.name}@${pkg.version}: ${graph.files} files, ${graph.lines} lines, ${graph.functions.length} functions, ${graph.outgoing.length} outgoing and ${graph.incoming.length} incoming edges -> ${out}`,
  );
}
