// A real git repository for tests: files committed one commit at a time, each by its own author on
// its own date with its own message (the git CLI, the user's global configuration left out).
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TestCommit = { author: string; email: string; date: string; message: string; files: Record<string, string> };

export async function gitRepo(dir: string, commits: TestCommit[]): Promise<string[]> {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const git = (args: string[], extra: Record<string, string> = {}) =>
    run('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, env: { ...env, ...extra } });
  await mkdir(dir, { recursive: true });
  await git(['init', '-q']);
  const hashes: string[] = [];
  for (const c of commits) {
    for (const [file, text] of Object.entries(c.files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    await git(['add', '--', ...Object.keys(c.files)]);
    const who = { GIT_AUTHOR_NAME: c.author, GIT_AUTHOR_EMAIL: c.email, GIT_AUTHOR_DATE: c.date };
    await git(['commit', '-q', '-m', c.message], { ...who, GIT_COMMITTER_NAME: c.author, GIT_COMMITTER_EMAIL: c.email, GIT_COMMITTER_DATE: c.date });
    hashes.push((await git(['rev-parse', 'HEAD'])).stdout.trim());
  }
  return hashes;
}

/** Three authors, three reasons: a config parser, who changed it and why, and a second caller. */
export const CONFIG_HISTORY: TestCommit[] = [
  {
    author: 'Ada Lovelace',
    email: 'ada@example.org',
    date: '2026-11-02T10:00:00Z',
    message: 'Add the config loader: parseConfig reads titan.json',
    files: {
      'src/config.ts': [
        "import { readFileSync } from 'node:fs';",
        '',
        'export function loadConfig(file: string) {',
        "  return parseConfig(readFileSync(file, 'utf8'));",
        '}',
        '',
        'export function parseConfig(text: string) {',
        '  const value = JSON.parse(text);',
        '  return value;',
        '}',
        '',
      ].join('\n'),
      'src/main.ts': ["import { loadConfig } from './config.js';", '', 'export function main() {', "  return loadConfig('titan.json');", '}', ''].join('\n'),
    },
  },
  {
    author: 'Grace Hopper',
    email: 'grace@example.org',
    date: '2026-11-20T15:30:00Z',
    message: 'parseConfig strips comments so operators can annotate titan.json',
    files: {
      'src/config.ts': [
        "import { readFileSync } from 'node:fs';",
        '',
        'export function loadConfig(file: string) {',
        "  return parseConfig(readFileSync(file, 'utf8'));",
        '}',
        '',
        'export function parseConfig(text: string) {',
        "  const bare = text.replace(/^\\s*\\/\\/.*$/gm, '');",
        '  const value = JSON.parse(bare);',
        '  return value;',
        '}',
        '',
      ].join('\n'),
    },
  },
  {
    author: 'Linus Torvalds',
    email: 'linus@example.org',
    date: '2026-12-01T09:00:00Z',
    message: 'The server reloads its config on SIGHUP',
    files: {
      'src/server.ts': [
        "import { parseConfig } from './config.js';",
        '',
        'export function reload(text: string) {',
        '  return parseConfig(text);',
        '}',
        '',
      ].join('\n'),
    },
  },
];
