#!/usr/bin/env node
// The `titan` command. Plain JavaScript so it can refuse an old Node in one clear line before any
// TypeScript is loaded; everything else lives in main.ts.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `TITAN_E_NODE_VERSION: Titan needs Node 24 or newer (this is ${process.version}); run it through npm (npm start, npx titan), which uses the project's own Node 24.`,
  );
  process.exit(1);
}
// Node marks its TypeScript stripper experimental; that notice is not for Titan's users.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'ExperimentalWarning') console.error(`${warning.name}: ${warning.message}`);
});
// Output piped into `head` and closed early is not an error (clig.dev): stop quietly.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
// Node keeps the compiled (and type-stripped) modules between runs: a start loads Titan's ~200
// files in about half the time.
const { enableCompileCache } = await import('node:module');
const { homedir } = await import('node:os');
enableCompileCache?.(`${process.env.TITAN_HOME || `${homedir()}/.titan`}/cache/node-compile`);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
