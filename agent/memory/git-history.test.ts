// Who changed it, read from a real git repository: the commits that last changed a function's lines
// (author, date, subject, the lines each owns), a file's log, an uncommitted edit and a new commit
// seen at once (the cache follows the file and HEAD), and no history outside a repository.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CONFIG_HISTORY, gitRepo } from '../../test/support/git-repo.ts';
import { GitHistory } from './git-history.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'titan-git-'));
  await gitRepo(dir, CONFIG_HISTORY);
});
after(() => rm(dir, { recursive: true, force: true }));

test('the commits that last changed a function, newest first, each with the lines it owns', async () => {
  const git = await GitHistory.open(dir);
  assert.ok(git);
  const changes = await git.lines('src/config.ts', 7, 11);
  assert.deepEqual(
    changes.commits.map((c) => [c.author, c.date, c.subject, c.lines]),
    [
      ['Grace Hopper', '2026-11-20T15:30:00.000Z', 'parseConfig strips comments so operators can annotate titan.json', [8, 9]],
      ['Ada Lovelace', '2026-11-02T10:00:00.000Z', 'Add the config loader: parseConfig reads titan.json', [7, 10, 11]],
    ],
  );
  assert.match(changes.commits[0].commit, /^[0-9a-f]{12}$/);
  assert.deepEqual(
    (await git.file('src/server.ts')).commits.map((c) => [c.author, c.subject]),
    [['Linus Torvalds', 'The server reloads its config on SIGHUP']],
  );
  await assert.rejects(git.lines('../etc/passwd', 1, 2), { code: 'TITAN_E_CODE_QUERY' });
  await assert.rejects(git.lines('--output=x', 1, 2), { code: 'TITAN_E_CODE_QUERY' });
});

test('an edit and a commit are seen on the next read; outside a repository there is no history', async () => {
  const git = await GitHistory.open(dir);
  assert.ok(git);
  await git.lines('src/config.ts', 7, 11); // cached
  const file = path.join(dir, 'src/config.ts');
  await writeFile(file, (await readFile(file, 'utf8')).replace('return value;', 'return Object.freeze(value);'));
  assert.deepEqual((await git.lines('src/config.ts', 7, 11)).uncommittedLines, [10]);
  const run = promisify(execFile);
  const who = { GIT_AUTHOR_NAME: 'Margaret Hamilton', GIT_AUTHOR_EMAIL: 'mh@example.org', GIT_COMMITTER_NAME: 'M', GIT_COMMITTER_EMAIL: 'm@example.org' };
  await run('git', ['-c', 'commit.gpgsign=false', 'commit', '-qam', 'Freeze the parsed config'], {
    cwd: dir,
    env: { ...process.env, ...who, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  const after = await git.lines('src/config.ts', 7, 11);
  assert.deepEqual(after.uncommittedLines, []);
  assert.deepEqual([after.commits[0].author, after.commits[0].subject, after.commits[0].lines], ['Margaret Hamilton', 'Freeze the parsed config', [10]]);
  // Her line changed again: blame no longer names her commit, the range's log still does.
  await writeFile(file, (await readFile(file, 'utf8')).replace('return Object.freeze(value);', 'return structuredClone(value);'));
  await run('git', ['-c', 'commit.gpgsign=false', 'commit', '-qam', 'Callers get their own copy of the config'], {
    cwd: dir,
    env: { ...process.env, ...who, GIT_AUTHOR_NAME: 'Linus Torvalds', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  assert.deepEqual(
    (await git.lines('src/config.ts', 7, 11)).commits.map((c) => [c.author, c.lines]),
    [
      ['Linus Torvalds', [10]],
      ['Margaret Hamilton', []],
      ['Grace Hopper', [8, 9]],
      ['Ada Lovelace', [7, 11]],
    ],
  );
  const outside = await mkdtemp(path.join(os.tmpdir(), 'titan-no-git-'));
  try {
    assert.equal(await GitHistory.open(outside), undefined);
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test("the repository's filter commands never run on the host when an edited file is blamed", async () => {
  const repo = await mkdtemp(path.join(os.tmpdir(), 'titan-git-filter-'));
  try {
    await gitRepo(repo, CONFIG_HISTORY.slice(0, 1));
    const marker = path.join(repo, 'ran');
    // What a sandboxed shell could write into the mounted workspace.
    await writeFile(path.join(repo, '.gitattributes'), '*.ts filter=evil\n');
    const config = path.join(repo, '.git', 'config');
    await writeFile(
      config,
      `${await readFile(config, 'utf8')}[filter "evil"]\n\tclean = touch ${marker}; cat\n\tprocess = touch ${marker}\n\trequired = true\n[core]\n\tfsmonitor = touch ${marker}\n`,
    );
    const file = path.join(repo, 'src/config.ts');
    await writeFile(file, (await readFile(file, 'utf8')).replace('return value;', 'return { ...value };'));
    const git = await GitHistory.open(repo);
    const changes = await git!.lines('src/config.ts', 7, 10);
    assert.deepEqual(changes.uncommittedLines, [9]);
    assert.deepEqual(
      changes.commits.map((c) => c.author),
      ['Ada Lovelace'],
    );
    await assert.rejects(readFile(marker), { code: 'ENOENT' });
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
});
