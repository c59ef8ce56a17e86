// Shell output first byte: from the tool call (kernel.invokeTool of the shell tool, the way the
// agent loop calls it) to the first 'stdout' event of that call on the kernel's bus, for `echo hi`.
// Beside it: the whole call, and the host alone (runCommand spawning /bin/sh with no component in
// between), so the share of the kernel and the component is visible. Run alone:
// node benchmarks/shell-first-byte.ts
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_ROOT, publishComponent } from '../kernel/api.ts';
import { runCommand } from '../host-api/exec.ts';
import { buildComponent } from '../toolchain/build.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult, type Summary } from './stats.ts';

const RUNS = 50;
const WARMUP = 5;
const COMMAND = 'echo hi';
const TARGET_MS = 20;

printMachine();
const bench = await openBenchKernel();
try {
  const { kernel, home } = bench;
  const workspace = path.join(home, 'workspace');
  await mkdir(workspace, { recursive: true });
  const built = await buildComponent(path.join(BUILTIN_ROOT, 'tools', 'shell'), { cacheDir: kernel.paths.cache });
  const exec = { ...built.manifest.capabilities.exec, workspace };
  await kernel.deployManifest(
    await publishComponent(kernel, { ...built, manifest: { ...built.manifest, capabilities: { ...built.manifest.capabilities, exec } } }),
  );

  const firstByte: number[] = [];
  const whole: number[] = [];
  const hostOnly: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const callId = `bench-${i}`;
    const first = kernel.bus.once('component.event', (e) => e.callId === callId && e.kind === 'stdout').then(() => performance.now());
    const started = performance.now();
    const result = (await kernel.invokeTool('shell', { command: COMMAND }, { callId })) as { stdout: string };
    const ended = performance.now();
    if (result.stdout !== 'hi\n') throw new Error(`shell answered ${JSON.stringify(result)}`);
    const firstAt = await first;

    let hostFirst = 0;
    const hostStarted = performance.now();
    await runCommand({ command: COMMAND, cwd: workspace, timeoutMs: 10000, maxOutputBytes: 1024, onOutput: () => (hostFirst ||= performance.now()) });
    if (i < WARMUP) continue;
    firstByte.push(firstAt - started);
    whole.push(ended - started);
    hostOnly.push(hostFirst - hostStarted);
  }

  const results: Record<string, Summary> = { firstByte: summarize(firstByte), wholeCall: summarize(whole), hostOnly: summarize(hostOnly) };
  const p50 = against(results.firstByte.p50, '<=', TARGET_MS, 'ms');
  const p99 = against(results.firstByte.p99, '<=', TARGET_MS, 'ms');
  printTable(
    `shell first byte: \`${COMMAND}\`, ${RUNS} runs after ${WARMUP} warm-up (ms)`,
    ['measure', 'p50', 'p99', 'min', 'max', 'target', ''],
    [
      [
        'tool call -> first stdout event',
        results.firstByte.p50,
        results.firstByte.p99,
        results.firstByte.min,
        results.firstByte.max,
        p99.target,
        metCell(p50.met && p99.met),
      ],
      ['tool call -> result', results.wholeCall.p50, results.wholeCall.p99, results.wholeCall.min, results.wholeCall.max, '', ''],
      ['host alone: spawn -> first chunk', results.hostOnly.p50, results.hostOnly.p99, results.hostOnly.min, results.hostOnly.max, '', ''],
    ],
  );
  const summary = [
    row('shell first byte p50', results.firstByte.p50, 'ms', p50),
    row('shell first byte p99', results.firstByte.p99, 'ms', p99),
    row('shell whole call p50', results.wholeCall.p50, 'ms'),
  ];
  console.log(`results: ${await writeResult('shell-first-byte', summary, { runs: RUNS, warmup: WARMUP, command: COMMAND, results })}`);
} finally {
  await bench.close();
}
