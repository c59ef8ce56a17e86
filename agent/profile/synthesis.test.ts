// Profile synthesis as the person whose files they are sees it: facts from what they said land in
// the managed sections, their own text around them untouched; only their messages are read; an
// edit by hand while synthesis runs wins (synthesis merges into it and retries); every change is
// recorded and reverts.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ChatRequest, LlmEvent } from '../loop/llm-types.ts';
import { ProfileFiles } from './changes.ts';
import { BEGIN, END, readSection, type ProfileFile } from './sections.ts';
import { MAX_PENDING_TURNS, ProfileSynthesis } from './synthesis.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'titan-profile-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const workspace = () => path.join(dir, 'workspace');
const file = (name: string) => path.join(workspace(), name);
/** What a person does in their editor. */
async function handWrite(name: string, text: string): Promise<void> {
  await mkdir(workspace(), { recursive: true });
  await writeFile(file(name), text);
}

/** A model that answers `facts` as JSON, running `during` while it "thinks"; keeps the requests. */
function model(facts: Record<string, string[]>, during: () => Promise<void> = async () => {}) {
  const requests: ChatRequest[] = [];
  const fn = async function* (request: ChatRequest): AsyncIterable<LlmEvent> {
    requests.push(request);
    await during();
    yield { type: 'text', text: `Here you go:\n\`\`\`json\n${JSON.stringify(facts)}\n\`\`\`` };
    yield { type: 'stop', reason: 'end_turn' };
  };
  return { fn, requests };
}

function synthesis(files: ProfileFiles, fn: ReturnType<typeof model>['fn'], said = ['I am Ada, I live in Oslo. Keep answers short.']) {
  return new ProfileSynthesis({ files, model: fn, debounceMs: 10, userMessages: async () => said });
}

/** One synthesis over one noted turn, run at once. */
function runOnce(files: ProfileFiles, fn: ReturnType<typeof model>['fn']) {
  const run = synthesis(files, fn);
  run.noteTurn('thread-1', 'turn-1');
  return run.run();
}

test('facts land in the managed sections; the text around them is kept; only the user messages are sent', async () => {
  const files = new ProfileFiles(workspace(), dir);
  await handWrite('USER.md', '# Me\n\nWritten by hand.\n');
  const { fn, requests } = model({ 'USER.md': ['Is called Ada', 'Lives in Oslo'], 'SOUL.md': ['Prefers short answers'], 'notes.txt': ['ignored'] });
  const run = synthesis(files, fn);
  run.noteTurn('thread-1', 'turn-1');
  await new Promise((resolve) => setTimeout(resolve, 50)); // the debounce fires
  const changes = await run.run(); // waits for the debounced run, then finds nothing new
  assert.equal(changes.length, 0);
  const user = await readFile(file('USER.md'), 'utf8');
  assert.equal(user, `# Me\n\nWritten by hand.\n\n${BEGIN}\n- Is called Ada\n- Lives in Oslo\n${END}\n`);
  assert.equal(readSection(await readFile(file('SOUL.md'), 'utf8')), '- Prefers short answers');
  assert.match(requests[0].messages[1].content as string, /I am Ada, I live in Oslo/);
  const recorded = await files.changes();
  assert.deepEqual(recorded.map((c) => [c.file, c.reason]).sort(), [
    ['SOUL.md', 'synthesis'],
    ['USER.md', 'synthesis'],
  ]);
});

test('an edit by hand while synthesis runs wins: the facts are merged into it', async () => {
  const files = new ProfileFiles(workspace(), dir);
  await files.write('USER.md', '', '- Is called Ada', 'setup');
  // While the model works, the person rewrites the section and adds a line of their own outside it.
  const { fn } = model({ 'USER.md': ['Lives in Oslo'] }, async () => {
    const text = await readFile(file('USER.md'), 'utf8');
    await handWrite('USER.md', `My notes.\n${text.replace('- Is called Ada', '- Goes by Ada Lovelace')}`);
  });
  const [change] = await runOnce(files, fn).then(() => files.changes());
  const text = await readFile(file('USER.md'), 'utf8');
  assert.ok(text.startsWith('My notes.\n'), 'their line outside the markers is kept');
  assert.equal(readSection(text), '- Goes by Ada Lovelace\n- Lives in Oslo');
  assert.equal(change.before, '- Goes by Ada Lovelace', 'the change starts from their edit');
});

test('an edit between reading and writing makes the write retry on the new text, never overwrite it', async () => {
  class EditingFiles extends ProfileFiles {
    edits = 1;
    override async read(name: ProfileFile): Promise<string> {
      const text = await super.read(name);
      if (name === 'MEMORY.md' && this.edits > 0 && text.includes('Likes tea')) {
        this.edits -= 1;
        await handWrite(name, text.replace('- Likes tea', '- Likes green tea'));
      }
      return text;
    }
  }
  const files = new EditingFiles(workspace(), dir);
  await files.write('MEMORY.md', '', '- Likes tea', 'setup');
  const { fn } = model({ 'MEMORY.md': ['Runs on Sundays'] });
  await runOnce(files, fn);
  assert.equal(readSection(await readFile(file('MEMORY.md'), 'utf8')), '- Likes green tea\n- Runs on Sundays');
});

test('every change can be reverted, and the revert is itself recorded', async () => {
  const files = new ProfileFiles(workspace(), dir);
  await handWrite('AGENTS.md', 'Keep this.\n');
  const { fn } = model({ 'AGENTS.md': ['Asks before deleting files'] });
  await runOnce(files, fn);
  const [added] = await files.changes();
  const revert = await files.revert(added.id);
  assert.equal(revert?.reverts, added.id);
  assert.equal(await readFile(file('AGENTS.md'), 'utf8'), 'Keep this.\n', 'back to exactly what the person wrote');
  await assert.rejects(files.revert('no-such-change'), /TITAN_E_NOT_FOUND|no profile change/);
});

test('a conversation that never pauses is still read, in parts: the turns waiting never pass the bound', async () => {
  const files = new ProfileFiles(workspace(), dir);
  const { fn, requests } = model({ 'USER.md': ['Is called Ada'] });
  const asked: number[] = [];
  const run = new ProfileSynthesis({
    files,
    model: fn,
    debounceMs: 60_000, // never quiet long enough within this test
    userMessages: async (_thread, turnIds) => {
      asked.push(turnIds.length);
      return turnIds.map((t) => `message of ${t}`);
    },
  });
  for (let i = 0; i < 10 * MAX_PENDING_TURNS; i++) {
    run.noteTurn('thread-1', `turn-${i}`);
    assert.ok(run.pendingTurns < MAX_PENDING_TURNS);
  }
  await run.run();
  assert.equal(
    asked.reduce((sum, n) => sum + n, 0),
    10 * MAX_PENDING_TURNS,
    'every turn was read once',
  );
  assert.ok(Math.max(...asked) <= MAX_PENDING_TURNS);
  assert.ok(requests.length >= 10);
});
