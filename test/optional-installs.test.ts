// The parts a production install leaves out (optional peers in package.json): the OpenTelemetry
// SDK, the terminal chat's ink and React, the Docker client. Without them Titan runs; the feature
// that needs one says which, with TITAN_E_ code and the install line. Each case runs in a child
// process whose module resolution cannot find the packages, whatever this checkout has installed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from './support/cli.ts';
import { projectUrl as url, withoutPackages } from './support/without-packages.ts';

const OTEL_SDK = ['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources'];
let work: string;

before(async () => (work = await mkdtemp(path.join(os.tmpdir(), 'titan-optional-installs-'))));
after(() => rm(work, { recursive: true, force: true }));

/** The coded error a script's `attempt()` throws, or { ok } with what it returned. */
async function outcome(packages: string[], setup: string, attempt: string): Promise<{ ok?: unknown; code?: string; message?: string; fix?: string }> {
  const out = await withoutPackages(
    work,
    packages,
    `
    const { ERRORS } = await import(${url('common/errors.ts')});
    ${setup}
    try {
      console.log(JSON.stringify({ ok: (await (${attempt})) ?? null }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message, fix: ERRORS[error.code]?.fix }));
    }
    `,
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

test('the optional parts are optional peers of the package, and development installs have them', async () => {
  const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  for (const name of [...OTEL_SDK, 'ink', 'react', 'dockerode']) {
    assert.equal(pkg.dependencies[name], undefined, `${name} is not a runtime dependency`);
    assert.deepEqual(pkg.peerDependenciesMeta[name], { optional: true }, `${name} is an optional peer`);
    assert.equal(pkg.peerDependencies[name], pkg.devDependencies[name], `${name}: the same range for development`);
  }
});

test('without the OpenTelemetry SDK tracing stays off, and an OTLP endpoint asks for the SDK by name', { timeout: 60_000 }, async () => {
  const setup = `const { startTracing } = await import(${url('bin/telemetry.ts')});`;
  const off = await outcome(OTEL_SDK, setup, `startTracing({ otlpEndpoint: '', serviceName: 'titan' })`);
  assert.deepEqual(off, { ok: null }, 'no endpoint: nothing to load');
  const on = await outcome(OTEL_SDK, setup, `startTracing({ otlpEndpoint: 'http://127.0.0.1:4318', serviceName: 'titan' })`);
  assert.equal(on.code, 'TITAN_E_TELEMETRY_MISSING');
  assert.match(on.message ?? '', /OpenTelemetry SDK \(@opentelemetry\/sdk-trace-node\) is not installed/);
  assert.match(on.fix ?? '', /npm install @opentelemetry\/sdk-trace-node@\S+ @opentelemetry\/exporter-trace-otlp-http@\S+ @opentelemetry\/resources@/);
});

test('titan doctor names the missing SDK when telemetry is configured, and is green when it is off', { timeout: 60_000 }, async () => {
  const setup = `const { telemetry } = await import(${url('bin/doctor/host.ts')}); const at = (otlpEndpoint) => ({ config: { telemetry: { otlpEndpoint } } });`;
  const off = await outcome(OTEL_SDK, setup, "telemetry(at('')).then((f) => f.status)");
  assert.deepEqual(off, { ok: 'ok' });
  const on = await outcome(OTEL_SDK, setup, "telemetry(at('http://127.0.0.1:4318'))");
  const finding = on.ok as { status: string; message: string; fix: string };
  assert.equal(finding.status, 'fail');
  assert.match(finding.message, /@opentelemetry\/sdk-trace-node, @opentelemetry\/exporter-trace-otlp-http, @opentelemetry\/resources are not installed/);
  assert.match(finding.fix, /npm install @opentelemetry\/sdk-trace-node@/);
});

test('without ink the terminal chat names the install and the other ways to chat', { timeout: 60_000 }, async () => {
  const result = await outcome(['ink', 'react'], `const { loadChatView } = await import(${url('bin/chat/load.ts')});`, 'loadChatView().then(() => "loaded")');
  assert.equal(result.code, 'TITAN_E_CHAT_UI_MISSING');
  assert.match(result.message ?? '', /ink is not installed/);
  assert.match(result.fix ?? '', /npm install ink@\S+ react@\S+.*web UI/);
});

test('without dockerode the engine is not used: jobs are refused with the install line, nothing runs on the host unasked', { timeout: 60_000 }, async () => {
  // A socket nothing listens on: the client check comes first, so the answer is the same with Docker running.
  const setup = `const { Engine } = await import(${url('agent/jobs/engine.ts')}); const engine = new Engine(${JSON.stringify(path.join(work, 'no-docker.sock'))});`;
  const ping = await outcome(['dockerode'], setup, 'engine.ping()');
  assert.equal(ping.code, 'TITAN_E_DOCKER_CLIENT_MISSING');
  assert.match(ping.fix ?? '', /npm install dockerode@\S+.*jobs\.docker false/);
  assert.deepEqual(await outcome(['dockerode'], setup, 'engine.available()'), { ok: false }, 'the start then keeps the shell on the host, with approval');
});
