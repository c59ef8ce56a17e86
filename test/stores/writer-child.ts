// The process the kill test shoots: a kernel on the database named by TITAN_DB_URL (home in argv[2])
// that appends messages to thread argv[3] in argv[4] concurrent streams, one message per call, and
// prints each message id on stdout only after its append resolved - that is, after the store
// acknowledged it as committed. It never stops on its own; the parent SIGKILLs it.
import { writeSync } from 'node:fs';
import { bootstrapBuiltins } from '../../kernel/bootstrap.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { TEST_CACHE } from '../support/kernel.ts';

const [home, thread, streams] = process.argv.slice(2);
if (!home || !thread || !(Number(streams) > 0) || !process.env.TITAN_DB_URL) {
  process.stderr.write('usage: TITAN_DB_URL=... node writer-child.ts HOME THREAD STREAMS\n');
  process.exit(2);
}

const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: { TITAN_DB_URL: process.env.TITAN_DB_URL } });
const report = await bootstrapBuiltins(kernel);
if (report.failed.length) {
  process.stderr.write(`bootstrap failed: ${JSON.stringify(report.failed)}\n`);
  process.exit(3);
}
await kernel.store.createThread({ id: thread, userId: 'writer' });
writeSync(1, 'ready\n');

await Promise.all(
  Array.from({ length: Number(streams) }, async (_, stream) => {
    for (let i = 0; ; i++) {
      const id = `s${stream}-${i}`;
      await kernel.store.appendMessages(thread, [{ id, role: 'user', content: `stream ${stream} message ${i}: ${'payload '.repeat(64)}` }]);
      writeSync(1, `${id}\n`); // synchronous: once the parent can read it, it was acknowledged
    }
  }),
);
