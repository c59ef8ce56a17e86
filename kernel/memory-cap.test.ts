import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import { capMemory } from './memory-cap.ts';

// Core modules assembled by hand, byte by byte: one function "grow" that runs `memory.grow 1` and
// returns the old size in pages (or -1 when the grow is refused), an exported memory "mem", and
// a custom section large enough that its size needs a two-byte LEB128.
const PAGE = 65536;

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const bytesOf = (text: string) => [...Buffer.from(text)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (text: string) => [...leb(text.length), ...bytesOf(text)];

type MemorySpec = { min: number; max?: number; flags?: number } | null;

function moduleWith(memory: MemorySpec, customPayload = 200): Uint8Array {
  const parts = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  parts.push(...section(1, [1, 0x60, 0, 1, 0x7f])); // type 0: () -> i32
  if (memory) parts.push(...section(3, [1, 0])); // function 0 has type 0
  if (memory) {
    const flags = memory.flags ?? (memory.max === undefined ? 0 : 1);
    const limits = [flags, ...leb(memory.min), ...(memory.max === undefined ? [] : leb(memory.max))];
    parts.push(...section(5, [1, ...limits]));
    parts.push(...section(7, [2, ...name('mem'), 0x02, 0, ...name('grow'), 0x00, 0]));
    const body = [0, 0x41, 1, 0x40, 0, 0x0b]; // no locals; i32.const 1; memory.grow 0; end
    parts.push(...section(10, [1, ...leb(body.length), ...body]));
  }
  parts.push(...section(0, [...name('titan-test'), ...Array.from({ length: customPayload }, (_, i) => i & 0xff)]));
  return Uint8Array.from(parts);
}

function instantiate(bytes: Uint8Array): { mem: WebAssembly.Memory; grow: () => number } {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module).exports as unknown as { mem: WebAssembly.Memory; grow: () => number };
}

function pages(memory: WebAssembly.Memory): number {
  return memory.buffer.byteLength / PAGE;
}

test('the hand-made module works before it is capped', () => {
  const { mem, grow } = instantiate(moduleWith({ min: 1 }));
  assert.equal(pages(mem), 1);
  assert.equal(grow(), 1);
  mem.grow(10);
  assert.equal(pages(mem), 12);
});

test('a memory without a maximum gets the cap: growing past it fails in JS and in wasm', () => {
  const capped = capMemory(moduleWith({ min: 1 }), 3 * PAGE);
  const { mem, grow } = instantiate(capped);
  assert.equal(grow(), 1, 'growing to 2 pages is within the cap');
  mem.grow(1); // 3 pages: exactly the cap
  assert.equal(pages(mem), 3);
  assert.throws(() => mem.grow(1), RangeError);
  assert.equal(grow(), -1, 'memory.grow inside the guest is refused with -1');
  assert.equal(pages(mem), 3);
});

test('a maximum above the cap is lowered; one below it is kept', () => {
  const lowered = instantiate(capMemory(moduleWith({ min: 1, max: 1000 }), 2 * PAGE));
  lowered.mem.grow(1);
  assert.throws(() => lowered.mem.grow(1), RangeError);

  const kept = instantiate(capMemory(moduleWith({ min: 1, max: 2 }), 64 * PAGE));
  kept.mem.grow(1);
  assert.throws(() => kept.mem.grow(1), RangeError, "the module's own smaller maximum still applies");
});

test('the cap is rounded down to whole pages, and is never below one page', () => {
  const roundedDown = instantiate(capMemory(moduleWith({ min: 1 }), 2 * PAGE + PAGE / 2));
  roundedDown.mem.grow(1);
  assert.throws(() => roundedDown.mem.grow(1), RangeError);

  const tiny = instantiate(capMemory(moduleWith({ min: 1 }), 100));
  assert.equal(pages(tiny.mem), 1);
  assert.throws(() => tiny.mem.grow(1), RangeError);
});

test('a memory that starts above the cap keeps its initial size and cannot grow', () => {
  const { mem, grow } = instantiate(capMemory(moduleWith({ min: 4 }), 2 * PAGE));
  assert.equal(pages(mem), 4);
  assert.equal(grow(), -1);
  assert.throws(() => mem.grow(1), RangeError);
});

test('every other section is kept byte for byte', () => {
  const original = moduleWith({ min: 1, max: 100 }, 300);
  const capped = capMemory(original, 8 * PAGE);
  const before = new WebAssembly.Module(original as Uint8Array<ArrayBuffer>);
  const after = new WebAssembly.Module(capped as Uint8Array<ArrayBuffer>);
  assert.deepEqual(WebAssembly.Module.exports(after), WebAssembly.Module.exports(before));
  assert.deepEqual(WebAssembly.Module.exports(after), [
    { name: 'mem', kind: 'memory' },
    { name: 'grow', kind: 'function' },
  ]);
  const custom = (m: WebAssembly.Module) => Buffer.from(WebAssembly.Module.customSections(m, 'titan-test')[0]);
  assert.deepEqual(custom(after), custom(before));
  assert.equal(custom(after).length, 300);
});

test('a module without a memory comes back unchanged, not copied', () => {
  const original = moduleWith(null);
  assert.equal(capMemory(original, PAGE), original);
});

test('a memory whose maximum is within the cap comes back unchanged, not copied; one above it is a copy', () => {
  const within = moduleWith({ min: 1, max: 2 });
  assert.equal(capMemory(within, 8 * PAGE), within);
  const above = moduleWith({ min: 1, max: 100 });
  const capped = capMemory(above, 8 * PAGE);
  assert.notEqual(capped, above);
  assert.deepEqual(Buffer.from(above), Buffer.from(moduleWith({ min: 1, max: 100 })), 'the original is left as it was');
});

test('a shared or 64-bit memory is refused with a coded error', () => {
  for (const flags of [0x03, 0x04]) {
    assert.throws(
      () => capMemory(moduleWith({ min: 1, max: 2, flags }), 8 * PAGE),
      (error) => {
        assert.ok(isTitanError(error, 'TITAN_E_INVALID_COMPONENT'), String(error));
        assert.match(error.message, new RegExp(`flags ${flags}`));
        return true;
      },
    );
  }
});
