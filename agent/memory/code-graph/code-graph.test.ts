// The code graph as a user meets it, on libSQL and on PostgreSQL: a small repository in TypeScript,
// Python and Rust is indexed; callers, callees, definitions and neighbourhoods answer across files;
// a changed file is the only one parsed again; binary, huge and broken files are reported, not fatal.
import assert from 'node:assert/strict';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { rejectsWithCode } from '../../../test/support/fixtures.ts';
import { tempHome } from '../../../test/support/kernel.ts';
import { BACKENDS, lazyPostgres, openStoreKernel } from '../../../test/support/store.ts';
import { CodeGraph } from './code-graph.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

const FILES: Record<string, string> = {
  'src/util.ts': `export function slugify(text: string): string { return lower(text).replace(/ /g, '-'); }
function lower(text: string) { return text.toLowerCase(); }
export class Cache { get(key: string) { return this.load(key); } load(key: string) { return slugify(key); } }
`,
  'src/index.ts': `import { slugify, Cache } from './util.js';
import * as util from './util.js';
export function title(page: string) { const c = new Cache(); return slugify(page) + c.get(page) + util.slugify('x'); }
`,
  'py/pkg/helpers.py': `def normalise(name):
    return name.strip()

class Store:
    def save(self, item):
        return self.key(item)
    def key(self, item):
        return normalise(item)
`,
  'py/pkg/main.py': `from .helpers import normalise, Store

def run(items):
    s = Store()
    return [s.save(normalise(i)) for i in items]
`,
  'rs/src/lib.rs': `mod parser;
use crate::parser::tokenize;
pub fn count(text: &str) -> usize { tokenize(text).len() }
`,
  'rs/src/parser.rs': `pub struct Lexer { pos: usize }
impl Lexer { pub fn new() -> Self { Lexer { pos: 0 } } pub fn next_token(&mut self) -> usize { self.advance() } fn advance(&mut self) -> usize { self.pos + 1 } }
pub fn tokenize(text: &str) -> Vec<usize> { let mut l = Lexer::new(); vec![l.next_token(), text.len()] }
`,
  // Half of this file is broken: what parses is still indexed.
  'src/broken.ts': `export function fine() { return slugifyLocal(); }
function slugifyLocal() { return 1; }
export function broken( { { {
`,
};

async function writeRepo(root: string): Promise<void> {
  for (const [file, text] of Object.entries(FILES)) {
    await mkdir(path.join(root, path.dirname(file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  await writeFile(path.join(root, 'src/image.js'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
  await writeFile(path.join(root, 'src/huge.js'), `// generated\n${'x();\n'.repeat(300_000)}`);
}

const ids = (list: Array<{ qualified: string; path: string }>) => list.map((s) => `${s.path}#${s.qualified}`).sort();

for (const backend of BACKENDS) {
  test(`code graph on ${backend}: index, query across files and languages, change one file, reopen`, async () => {
    const store = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'codegraph' });
    const repo = await tempHome('titan-repo-');
    try {
      await writeRepo(repo.home);
      const graph = await CodeGraph.open(store.kernel.db, repo.home);
      const progress: number[] = [];
      const first = await graph.index({ onProgress: (p) => progress.push(p.done) });
      assert.equal(first.files, 9);
      assert.equal(first.parsed, 7);
      assert.equal(progress.length, 9);
      assert.deepEqual(first.skipped.map((s) => s.path).sort(), ['src/huge.js', 'src/image.js']);
      assert.match(first.skipped.find((s) => s.path === 'src/image.js')?.reason ?? '', /binary/);
      assert.match(first.skipped.find((s) => s.path === 'src/huge.js')?.reason ?? '', /larger than/);
      assert.deepEqual(
        first.partial.map((p) => p.path),
        ['src/broken.ts'],
      );
      assert.deepEqual(ids(graph.callees('fine')), ['src/broken.ts#slugifyLocal']);

      // TypeScript: a plain import, a namespace import, a method through `this`, `new`.
      assert.deepEqual(ids(graph.callers('slugify')), ['src/index.ts#title', 'src/util.ts#Cache.load']);
      assert.deepEqual(ids(graph.callees('title')), ['src/util.ts#Cache', 'src/util.ts#Cache.get', 'src/util.ts#slugify']);
      assert.deepEqual(ids(graph.callees('Cache.get')), ['src/util.ts#Cache.load']);
      // Python: a relative from-import, a method through self and through a local of a known class.
      assert.deepEqual(ids(graph.callers('normalise')), ['py/pkg/helpers.py#Store.key', 'py/pkg/main.py#run']);
      assert.deepEqual(ids(graph.callees('Store.save')), ['py/pkg/helpers.py#Store.key']);
      // Rust: `use crate::...`, `Type::new`, a method through self.
      assert.deepEqual(ids(graph.callees('tokenize')), ['rs/src/parser.rs#Lexer.new', 'rs/src/parser.rs#Lexer.next_token']);
      assert.deepEqual(ids(graph.callers('tokenize')), ['rs/src/lib.rs#count']);
      assert.deepEqual(ids(graph.callees('Lexer.next_token')), ['rs/src/parser.rs#Lexer.advance']);
      assert.deepEqual(ids(graph.definitions('Cache')), ['src/util.ts#Cache']);

      // The neighbourhood of a file: its own definitions and what they call, ranked from it.
      const around = graph.neighbourhood('src/index.ts', { limit: 10 });
      assert.ok(around.length > 0);
      assert.ok(ids(around.slice(0, 4)).includes('src/util.ts#slugify'), JSON.stringify(ids(around)));
      const status = await graph.status();
      assert.equal(status.files, 9);
      assert.ok(status.rows.code_symbols > 15 && status.rows.code_refs > 10 && status.rows.code_imports >= 5, JSON.stringify(status.rows));

      // One file changes: only it is parsed; its old calls are gone, its new ones are there.
      await writeFile(
        path.join(repo.home, 'src/index.ts'),
        `import { slugify } from './util.js';\nexport function heading(page: string) { return slugify(page); }\n`,
      );
      const second = await graph.index();
      assert.equal(second.parsed, 1);
      assert.equal(second.unchanged, 8);
      assert.deepEqual(ids(graph.callers('slugify')), ['src/index.ts#heading', 'src/util.ts#Cache.load']);
      assert.deepEqual(graph.definitions('title'), []);
      // A deleted file takes its rows with it.
      await unlink(path.join(repo.home, 'py/pkg/main.py'));
      const third = await graph.index();
      assert.equal(third.removed, 1);
      assert.deepEqual(ids(graph.callers('normalise')), ['py/pkg/helpers.py#Store.key']);

      // Reopened from the database alone: the same answers, nothing parsed.
      const reopened = await CodeGraph.open(store.kernel.db, repo.home);
      assert.deepEqual(ids(reopened.callers('slugify')), ids(graph.callers('slugify')));
      assert.deepEqual(ids(reopened.callees('tokenize')), ids(graph.callees('tokenize')));
      assert.deepEqual((await reopened.status()).rows, (await graph.status()).rows);
      const again = await reopened.index();
      assert.equal(again.parsed, 0);

      // Bad input changes nothing.
      const rows = (await graph.status()).rows;
      assert.throws(() => graph.callers(''), { code: 'TITAN_E_CODE_QUERY' });
      assert.throws(() => graph.neighbourhood('x'.repeat(600)), { code: 'TITAN_E_CODE_QUERY' });
      assert.throws(() => graph.neighbourhood('slugify', { limit: 0 }), { code: 'TITAN_E_CODE_QUERY' });
      await rejectsWithCode(CodeGraph.open(store.kernel.db, path.join(repo.home, 'missing')), 'TITAN_E_CODE_ROOT');
      assert.deepEqual((await graph.status()).rows, rows);
    } finally {
      await rm(repo.home, { recursive: true, force: true });
      await store.cleanup();
    }
  });
}
