// The reflexes page: each reflex compiled from recurring requests, with its state, counters
// (hits, misses, rejections, suspensions, model calls avoided), why it is suspended, the
// phrasings it answers, and suspend / resume / delete (owner only); then the shadow workers.
// The page builds its own section (the shell in index.html holds only the nav entry).
import { api } from './api.js';
import { byId, confirmAction, h, showError } from './dom.js';

const ACTIONS = { serving: [['suspend', 'Suspend']], suspended: [['resume', 'Resume']] };

export class ReflexesPage {
  constructor() {
    this.list = h('div', { id: 'reflex-list', class: 'patch-list' });
    this.shadow = h('p', { id: 'shadow-stats', class: 'muted' });
    this.empty = h(
      'p',
      { id: 'no-reflexes', class: 'muted', hidden: true },
      'No reflexes yet: a request that recurs (the same intent, any wording) is compiled into one.',
    );
    this.totals = h('p', { id: 'reflex-totals', class: 'muted' });
    const refresh = h('button', { type: 'button', id: 'refresh-reflexes', onclick: () => void this.show() }, 'Refresh');
    byId('pages').append(
      h(
        'section',
        { id: 'page-reflexes', class: 'page', 'aria-labelledby': 'reflexes-title', hidden: true },
        h('div', { class: 'page-head' }, h('h2', { id: 'reflexes-title' }, 'Reflexes'), refresh),
        h(
          'p',
          { class: 'muted' },
          "Answers compiled from recurring requests: they reply in milliseconds, without the model. A rejected answer, a tool's new version or a disagreement with the model suspends one.",
        ),
        this.totals,
        this.list,
        this.empty,
        h('h3', {}, 'Shadow workers'),
        this.shadow,
      ),
    );
  }

  async show() {
    try {
      const { enabled, reflexes, counters, shadow } = await api.get('/reflexes');
      this.list.replaceChildren(...reflexes.map((r) => this.#item(r)));
      this.empty.hidden = reflexes.length > 0;
      this.empty.textContent = enabled ? this.empty.textContent : 'Reflexes are off in this kernel.';
      this.totals.textContent = counters
        ? `Model calls avoided: ${counters.modelCallsAvoided} (shadow cache: ${counters.shadowHits}); checked against the model: ${counters.checks}, disagreements: ${counters.disagreements}.`
        : '';
      this.shadow.textContent = shadow
        ? `Model requests spent (${shadow.model} model): ${shadow.requestsSpent}, saved: ${shadow.requestsSaved}. Predicted ${shadow.predictions} next requests, precomputed ${shadow.precomputed}, abandoned ${shadow.abandoned} (they needed a tool with side effects), served ${shadow.hits} from the cache, ${shadow.overBudget} over the hourly budget.`
        : 'Shadow workers are off (they run on a configured background model, or on the main model within shadow.mainModelBudgetPerHour).';
    } catch (error) {
      showError(error);
    }
  }

  #item(r) {
    const headingId = `reflex-${r.name}`;
    const buttons = [...(ACTIONS[r.state] ?? []), ['delete', 'Delete']].map(([verb, label]) =>
      h('button', { type: 'button', class: verb === 'resume' ? '' : 'danger', onclick: (event) => void this.#act(r, verb, event.currentTarget) }, label),
    );
    return h(
      'article',
      { class: 'patch reflex', 'aria-labelledby': headingId, 'data-reflex': r.name },
      h(
        'header',
        {},
        h('h3', { id: headingId }, `${r.name}@${r.version ?? '-'}`),
        h('span', { class: `state state-${r.state}`, 'aria-label': 'State' }, r.state.replace('_', ' ')),
      ),
      h('p', {}, r.description),
      r.reason ? h('p', { class: r.state === 'discarded' || r.state === 'suspended' ? 'error' : 'muted' }, r.reason) : null,
      h(
        'dl',
        { class: 'reflex-counters' },
        ...[
          ['Hits', r.hits],
          ['Misses', r.misses],
          ['Rejections', r.rejections],
          ['Suspensions', r.suspensions],
          ['Model calls avoided', r.modelCallsAvoided],
        ].flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, String(value))]),
      ),
      h('p', { class: 'muted' }, `Tools: ${r.tools.join(', ') || 'none'}. Compiled from ${r.provenance.length} turns.`),
      h('div', { class: 'actions' }, buttons),
    );
  }

  async #act(r, verb, button) {
    if (verb === 'delete' && !(await confirmAction(`Delete the reflex ${r.name}? Its requests go to the model again.`, 'Delete'))) return;
    for (const other of button.parentElement.querySelectorAll('button')) other.disabled = true;
    try {
      await api.post(`/reflexes/${encodeURIComponent(r.name)}/${verb}`, verb === 'suspend' ? { why: 'suspended from the web UI' } : {});
    } catch (error) {
      showError(error);
    }
    await this.show();
  }
}
