// Onboarding on a user's first chat: Titan asks its five questions before the model answers (the
// model is not called), a review shows what will be written, "yes" writes the owner's answers into
// the managed sections of USER.md, SOUL.md and AGENTS.md (their own text kept); "skip" ends it at
// once and writes nothing; "/onboard profile" shows what is kept and "redo" starts again; another
// user's answers stay theirs (the settings store), never in the owner's files. Only people are
// asked: a program's message (the API, a script), a routine's or a goal step's goes to the model,
// and a goal step's turns never reach profile synthesis.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import type { MessageOrigin } from '../../agent/api.ts';
import { startOnboarding, startProfile } from '../../agent/services.ts';
import { readSection } from '../../agent/profile/sections.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';

let kernel: Kernel;
let agent: Agent;
let cleanup: () => Promise<void>;
let modelCalls = 0;
let synthesized: string[] = [];

const answer = (text: string): Step => [
  { type: 'text', text },
  { type: 'stop', reason: 'end_turn' },
];

before(async () => {
  let home: string;
  ({ home, cleanup } = await tempHome('titan-onboarding-'));
  kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
  const model = scriptedModel(Array.from({ length: 20 }, (_, i) => answer(`model answer ${i}`)));
  agent = new Agent(kernel, {
    workspace: kernel.workspace,
    llm: (request, options) => {
      modelCalls += 1;
      return model(request, options);
    },
  });
  await agent.start();
  // Synthesis reads what each turn's user wrote; its model here only records that it was asked.
  synthesized = [];
  startProfile(
    kernel,
    agent,
    async function* (request) {
      synthesized.push(String(request.messages.at(-1)?.content));
      yield { type: 'text', text: '{}' };
    },
    { ownerId: 'ada', debounceMs: 10 },
  );
  startOnboarding(kernel, agent, { ownerId: 'ada' });
});
after(async () => {
  await agent?.close();
  await kernel?.close();
  await cleanup?.();
});

async function say(userId: string, threadId: string, text: string, origin: MessageOrigin = 'person'): Promise<string> {
  const sent = await agent.send(userId, threadId, text, { origin });
  const outcome = await sent.run.done;
  assert.equal(outcome.state, 'completed');
  return outcome.text;
}

test('the owner is asked five questions, reviews, confirms, and their files get the answers', async () => {
  await mkdir(kernel.workspace, { recursive: true });
  await writeFile(path.join(kernel.workspace, 'USER.md'), '# Me\nMy own notes.\n');
  const thread = (await agent.createThread('ada')).id;
  const before = modelCalls;
  assert.match(await say('ada', thread, 'hello'), /five quick questions[\s\S]*\(1\/5\) Who are you/);
  assert.match(await say('ada', thread, 'Ada, a mathematician'), /\(2\/5\)/);
  assert.match(await say('ada', thread, 'finish the engine notes'), /\(3\/5\)/);
  assert.match(await say('ada', thread, 'short and direct'), /\(4\/5\)/);
  assert.match(await say('ada', thread, 'ask before anything that changes things'), /\(5\/5\)/);
  const review = await say('ada', thread, 'never email anyone for me');
  assert.match(review, /USER\.md:\n- Who they are: Ada, a mathematician\n- Working toward: finish the engine notes/);
  assert.match(review, /AGENTS\.md:\n- May do on its own: ask before anything that changes things\n- Never: never email anyone for me/);
  assert.equal(readSection(await readFile(path.join(kernel.workspace, 'USER.md'), 'utf8')), null, 'nothing written before "yes"');
  assert.match(await say('ada', thread, 'maybe'), /Reply "yes" to save it/);
  assert.match(await say('ada', thread, 'yes'), /Saved/);
  assert.equal(modelCalls, before, 'the model was not asked during onboarding');

  const user = await readFile(path.join(kernel.workspace, 'USER.md'), 'utf8');
  assert.ok(user.startsWith('# Me\nMy own notes.\n'), 'their own text is kept');
  assert.equal(readSection(user), '- Who they are: Ada, a mathematician\n- Working toward: finish the engine notes');
  assert.equal(readSection(await readFile(path.join(kernel.workspace, 'SOUL.md'), 'utf8')), '- Tone they like: short and direct');
  assert.match(await say('ada', thread, 'what is 2+2?'), /^model answer/, 'after onboarding the model answers');

  // "/onboard profile" shows it; "redo" asks again; anything else goes on to the model.
  assert.match(await say('ada', thread, '/onboard profile'), /Who they are: Ada, a mathematician[\s\S]*Reply "redo"/);
  assert.match(await say('ada', thread, 'redo'), /\(1\/5\)/);
  assert.match(await say('ada', thread, 'skip'), /Skipped: nothing was written/);
  assert.equal(
    readSection(await readFile(path.join(kernel.workspace, 'SOUL.md'), 'utf8')),
    '- Tone they like: short and direct',
    'a skipped redo keeps what was saved',
  );
});

test('another user can skip at once; their answers never reach the owner files', async () => {
  const bob = (await agent.createThread('bob')).id;
  assert.match(await say('bob', bob, 'hi there'), /\(1\/5\)/);
  assert.match(await say('bob', bob, 'skip'), /Skipped/);
  assert.match(await say('bob', bob, 'hi again'), /^model answer/);

  const eve = (await agent.createThread('eve')).id;
  await say('eve', eve, 'hello');
  for (const text of ['Eve', 'chess', 'formal', 'go ahead', 'nothing']) await say('eve', eve, text);
  assert.match(await say('eve', eve, 'yes'), /Saved/);
  const kept = await kernel.store.op('settings.get', { userId: 'eve', key: 'profile' });
  assert.match(kept?.value ?? '', /Who they are: Eve/);
  assert.doesNotMatch(await readFile(path.join(kernel.workspace, 'USER.md'), 'utf8'), /Eve/);
});

test('programs are never asked: the API, a routine and a goal step go to the model; goal steps never feed the profile', async () => {
  const thread = (await agent.createThread('carl')).id;
  assert.match(await say('carl', thread, 'summarise this for my script', 'program'), /^model answer/);
  assert.match(await say('carl', thread, 'the daily digest', 'routine'), /^model answer/);
  const step = await agent.send('carl', thread, 'step 1 of the goal', { origin: 'model', modelOnly: true });
  assert.match((await step.run.done).text, /^model answer/);
  // The same user typing in a chat is a person: now they are asked.
  assert.match(await say('carl', thread, 'hi, it is me', 'person'), /\(1\/5\)/);

  const owner = (await agent.createThread('ada')).id;
  await say('ada', owner, 'I prefer answers in French', 'program');
  const goalStep = await agent.send('ada', owner, 'MODEL-WROTE-THIS step prompt', { origin: 'model', modelOnly: true });
  await goalStep.run.done;
  const deadline = Date.now() + 5000;
  while (!synthesized.some((s) => s.includes('answers in French')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(
    synthesized.some((s) => s.includes('answers in French')),
    'what the owner wrote is read',
  );
  await new Promise((r) => setTimeout(r, 200)); // past the debounce: a run for the goal step would have happened
  assert.ok(!synthesized.some((s) => s.includes('MODEL-WROTE-THIS')), 'a goal step is never read');
});
