// A swarm step's sub-agents on the Goals page: one cell per sub-agent, coloured by its state
// (running, succeeded, stopped early, failed, timed out, not run), titled with what became of it,
// and the counts beside them. Drawn from the step's "subagent" executions; the goal events keep it live.
import { h } from './dom.js';

const ORDER = ['running', 'succeeded', 'stopped_early', 'failed', 'timed_out', 'not_run'];
const LABEL = { running: 'running', succeeded: 'succeeded', stopped_early: 'stopped early', failed: 'failed', timed_out: 'timed out', not_run: 'not run' };

/** A sub-agent execution's state and what the page says of it (its record's output is the sub-agent's result). */
function stateOf(execution) {
  let input = {};
  let result;
  try {
    input = JSON.parse(execution.input ?? '{}');
    result = execution.output ? JSON.parse(execution.output) : undefined;
  } catch {
    // an unreadable record still gets a cell
  }
  const state = execution.status === 'running' ? 'running' : (result?.status ?? execution.status);
  const where = execution.target === 'local' || execution.target === 'none' ? '' : ` on ${execution.target.slice(-8)}`;
  const said = result?.trigger ? `stopped at: ${result.trigger.line}` : (execution.error ?? result?.output ?? '');
  return {
    state,
    index: input.index ?? 0,
    tip: `${(input.index ?? 0) + 1}. ${input.title ?? ''} - ${LABEL[state] ?? state}${where}${said ? `: ${said.slice(0, 200)}` : ''}`,
  };
}

/** The step's sub-agents as a grid with counts; null when none has started yet. */
export function subAgentsView(step, executions) {
  const mine = executions.filter((e) => e.kind === 'subagent' && e.step_id === step.id).map(stateOf);
  const total = step.spec?.swarm?.agents?.length ?? mine.length;
  if (total === 0) return null;
  mine.sort((a, b) => a.index - b.index);
  const counts = ORDER.map((s) => [s, mine.filter((m) => m.state === s).length]).filter(([, n]) => n > 0);
  const waiting = total - mine.length;
  return h(
    'div',
    { class: 'swarm', 'data-swarm': step.id },
    h(
      'p',
      { class: 'muted swarm-counts' },
      `${total} sub-agents: ${[...counts.map(([s, n]) => `${n} ${LABEL[s]}`), ...(waiting > 0 ? [`${waiting} waiting`] : [])].join(', ')}`,
    ),
    h(
      'div',
      { class: 'swarm-grid', role: 'list', 'aria-label': `Sub-agents of ${step.title}` },
      ...mine.map((m) => h('span', { class: `swarm-cell sub-${m.state}`, role: 'listitem', title: m.tip, 'aria-label': m.tip, 'data-state': m.state })),
    ),
  );
}
