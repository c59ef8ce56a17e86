// The kernel's patch queue: each patch with its state, its verification (recorded calls replayed on
// old and new: mismatches with diffs, p50/p99 old against new), its canary after deploy, its
// history (who, why, when) and the steps its state allows. Approving a patch that failed
// verification asks for the reason, kept on it as the override. Only the owner's token may take a step.
// Below the patches, the monitor's proposals from telemetry with their reasons, refusals included.
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
      const { proposals } = await api.get('/proposals');
      byId('proposal-list').replaceChildren(...[...proposals].reverse().map(proposal));
      byId('no-proposals').hidden = proposals.length > 0;
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
      verification(patch),
      canary(patch),
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
    const failed = step === 'approve' && patch.state === 'proposed' && patch.verification && !patch.verification.passed;
    const override = failed ? window.prompt('This patch failed verification. Why approve it anyway?')?.trim() : undefined;
    if (failed && !override) return;
    for (const other of button.parentElement.querySelectorAll('button')) other.disabled = true;
    try {
      await api.post(`/patches/${encodeURIComponent(patch.id)}/${step}`, { why: `${step} from the web UI`, ...(override ? { override } : {}) });
    } catch (error) {
      showError(error);
    }
    await this.show();
  }
}

const ms = (value) => `${value} ms`;

/** One proposal of the monitor: the slot, the change, the telemetry behind it and its outcome. */
function proposal(p) {
  const v = p.verification;
  return h(
    'li',
    { class: `proposal proposal-${p.state}`, 'data-proposal-id': p.id },
    h('strong', {}, `${p.slot} ${p.strategy}: ${p.fromVersion} → ${p.toVersion ?? '(not built)'}`),
    ` ${p.state}`,
    h('p', {}, `Why: ${p.reason}`),
    v?.replayed ? h('p', {}, `Verified on ${v.replayed} recorded calls: p50 ${ms(v.old.p50)} → ${ms(v.new.p50)}`) : null,
    p.error ? h('p', { class: 'error' }, `Refused: ${p.error}`) : null,
  );
}

/** The replay report: what was compared, what differed and how fast each side was. */
function verification(patch) {
  const report = patch.verification;
  if (!report) return null;
  const verdict = report.passed ? 'passed' : 'failed';
  return h(
    'section',
    { class: `verification verification-${verdict}`, 'aria-label': 'Verification' },
    h('h4', {}, `Verification ${verdict}: ${report.matched} of ${report.replayed} replayed calls matched`),
    report.replayed > 0 ? h('p', {}, `p50 ${ms(report.old.p50)} → ${ms(report.new.p50)}, p99 ${ms(report.old.p99)} → ${ms(report.new.p99)} (old → new)`) : null,
    report.note ? h('p', {}, report.note) : null,
    ...report.reasons.map((reason) => h('p', { class: 'error' }, reason)),
    patch.override ? h('p', {}, `Approved over it: ${patch.override}`) : null,
    report.mismatches.length
      ? h(
          'ul',
          { 'aria-label': 'Mismatches' },
          report.mismatches.map((m) => h('li', {}, h('code', {}, m.input), ` ${m.diff}`)),
        )
      : null,
  );
}

/** How the new version fared on live calls after deploy, and why it was rolled back if it was. */
function canary(patch) {
  const report = patch.canary;
  if (!report) return null;
  const share = Math.round(report.share * 100);
  return h(
    'section',
    { class: `canary canary-${report.stage}`, 'aria-label': 'Canary' },
    h('h4', {}, `Canary ${report.stage.replace('_', ' ')}: ${report.calls} calls at ${share}% first, ${report.errors} failed`),
    h(
      'p',
      {},
      `p50 ${ms(report.p50)}, p99 ${ms(report.p99)} (old version: ${ms(report.baseline.p99)} p99, ${report.baseline.errors} of ${report.baseline.calls} failed)`,
    ),
    report.reason ? h('p', { class: 'error' }, `Rolled back: ${report.reason}`) : null,
  );
}
