// The sense table's rules, on a small WordNet and small vectors written here in the packages' formats.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildTable } from './senses-build.ts';

/** A data line: offset, lexicographer file, part of speech, words, pointers [symbol, offset, pos, source/target]. */
function line(offset: string, file: number, pos: string, words: string[], pointers: Array<[string, string, string, string]> = []): string {
  const ws = words.map((w) => `${w} 0`).join(' ');
  const ps = pointers.map(([s, o, p, st]) => `${s} ${o} ${p} ${st}`).join(' ');
  return `${offset} ${String(file).padStart(2, '0')} ${pos} ${words.length.toString(16).padStart(2, '0')} ${ws} ${String(pointers.length).padStart(3, '0')}${ps ? ` ${ps}` : ''} | gloss  `;
}

function fixture(): { dir: string; vectors: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'titan-senses-test-'));
  const noun = [
    line('00000001', 10, 'n', ['invoice', 'bill']),
    line('00000002', 10, 'n', ['bill', 'measure']),
    line('00000003', 19, 'n', ['weather', 'conditions']),
    line('00000004', 4, 'n', ['trade', 'trading']),
    line('00000005', 4, 'n', ['arrival'], [['+', '00000102', 'v', '0101']]),
    line('00000006', 18, 'n', ['user'], [['+', '00000103', 'v', '0101']]),
    line('00000007', 4, 'n', ['liberty', 'freedom']),
  ];
  const verb = [line('00000101', 40, 'v', ['buy', 'purchase']), line('00000102', 38, 'v', ['arrive', 'come']), line('00000103', 34, 'v', ['use'])];
  const adj = [
    line('00000201', 0, 'a', ['free', 'vacant'], [['!', '00000202', 'a', '0101']]),
    line('00000202', 0, 'a', ['busy', 'occupied'], [['!', '00000201', 'a', '0101']]),
    line('00000203', 0, 'a', ['free', 'busy']),
  ];
  const sense = [
    ['invoice%1:10:00::', '00000001', 1, 0],
    ['bill%1:10:00::', '00000002', 1, 20],
    ['bill%1:10:01::', '00000001', 2, 5],
    ['measure%1:10:00::', '00000002', 1, 3],
    ['weather%1:19:00::', '00000003', 1, 10],
    ['conditions%1:19:00::', '00000003', 1, 2],
    ['trade%1:04:00::', '00000004', 1, 5],
    ['trade%2:40:00::', '00000101', 1, 30],
    ['trading%1:04:00::', '00000004', 1, 3],
    ['arrival%1:04:00::', '00000005', 1, 8],
    ['user%1:18:00::', '00000006', 1, 8],
    ['buy%2:40:00::', '00000101', 1, 40],
    ['purchase%2:40:00::', '00000101', 1, 10],
    ['arrive%2:38:00::', '00000102', 1, 20],
    ['come%2:38:00::', '00000102', 1, 90],
    ['use%2:34:00::', '00000103', 1, 90],
    ['free%3:00:00::', '00000201', 1, 30],
    ['free%3:00:01::', '00000203', 2, 1],
    ['vacant%3:00:00::', '00000201', 1, 3],
    ['busy%3:00:00::', '00000202', 1, 10],
    ['busy%3:00:01::', '00000203', 2, 1],
    ['occupied%3:00:00::', '00000202', 1, 4],
    ['liberty%1:04:00::', '00000007', 3, 0],
    ['freedom%1:04:00::', '00000007', 4, 0],
  ].map(([k, o, n, c]) => `${k} ${o} ${n} ${c}`);
  writeFileSync(path.join(dir, 'data.noun'), `${noun.join('\n')}\n`);
  writeFileSync(path.join(dir, 'data.verb'), `${verb.join('\n')}\n`);
  writeFileSync(path.join(dir, 'data.adj'), `${adj.join('\n')}\n`);
  writeFileSync(path.join(dir, 'index.sense'), `${sense.sort().join('\n')}\n`);
  // Two dimensions: words used alike point the same way ("bill" of the news, a law, points away from "invoice").
  const at: Record<string, [number, number]> = {
    invoice: [1, 0],
    bill: [0, 1],
    measure: [0, 1],
    weather: [1, 0.2],
    conditions: [1, 0.3],
    trade: [1, 1],
    trading: [1, 1],
    arrival: [1, 1],
    arrive: [1, 0.9],
    come: [1, 0.8],
    user: [1, 1],
    use: [1, 1],
    buy: [1, 0],
    purchase: [1, 0],
    free: [1, 0],
    vacant: [1, 0.1],
    busy: [1, 0],
    occupied: [1, 0.1],
    liberty: [1, 0],
    freedom: [1, 0],
  };
  const vectors = path.join(dir, 'vectors.json');
  writeFileSync(
    vectors,
    JSON.stringify({ dimensions: 2, words: Object.keys(at), vectors: Object.fromEntries(Object.entries(at).map(([w, v], i) => [w, [...v, 1, i]])) }),
  );
  return { dir, vectors };
}

test('words sharing a usual sense of a thing or a quality are kept, a derived noun too; a verb, an opposite, a person and a rare sense are not', () => {
  const { dir, vectors } = fixture();
  try {
    const table = buildTable(dir, vectors);
    // "bill" is the invoice's first sense, whatever the vectors say; "measure" is no invoice.
    assert.deepEqual(table.invoice, ['bill']);
    assert.deepEqual(table.weather, ['conditions']);
    assert.deepEqual(table.vacant, ['free']);
    // An arrival is when one arrives; a user is someone else to ask about.
    assert.deepEqual(table.arrive, ['arrival']);
    assert.equal(table.use, undefined);
    // "trade" is mostly a verb (an act): never read as "trading".
    assert.equal(table.trading, undefined);
    // Verbs, opposites (free/busy share a rare sense here), and senses far down both lists are left out.
    assert.equal(table.buy, undefined);
    assert.ok(!table.free?.includes('busy') && !table.busy?.includes('free'));
    assert.equal(table.liberty, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
