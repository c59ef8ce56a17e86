// npm start / npm test run this first: one clear line instead of a cryptic failure on old Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `TITAN_E_NODE_VERSION: Titan needs Node 24 or newer (this is ${process.version}); run \`npm install\` without --ignore-scripts so the project's own Node 24 is installed, then use npm start / npm test.`,
  );
  process.exit(1);
}
