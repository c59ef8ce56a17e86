// The goals page: the goals the agent pursues (filter by status), and one goal at a time as a board
// - a column per plan version with its steps as cards - then what ran (executions), what the
// approval policy said, the checks with their evidence, and incidents. The goal events stream
// keeps it live while a plan runs. The page builds its own section (index.html holds the nav entry).
import { api, streamUrl } from './api.js';
import { byId, h, showError, timeOf } from './dom.js';
import { subAgentsView } from './swarm-view.js';

const STATUSES = ['active', 'paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'];
const ENDED = ['completed', 'cancelled', 'abandoned', 'superseded'];
const goalPath = (id, rest = '') => `/goals/${encodeURIComponent(id)}${rest}`;
const clip = (text, n = 160) => (text && text.length > n ? `${text.slice(0, n - 1)}…` : (text ?? ''));

export class GoalsPage {
  constructor() {
    /** @type {HTMLSelectElement} */
    this.filter = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { id: 'goal-filter', onchange: () => void this.show() },
        h('option', { value: '' }, 'all'),
        ...STATUSES.map((s) => h('option', { value: s }, s)),
      )
    );
    this.rows = h('tbody', { id: 'goal-rows' });
    this.summary = h('p', { id: 'goal-summary', class: 'muted' });
    this.detail = h('article', { id: 'goal-detail', class: 'goal-detail', hidden: true, 'aria-live': 'polite' });
    this.selected = undefined;
    /** @type {EventSource | undefined} */
    this.source = undefined;
    this.pending = undefined;
    byId('pages').append(
      h(
        'section',
        { id: 'page-goals', class: 'page', 'aria-labelledby': 'goals-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'goals-title' }, 'Goals'),
          h('label', { for: 'goal-filter' }, 'Status'),
          this.filter,
          h('button', { type: 'button', id: 'refresh-goals', onclick: () => void this.show() }, 'Refresh'),
        ),
        h('p', { class: 'muted' }, 'Ask the agent for something that takes several steps: it records a goal, plans it, runs and checks it here.'),
        this.summary,
        h(
          'table',
          { 'aria-labelledby': 'goals-title' },
          h('thead', {}, h('tr', {}, ...['Goal', 'Status', 'Priority', 'Replans', 'Updated'].map((c) => h('th', { scope: 'col' }, c)))),
          this.rows,
        ),
        this.detail,
      ),
    );
  }

  async show(id = this.selected) {
    this.#listen();
    try {
      const status = this.filter.value;
      const { goals, total } = await api.get(`/goals?limit=100${status ? `&status=${status}` : ''}`);
      this.summary.textContent = total ? `${goals.length} of ${total} goal${total === 1 ? '' : 's'}.` : 'No goals yet.';
      this.rows.replaceChildren(...goals.map((goal) => this.#row(goal)));
      if (id) await this.#open(id);
    } catch (error) {
      showError(error);
    }
  }

  /** One stream for the page: every change of the caller's goals refreshes what is shown. */
  #listen() {
    if (this.source) return;
    const source = new EventSource(streamUrl('/goals/events'));
    this.source = source;
    for (const type of ['goal.created', 'goal.updated', 'plan.created', 'plan.updated', 'step.updated', 'execution', 'policy', 'verification', 'incident']) {
      source.addEventListener(type, (message) => {
        const event = JSON.parse(message.data);
        if (byId('page-goals').hidden) return;
        // Many events arrive together while a plan runs (a swarm's sub-agents): at most one refresh per 150 ms.
        if (this.pending) return;
        this.pending = setTimeout(() => {
          this.pending = undefined;
          void this.show(event.goalId === this.selected ? this.selected : undefined);
        }, 150);
      });
    }
  }

  #row(goal) {
    return h(
      'tr',
      { 'data-goal': goal.id, 'aria-selected': goal.id === this.selected ? 'true' : 'false' },
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void this.#open(goal.id) }, goal.title)),
      h('td', {}, h('span', { class: `state state-${goal.status}` }, goal.status)),
      h('td', {}, String(goal.priority)),
      h('td', {}, `${goal.replans}/${goal.replan_budget}`),
      h('td', {}, timeOf(goal.updated_at)),
    );
  }

  async #open(id) {
    this.selected = id;
    let detail;
    try {
      detail = await api.get(goalPath(id));
    } catch (error) {
      this.detail.hidden = true;
      return showError(error);
    }
    const { goal } = detail;
    const plans = await Promise.all(detail.plans.map((p) => (p.id === detail.plan?.id ? detail.plan : api.get(`/plans/${encodeURIComponent(p.id)}`))));
    const action = (verb, label, danger = false) =>
      h('button', { type: 'button', id: `goal-${verb}`, class: danger ? 'danger' : undefined, onclick: () => void this.#act(id, verb) }, label);
    const open = !ENDED.includes(goal.status);
    this.detail.replaceChildren(
      h('header', {}, h('h3', {}, goal.title), h('span', { id: 'goal-status', class: `state state-${goal.status}` }, goal.status)),
      goal.description ? h('p', {}, goal.description) : null,
      h('p', { class: 'muted' }, `Priority ${goal.priority}; ${goal.replans} of ${goal.replan_budget} replans used.`),
      open
        ? h(
            'div',
            { class: 'actions' },
            detail.plan?.status === 'draft' && goal.status === 'active' ? action('run', 'Run plan') : null,
            detail.plan && ['failed', 'succeeded'].includes(detail.plan.status) ? action('replan', 'Replan') : null,
            action('complete', 'Complete'),
            action('cancel', 'Cancel', true),
            action('abandon', 'Abandon', true),
          )
        : null,
      h(
        'div',
        { class: 'goal-board', role: 'list', 'aria-label': 'Plans' },
        ...plans.map((plan) => this.#column(plan, plan.id === detail.plan?.id ? detail.executions : undefined)),
      ),
      h('h4', {}, 'Executions'),
      // Sub-agents are drawn on their swarm step; the table lists the rest.
      this.#table(
        ['What', 'Attempt', 'Status', 'Started', 'Result'],
        detail.executions
          .filter((e) => e.kind !== 'subagent')
          .map((e) => [`${e.kind} ${e.target}`, e.attempt, e.status, timeOf(e.started_at), clip(e.error ?? e.output)]),
      ),
      h('h4', {}, 'Policy'),
      this.#table(
        ['Action', 'Decision', 'By', 'Reason'],
        detail.policy.map((d) => [d.action, d.decision, d.decided_by, d.reason ?? '']),
      ),
      h('h4', {}, 'Checks'),
      detail.verifications.length
        ? h(
            'ul',
            { id: 'goal-checks', class: 'checks' },
            ...detail.verifications.map((v) =>
              h(
                'li',
                {},
                h('span', { class: `state state-${v.passed ? 'succeeded' : 'failed'}` }, v.passed ? 'passed' : 'failed'),
                ` ${v.method}: ${v.summary}`,
                h('pre', { class: 'evidence' }, v.evidence),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'Not checked yet.'),
      detail.incidents.length ? h('h4', {}, 'Incidents') : null,
      detail.incidents.length
        ? h('ul', { id: 'goal-incidents' }, ...detail.incidents.map((i) => h('li', {}, `${timeOf(i.at)} ${i.severity} ${i.kind}: ${i.message}`)))
        : null,
    );
    this.detail.hidden = false;
    for (const row of this.rows.querySelectorAll('tr')) row.setAttribute('aria-selected', String(row.getAttribute('data-goal') === id));
  }

  /** A plan as a board column: its version, status and check, then a card per step. */
  #column(plan, executions) {
    return h(
      'section',
      { class: 'goal-column', role: 'listitem', 'data-plan': plan.id, 'aria-label': `Plan ${plan.version}` },
      h('header', {}, h('strong', {}, `Plan ${plan.version}`), h('span', { class: `state state-${plan.status}` }, plan.status)),
      plan.reason ? h('p', { class: 'muted' }, plan.reason) : null,
      h(
        'p',
        { class: 'muted' },
        plan.verify ? `Check: ${plan.verify.tool}${plan.verify.expect ? ` says "${plan.verify.expect}"` : ''}` : 'Check: every step succeeds',
      ),
      ...plan.steps.map((step) =>
        h(
          'div',
          { class: `goal-step step-${step.status}`, 'data-step': step.id },
          h('div', {}, h('span', { class: `state state-${step.status}` }, step.status), ` ${step.position}. ${step.title}`),
          h('div', { class: 'muted mono' }, step.kind === 'tool' ? step.spec.tool : step.kind),
          step.kind === 'swarm' && executions ? subAgentsView(step, executions) : null,
          step.error ? h('div', { class: 'error' }, clip(step.error)) : step.output ? h('div', { class: 'muted' }, clip(step.output)) : null,
        ),
      ),
    );
  }

  #table(columns, rows) {
    if (rows.length === 0) return h('p', { class: 'muted' }, 'None yet.');
    return h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, String(c)))))),
    );
  }

  async #act(id, verb) {
    try {
      if (verb === 'replan') await api.post(goalPath(id, '/replan'), { reason: 'replanned from the Goals page' });
      else await api.post(goalPath(id, `/${verb}`));
      await this.show(id);
    } catch (error) {
      showError(error);
    }
  }
}
