// The CLI's conventions on the whole command tree: every verb documents itself, refuses what it does
// not take with a coded usage error naming its help, and completes in bash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Command } from 'commander';
import { TitanError } from '../common/errors.ts';
import { run } from './cli.ts';
import { completionScript } from './completion.ts';
import { loadProgram } from './main.ts';

/** What `titan ... --help` prints for a command. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

const leaves = (command: Command): Command[] => (command.commands.length ? command.commands.flatMap(leaves) : [command]);

test('every verb and subverb has a description, its own flags, --json, and examples in its help', async () => {
  const program = await loadProgram(['--help']);
  const all = leaves(program);
  assert.ok(all.length > 40, `only ${all.length} commands`);
  for (const leaf of all) {
    const name = `titan ${leaf.parent === program ? '' : `${leaf.parent?.name()} `}${leaf.name()}`;
    const help = helpOf(leaf);
    assert.ok(leaf.description(), `${name} has no description`);
    assert.match(help, /--json/, `${name} --help does not show --json`);
    assert.match(help, /Examples:\n {2}\$ /, `${name} --help shows no examples`);
    for (const option of leaf.options) assert.ok(help.includes(option.flags), `${name} --help does not show ${option.flags}`);
  }
});

test('a flag the verb does not take, a misplaced flag, a missing or extra argument: TITAN_E_USAGE naming its help', async () => {
  const refused = async (argv: string[], message: RegExp, fix: RegExp) => {
    const error = await run(await loadProgram(argv), argv).then(
      () => assert.fail(`titan ${argv.join(' ')} was accepted`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TitanError, String(error));
    assert.equal(error.code, 'TITAN_E_USAGE');
    assert.match(error.message, message);
    assert.match(error.fix ?? '', fix);
  };
  await refused(['registry', 'list', '--jsno'], /unknown option '--jsno' \(did you mean --json\?\)/, /titan registry list --help/);
  // --reason belongs to `registry yank`, not to `registry list`.
  await refused(['registry', 'list', '--reason', 'x'], /unknown option '--reason'/, /titan registry list --help/);
  await refused(['registy', 'list'], /unknown command "registy" \(did you mean registry\?\)/, /titan --help/);
  await refused(['reflex', 'shwo', 'x'], /unknown reflex verb "shwo" \(did you mean show\?\); the verbs: list, show/, /titan reflex --help/);
  await refused(['registry', 'list', '--kind', 'gadget'], /Allowed choices are tool, channel/, /titan registry list --help/);
  await refused(['kernel', 'approve'], /missing required argument 'id'/, /titan kernel approve --help/);
  await refused(['components', 'extra'], /too many arguments for 'components'/, /titan components --help/);
  await refused(['registry', 'yank', 'echo@1.0.0'], /required option '--reason <text>' not specified/, /titan registry yank --help/);
});

test("bash completion offers the verbs, a verb's subverbs and flags, and a flag's choices", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-completion-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'titan.bash');
  await writeFile(script, completionScript(await loadProgram(['completion']), 'bash'));
  const complete = (...words: string[]) =>
    execFileSync(
      'bash',
      ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _titan_complete; printf '%s\\n' "\${COMPREPLY[@]}"`, script, 'titan', ...words],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
  assert.deepEqual(complete('re'), ['registry', 'reflex']);
  assert.deepEqual(complete('registry', 'l'), ['list']);
  assert.deepEqual(complete('--json', 'registry', 'list', '--'), ['--kind', '--all', '--version', '--json', '--help']);
  assert.deepEqual(complete('registry', 'list', '--kind', 'p'), ['provider']);
  assert.deepEqual(complete('pairing', 'list', '--state', ''), ['pending', 'approved', 'denied']);
  assert.ok(complete('help', '').includes('secrets'));
});
