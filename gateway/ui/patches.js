// The kernel's patch queue: each patch with its state, its history (who, why, when) and the
// steps its state allows. Only the owner's token may take a step; the gateway says so otherwise.
import { api } from './api.js';
import { byId, h, showError } from './dom.js';

/** What a patch in each state may do next (kernel/patches.ts), as [step, button label]. */
const STEPS = {
  proposed: [
    ['approve', 'Approve'],
    ['reject', 'Reject'],
  ],
  approved: [
    ['deploy', 'Deploy'],
    ['reject', 'Reject'],
  ],
  failed: [
    ['approve', 'Approve again'],
    ['reject', 'Reject'],
  ],
  deployed: [['rollback', 'Roll back']],
  rejected: [],
  rolled_back: [],
};

const stateLabel = (state) => state.replace('_', ' ');

export class PatchesPage {
  constructor() {
    byId('refresh-patches').addEventListener('click', () => void this.show());
  }

  async show() {
    try {
      const { patches } = await api.get('/patches');
      byId('patch-list').replaceChildren(...[...patches].reverse().map((patch) => this.#item(patch)));
      byId('no-patches').hidden = patches.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  #item(patch) {
    const title = `${patch.slot} ${patch.fromVersion ?? '(none)'} → ${patch.toVersion}`;
    const headingId = `patch-${patch.id}`;
    const buttons = (STEPS[patch.state] ?? []).map(([step, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: step === 'reject' || step === 'rollback' ? 'danger' : '',
          onclick: (event) => void this.#step(patch, step, event.currentTarget),
        },
        label,
      ),
    );
    return h(
      'article',
      { class: 'patch', 'aria-labelledby': headingId, 'data-patch-id': patch.id },
      h('header', {}, h('h3', { id: headingId }, title), h('span', { class: `state state-${patch.state}`, 'aria-label': 'State' }, stateLabel(patch.state))),
      patch.error ? h('p', { class: 'error' }, patch.error) : null,
      h(
        'ol',
        { class: 'history', 'aria-label': 'History' },
        patch.history.map((step) =>
          h(
            'li',
            {},
            h('strong', {}, stateLabel(step.state)),
            ` by ${step.by} — ${step.why} `,
            h('time', { datetime: step.at }, new Date(step.at).toLocaleString()),
          ),
        ),
      ),
      buttons.length ? h('div', { class: 'actions' }, buttons) : null,
    );
  }

  async #step(patch, step, button) {
    for (const other of button.parentElement.querySelectorAll('button')) other.disabled = true;
    try {
      await api.post(`/patches/${encodeURIComponent(patch.id)}/${step}`, { why: `${step} from the web UI` });
    } catch (error) {
      showError(error);
    }
    await this.show();
  }
}
