// `npm run mock-llm -- [--script FILE] [--port N] [--quiet] [--no-timeline]`: runs the scripted LLM
// server by hand and prints the base URL to give each SDK. Without --script it echoes ("echo: <last
// user message>"). --no-timeline keeps no request (benchmarks: thousands of requests, nobody reads them).
import { parseArgs } from 'node:util';
import { describeError, TitanError } from '../../../common/errors.ts';
import { loadScriptFile, type Script } from './script.ts';
import { startScriptedLlm } from './server.ts';
import type { TimelineEntry } from './timeline.ts';

const USAGE = 'usage: npm run mock-llm -- [--script FILE.json] [--port N] [--quiet] [--no-timeline]';

function logLine(entry: TimelineEntry): string {
  const ms = entry.ended ? Math.round(entry.ended.at - entry.received.at) : 0;
  const turn = entry.turn === null ? '-' : entry.turn === 'echo' ? 'echo' : `turn ${entry.turn}`;
  const fault = entry.fault ? ` fault=${entry.fault.kind}` : '';
  return `#${entry.id} ${entry.method} ${entry.path} ${turn} -> ${entry.status ?? '-'} ${entry.ended?.outcome ?? ''}${fault} ${entry.sent.length} frames ${ms} ms`;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        script: { type: 'string' },
        port: { type: 'string' },
        quiet: { type: 'boolean' },
        'no-timeline': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new TitanError('TITAN_E_USAGE', `${(error as Error).message}\n${USAGE}`, { fix: USAGE });
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TitanError('TITAN_E_USAGE', `--port ${values.port} is not a port number`, { fix: USAGE });
  const script: Script | null = values.script === undefined ? null : await loadScriptFile(values.script);
  const quiet = values.quiet === true;
  const llm = await startScriptedLlm({
    script,
    port,
    record: values['no-timeline'] !== true,
    onRequestEnd: quiet ? undefined : (entry) => console.log(logLine(entry)),
  });

  const mode = script ? `script ${values.script} (${script.turns.length} turns)` : 'echo mode (no --script)';
  console.log(`Titan scripted LLM on ${llm.url}, ${mode}`);
  console.log(`  openai      baseURL ${llm.baseUrls.openai}      (OPENAI_BASE_URL)`);
  console.log(`  anthropic   baseURL ${llm.baseUrls.anthropic}         (ANTHROPIC_BASE_URL)`);
  console.log(`  ollama      host    ${llm.baseUrls.ollama}         (OLLAMA_HOST)`);
  console.log(`  control     GET ${llm.url}/_titan/timeline, POST ${llm.url}/_titan/script, POST ${llm.url}/_titan/reset`);
  console.log('  any API key is accepted. Ctrl-C stops.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await llm.close();
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(describeError(error));
    process.exitCode = 1;
  },
);
