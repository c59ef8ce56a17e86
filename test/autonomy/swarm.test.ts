// Swarm steps on both store backends, with the scripted model over its real wire format: a step
// fans out to sub-agents under a concurrency limit (observed from the records as they change), each
// with only its granted tools; a failing and a timing-out sub-agent are reported while the others
// are merged; a spent token budget leaves the rest recorded as not run; a watcher stops a real
// long shell command at the line it watches for (by pattern, and by the model's judgement); bad
// swarms are refused with coded errors and change nothing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { startAutonomy, type Autonomy } from '../../agent/autonomy/start.ts';
import type { StepInput } from '../../agent/autonomy/control-plane.ts';
import type { GoalEvent } from '../../agent/autonomy/events.ts';
import type { SubAgentResult, SwarmSpec } from '../../agent/autonomy/swarm/types.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import type { Script } from '../../agent/llm/scripted/script.ts';
import { Agent } from '../../agent/loop/agent.ts';
import { isTitanError } from '../../common/errors.ts';
import type { Execution } from '../../components/stores/ops.ts';
import { runningCommands } from '../../host-api/exec.ts';
import { BACKENDS, lazyPostgres, openStoreKernel, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

const refusedWith = (code: string) => (error: unknown) => isTitanError(error) && error.code === code;
const swarmStep = (title: string, spec: SwarmSpec): StepInput => ({ title, kind: 'swarm', ...spec });
const resultOf = (e: Execution) => JSON.parse(e.output ?? '{}') as SubAgentResult;

for (const backend of BACKENDS) {
  describe(`${backend}: swarm steps`, { timeout: 240_000 }, () => {
    let handle: StoreKernel;
    let server: ScriptedLlm;
    let agent: Agent;
    let autonomy: Autonomy;
    const events: GoalEvent[] = [];

    /** Runs a one-step goal to its end; answers the run's report and the step's sub-agent records. */
    async function runSwarm(title: string, spec: SwarmSpec) {
      const { goal, plan } = await autonomy.plane.createGoal('ada', { title, steps: [swarmStep(title, spec)] });
      const started = performance.now();
      const report = await autonomy.runner.run('ada', goal.id);
      const ms = performance.now() - started;
      const step = (await autonomy.plane.listSteps('ada', plan!.id))[0];
      const runs = (await autonomy.plane.executions('ada', plan!.id)).filter((e) => e.kind === 'subagent');
      runs.sort((a, b) => resultOf(a).index - resultOf(b).index);
      return { goal, plan: plan!, report, step, runs, ms };
    }

    test('opens a kernel, the scripted model and an agent on the backend', async () => {
      handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'swarm' });
      server = await startScriptedLlm();
      const llm = createLlm(handle.kernel, {
        providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'E2E_KEY' }],
        env: { E2E_KEY: 'sk-e2e' },
        retry: { baseDelayMs: 10, maxDelayMs: 50, attempts: 1 },
      });
      // The shell runs without asking here (as `titan start` trusts it once its commands run in the sandbox).
      agent = new Agent(handle.kernel, {
        workspace: handle.kernel.workspace,
        llm: (request, options) => llm.stream(request, options),
        trustedTools: ['shell'],
      });
      await agent.start();
      autonomy = startAutonomy(handle.kernel, agent, { swarm: { maxAgents: 50, concurrency: 4, judgeLines: 5 } });
      handle.kernel.bus.on('goal.event', (e) => events.push(e));
    });
    after(async () => {
      await agent?.close();
      await server?.close();
      await handle?.cleanup();
    });

    test('a step fans out to 12 sub-agents, at most 3 at once, each with only its own tools, and merges their answers', async () => {
      await writeFile(path.join(handle.kernel.workspace, 'notes.txt'), 'the launch is on Friday');
      server.reset();
      server.load({
        turns: [
          { match: { lastUserContains: 'Read notes.txt' }, content: [{ type: 'tool_call', name: 'read-file', arguments: { path: 'notes.txt' } }] },
          { match: { lastMessageContains: 'the launch is on Friday' }, content: [{ type: 'text', text: 'The notes say the launch is on Friday.' }] },
          { match: { lastUserContains: 'Count' }, repeat: true, firstDelayMs: 150, content: [{ type: 'text', text: 'counted' }] },
        ],
      } satisfies Script);
      const agents = [
        { title: 'reader', prompt: 'Read notes.txt and say when the launch is.', tools: ['read-file'] },
        ...Array.from({ length: 11 }, (_, i) => ({ title: `counter ${i + 1}`, prompt: `Count the words of part ${i + 1}.` })),
      ];
      const from = events.length;
      const { report, step, runs, ms } = await runSwarm('fan out', { agents, concurrency: 3 });

      assert.equal(report.status, 'succeeded');
      assert.equal(step.status, 'succeeded');
      assert.equal(runs.length, 12, 'one execution per sub-agent');
      assert.ok(
        runs.every((e) => e.status === 'succeeded' && e.target === 'local'),
        JSON.stringify(runs.map((e) => e.status)),
      );
      assert.equal(resultOf(runs[0]).output, 'The notes say the launch is on Friday.');
      assert.match(step.output ?? '', /^12 sub-agents: 12 succeeded/);
      assert.match(step.output ?? '', /\[1\] reader \(succeeded\): The notes say the launch is on Friday\./);
      assert.match(step.output ?? '', /\[12\] counter 11 \(succeeded\): counted/);

      // The limit, seen from the records as they changed: never more than 3 running.
      let running = 0;
      let peak = 0;
      for (const e of events.slice(from)) {
        if (e.type !== 'execution' || (e.data as Execution).kind !== 'subagent') continue;
        running += (e.data as Execution).status === 'running' ? 1 : -1;
        peak = Math.max(peak, running);
      }
      assert.equal(peak, 3, 'three at once, as the step asked');
      assert.ok(ms >= 4 * 150, `11 answers of 150 ms three at a time take at least 4 rounds (took ${Math.round(ms)} ms)`);

      // Each sub-agent's model saw its own brief and only its granted tools; no thread was written.
      const requests = server
        .timeline()
        .map((r) => r.body as { messages: Array<{ role: string; content: string | null }>; tools?: Array<{ function: { name: string } }> });
      const reader = requests.find((r) => r.messages.some((m) => m.content?.includes('Read notes.txt')))!;
      assert.deepEqual(
        reader.tools?.map((t) => t.function.name),
        ['read-file'],
      );
      const counter = requests.find((r) => r.messages.some((m) => m.content?.includes('part 3.')))!;
      assert.equal(counter.tools?.length ?? 0, 0);
      assert.equal(counter.messages.length, 2, 'a brief and a task, nothing of any conversation');
      assert.match(counter.messages[0].content ?? '', /one narrow task: counter 3/);
      assert.equal((await handle.kernel.store.listThreads({ userId: 'ada' })).length, 0);
    });

    test('a failing and a timing-out sub-agent are reported each with its code; the others are merged', async () => {
      server.reset();
      server.load({
        turns: [
          { match: { lastUserContains: 'fail please' }, fault: { kind: 'auth' } },
          // Far beyond the limit, and the limit far beyond a good answer even on a machine at load 30.
          { match: { lastUserContains: 'take forever' }, firstDelayMs: 30_000, content: [{ type: 'text', text: 'too late' }] },
          { match: { lastUserContains: 'answer' }, repeat: true, content: [{ type: 'text', text: 'fine' }] },
        ],
      } satisfies Script);
      const { report, step, runs, ms } = await runSwarm('mixed', {
        agents: [
          { title: 'good 1', prompt: 'answer one' },
          { title: 'broken', prompt: 'fail please' },
          { title: 'slow', prompt: 'take forever' },
          { title: 'good 2', prompt: 'answer two' },
        ],
        timeoutMs: 4000,
      });
      assert.equal(report.status, 'succeeded', 'the step needs any sub-agent to succeed by default');
      assert.ok(ms < 20_000, `the slow one was stopped at its limit, not waited for (${Math.round(ms)} ms)`);
      assert.deepEqual(
        runs.map((e) => [resultOf(e).title, resultOf(e).status, e.status, resultOf(e).error?.code]),
        [
          ['good 1', 'succeeded', 'succeeded', undefined],
          ['broken', 'failed', 'failed', 'TITAN_E_SUBAGENT_FAILED'],
          ['slow', 'timed_out', 'failed', 'TITAN_E_SUBAGENT_TIMEOUT'],
          ['good 2', 'succeeded', 'succeeded', undefined],
        ],
      );
      assert.match(runs[2].error ?? '', /did not finish within 4000 ms/);
      assert.match(step.output ?? '', /2 succeeded, 0 stopped early, 1 failed, 1 timed out, 0 not run/);
      assert.match(step.output ?? '', /\[3\] slow \(timed out\): TITAN_E_SUBAGENT_TIMEOUT/);

      // Asked for all: the same outcome fails the step, and the goal's run reports it.
      server.reset();
      const all = await runSwarm('mixed, all needed', {
        agents: [
          { title: 'good', prompt: 'answer' },
          { title: 'broken', prompt: 'fail please' },
        ],
        require: 'all',
      });
      assert.equal(all.report.status, 'failed');
      assert.equal(all.step.status, 'failed');
      assert.match(all.step.error ?? '', /1 succeeded, 0 stopped early, 1 failed/);
    });

    test('a spent token budget leaves the sub-agents not yet started recorded as not run, with a coded reason', async () => {
      server.reset();
      server.load({
        turns: [
          {
            match: { lastUserContains: 'summarise' },
            repeat: true,
            usage: { inputTokens: 80, outputTokens: 20 },
            content: [{ type: 'text', text: 'summary' }],
          },
        ],
      } satisfies Script);
      const { goal, report, runs } = await runSwarm('budget', {
        agents: Array.from({ length: 10 }, (_, i) => ({ title: `part ${i + 1}`, prompt: `summarise part ${i + 1}` })),
        concurrency: 1,
        tokenBudget: 250,
      });
      assert.equal(report.status, 'succeeded');
      assert.equal(runs.length, 10, 'none dropped');
      assert.deepEqual(
        runs.map((e) => resultOf(e).status),
        ['succeeded', 'succeeded', 'succeeded', ...Array(7).fill('not_run')],
      );
      for (const e of runs.slice(3)) {
        assert.equal(e.status, 'cancelled');
        assert.match(e.error ?? '', /^TITAN_E_SUBAGENT_BUDGET: not run: the token budget of 250 was spent \(300 tokens\)/);
      }
      assert.equal(server.timeline().length, 3, 'the model was asked only by the three that ran');
      const incidents = await autonomy.plane.incidents('ada', goal.id);
      assert.ok(incidents.some((i) => i.kind === 'swarm.budget' && /7 of 10 sub-agents were not run/.test(i.message)));
    });

    test('a watcher stops a long shell command at the line it watches for, by pattern or by the model', async () => {
      server.reset();
      server.load({
        turns: [
          { match: { lastMessageContains: 'FAILED' }, repeat: true, content: [{ type: 'text', text: 'STOP: test parser FAILED' }] },
          { match: { lastUserContains: 'New output lines' }, repeat: true, content: [{ type: 'text', text: 'GO' }] },
        ],
      } satisfies Script);
      // Each command would run 20 s; its failure shows after about half a second.
      const disk = 'for i in $(seq 1 200); do echo "copy $i"; if [ $i = 5 ]; then echo "ERROR: disk full" >&2; fi; sleep 0.1; done';
      const tests = 'for t in a b c d parser e f g; do sleep 0.1; if [ $t = parser ]; then echo "test $t FAILED"; else echo "test $t ok"; fi; done; sleep 20';
      const { goal, report, runs, ms } = await runSwarm('watch', {
        agents: [
          { title: 'watch the copy', watch: { tool: 'shell', arguments: { command: disk }, pattern: 'ERROR' } },
          { title: 'watch the tests', watch: { tool: 'shell', arguments: { command: tests }, failure: 'a test fails' } },
        ],
      });
      assert.equal(report.status, 'succeeded');
      assert.ok(ms < 8000, `both commands were stopped early (${Math.round(ms)} ms of 20 s each)`);
      const [copy, suite] = runs.map(resultOf);
      assert.equal(copy.status, 'stopped_early');
      assert.deepEqual(copy.trigger, { line: 'ERROR: disk full', by: 'pattern' });
      assert.equal(suite.status, 'stopped_early');
      assert.deepEqual(suite.trigger, { line: 'test parser FAILED', by: 'model' });
      assert.equal(runningCommands(), 0, 'the watched commands are gone');
      const incidents = (await autonomy.plane.incidents('ada', goal.id)).filter((i) => i.kind === 'watch.stopped');
      assert.deepEqual(incidents.map((i) => i.message).sort(), [
        'sub-agent 1 ("watch the copy") stopped shell early (pattern) at: ERROR: disk full',
        'sub-agent 2 ("watch the tests") stopped shell early (model) at: test parser FAILED',
      ]);

      // A command that never shows the failure runs to its end and says so.
      const clean = await runSwarm('watch clean', {
        agents: [{ title: 'quiet', watch: { tool: 'shell', arguments: { command: 'echo one; echo two' }, pattern: 'ERROR' } }],
      });
      const quiet = resultOf(clean.runs[0]);
      assert.equal(quiet.status, 'succeeded');
      assert.match(quiet.output ?? '', /ran to its end \(2 lines\) without what it watched for/);
    });

    test('asked in a chat, the model plans the fan-out itself: a goal whose swarm step it wrote, run and reported back', async () => {
      server.reset();
      server.load({
        turns: [
          { match: { lastMessageContains: 'The goal is complete.' }, content: [{ type: 'text', text: 'Alpha and beta are both found.' }] },
          {
            match: { lastUserContains: 'Research alpha and beta' },
            content: [
              {
                type: 'tool_call',
                name: 'autonomy__pursue',
                arguments: {
                  title: 'research alpha and beta',
                  steps: [
                    {
                      title: 'look in parallel',
                      kind: 'swarm',
                      agents: [
                        { title: 'alpha', prompt: 'find alpha', context: 'alpha is a letter' },
                        { title: 'beta', prompt: 'find beta' },
                      ],
                    },
                  ],
                },
              },
            ],
          },
          { match: { lastUserContains: 'find alpha' }, content: [{ type: 'text', text: 'alpha found' }] },
          { match: { lastUserContains: 'find beta' }, content: [{ type: 'text', text: 'beta found' }] },
        ],
      } satisfies Script);
      const thread = await agent.createThread('ada');
      const sent = await agent.send('ada', thread.id, 'Research alpha and beta at the same time.');
      const outcome = await sent.run.done;
      assert.equal(outcome.state, 'completed', outcome.error?.message);
      assert.equal(outcome.text, 'Alpha and beta are both found.');
      const goal = (await autonomy.plane.listGoals('ada', { sort: 'created', order: 'desc', limit: 1 })).goals[0];
      assert.equal(goal.title, 'research alpha and beta');
      assert.equal(goal.status, 'completed');
      const plan = (await autonomy.plane.listPlans('ada', goal.id))[0];
      const [step] = await autonomy.plane.listSteps('ada', plan.id);
      assert.equal(step.kind, 'swarm');
      assert.match(step.output ?? '', /\[1\] alpha \(succeeded\): alpha found\n\[2\] beta \(succeeded\): beta found/);
      const agents = await autonomy.plane.subAgents('ada', step.id);
      assert.deepEqual(
        agents.map((a) => [a.title, a.state]),
        [
          ['alpha', 'succeeded'],
          ['beta', 'succeeded'],
        ],
      );
      // The sub-agent's context came with its brief.
      const alpha = server.timeline().find((r) => JSON.stringify(r.body).includes('find alpha'))!;
      assert.match(JSON.stringify(alpha.body), /alpha is a letter/);
    });

    test('bad swarms are refused with coded errors and change nothing', async () => {
      const before = (await autonomy.plane.listGoals('ada')).total;
      const refused = async (spec: SwarmSpec, code: string) => {
        await assert.rejects(autonomy.plane.createGoal('ada', { title: 'bad', steps: [swarmStep('bad', spec)] }), refusedWith(code));
      };
      await refused({ agents: [] }, 'TITAN_E_SUBAGENTS_INVALID');
      await refused({ agents: Array.from({ length: 51 }, (_, i) => ({ title: `a${i}`, prompt: 'x' })) }, 'TITAN_E_SUBAGENTS_TOO_MANY');
      await refused({ agents: [{ title: 'a', prompt: 'x', tools: ['no-such-tool'] }] }, 'TITAN_E_SUBAGENT_GRANT');
      await refused({ agents: [{ title: 'a', prompt: 'x', tools: ['write-file'] }] }, 'TITAN_E_SUBAGENT_GRANT');
      await refused({ agents: [{ title: 'a', prompt: 'x', tools: ['autonomy__pursue'] }] }, 'TITAN_E_SUBAGENT_GRANT');
      await refused({ agents: [{ title: 'a', watch: { tool: 'shell', pattern: '(' } }] }, 'TITAN_E_SUBAGENTS_INVALID');
      assert.equal((await autonomy.plane.listGoals('ada')).total, before, 'no goal was written');

      // Added to a plan, or replacing its steps: refused the same way, the plan's steps as they were.
      const { plan } = await autonomy.plane.createGoal('ada', { title: 'has a plan', steps: [{ title: 'say', kind: 'tool', tool: 'echo' }] });
      await assert.rejects(autonomy.plane.addStep('ada', plan!.id, swarmStep('bad', { agents: [] })), refusedWith('TITAN_E_SUBAGENTS_INVALID'));
      await assert.rejects(
        autonomy.plane.replaceSteps('ada', plan!.id, [swarmStep('bad', { agents: [{ title: 'a', prompt: 'x', tools: ['nope'] }] })]),
        refusedWith('TITAN_E_SUBAGENT_GRANT'),
      );
      assert.deepEqual(
        (await autonomy.plane.listSteps('ada', plan!.id)).map((s) => s.title),
        ['say'],
      );
    });
  });
}
