// The routines page: every routine with its trigger, next and last run, run now, pause / resume,
// remove, and its history (when each run was due, when it started and ended, its outcome and what
// it said); and the add form, whose cron expression is checked as it is typed (the next runs, or
// why it is not one). The page builds its own section (the shell in index.html holds only the nav entry).
import { api } from './api.js';
import { byId, confirmAction, h, showError } from './dom.js';

const when = (ms) => (ms === null || ms === undefined ? '-' : new Date(Number(ms)).toLocaleString());
const routinePath = (name, rest = '') => `/routines/${encodeURIComponent(name)}${rest}`;

function triggerText(r) {
  const t = r.trigger;
  if (t.kind === 'cron') return `cron "${t.cron}" (${r.timezone})`;
  if (t.kind === 'message') return `a message matching /${t.pattern}/${t.channel ? ` on ${t.channel}` : ''}`;
  if (t.kind === 'webhook') return `webhook POST ${t.path}`;
  return 'by hand';
}

function actionText(r) {
  const a = r.action;
  if (a.kind === 'prompt') return `prompt: ${a.prompt}`;
  if (a.kind === 'tool') return `tool ${a.tool} ${JSON.stringify(a.args)}`;
  return `job: ${a.job.command}`;
}

/** A labelled form field (the label names the input by its id, so a select is named by its label alone). */
const field = (label, input) => h('div', { class: 'routine-field' }, h('label', { for: input.id }, label), input);

export class RoutinesPage {
  constructor() {
    /** @type {Record<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>} */
    this.inputs = {
      name: /** @type {HTMLInputElement} */ (
        h('input', { id: 'routine-name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}', placeholder: 'morning-tests' })
      ),
      trigger: /** @type {HTMLSelectElement} */ (
        h(
          'select',
          { id: 'routine-trigger', onchange: () => this.#showFields() },
          ...[
            ['cron', 'On a schedule (cron)'],
            ['message', 'On a message'],
            ['webhook', 'On a webhook call'],
            ['manual', 'By hand only'],
          ].map(([value, label]) => h('option', { value }, label)),
        )
      ),
      cron: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-cron', placeholder: '0 7 * * *', oninput: () => this.#checkCron() })),
      timezone: /** @type {HTMLInputElement} */ (
        h('input', { id: 'routine-timezone', value: Intl.DateTimeFormat().resolvedOptions().timeZone, oninput: () => this.#checkCron() })
      ),
      onMessage: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-pattern', placeholder: 'deploy (now|today)' })),
      action: /** @type {HTMLSelectElement} */ (
        h(
          'select',
          { id: 'routine-action', onchange: () => this.#showFields() },
          ...[
            ['prompt', 'Ask the agent'],
            ['tool', 'Call a tool'],
            ['job', 'Run a job in the sandbox'],
          ].map(([value, label]) => h('option', { value }, label)),
        )
      ),
      prompt: /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'routine-prompt', rows: 2, placeholder: "Run the repo's tests and tell me what fails" })),
      tool: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-tool', placeholder: 'clock' })),
      args: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-args', placeholder: '{}' })),
      job: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-job', placeholder: 'npm test' })),
      deliverTo: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-deliver', placeholder: 'telegram (optional)' })),
      quietHours: /** @type {HTMLInputElement} */ (h('input', { id: 'routine-quiet', placeholder: '22:00-07:00 (optional)' })),
      missed: /** @type {HTMLSelectElement} */ (
        h('select', { id: 'routine-missed' }, h('option', { value: 'skip' }, 'skip'), h('option', { value: 'run_once' }, 'run once'))
      ),
      concurrency: /** @type {HTMLSelectElement} */ (
        h('select', { id: 'routine-concurrency' }, ...['skip', 'queue', 'allow'].map((value) => h('option', { value }, value)))
      ),
    };
    this.cronCheck = h('p', { id: 'routine-cron-check', class: 'muted', 'aria-live': 'polite' });
    this.secret = h('p', { id: 'routine-secret', class: 'notice', hidden: true });
    this.list = h('div', { id: 'routine-list', class: 'patch-list' });
    this.empty = h('p', { id: 'no-routines', class: 'muted', hidden: true }, 'No routines yet: add one below, or ask the agent ("every morning at 7 ...").');
    const i = this.inputs;
    this.groups = {
      cron: h('div', { class: 'routine-group' }, field('Cron', i.cron), field('Time zone', i.timezone), this.cronCheck),
      message: h('div', { class: 'routine-group' }, field('Pattern (regular expression)', i.onMessage)),
      prompt: h('div', { class: 'routine-group' }, field('Prompt', i.prompt)),
      tool: h('div', { class: 'routine-group' }, field('Tool', i.tool), field('Arguments (JSON)', i.args)),
      job: h('div', { class: 'routine-group' }, field('Command', i.job)),
    };
    const form = h(
      'form',
      { id: 'routine-form', class: 'routine-form', 'aria-label': 'Add a routine', onsubmit: (event) => void this.#add(event) },
      h('h3', {}, 'Add a routine'),
      field('Name', i.name),
      field('Runs', i.trigger),
      this.groups.cron,
      this.groups.message,
      field('Does', i.action),
      this.groups.prompt,
      this.groups.tool,
      this.groups.job,
      field('Send the answer to', i.deliverTo),
      field('Quiet hours', i.quietHours),
      field('Missed while Titan was down', i.missed),
      field('If the last run still runs', i.concurrency),
      h('button', { type: 'submit', id: 'routine-add' }, 'Add'),
      this.secret,
    );
    byId('pages').append(
      h(
        'section',
        { id: 'page-routines', class: 'page', 'aria-labelledby': 'routines-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'routines-title' }, 'Routines'),
          h('button', { type: 'button', id: 'refresh-routines', onclick: () => void this.show() }, 'Refresh'),
        ),
        h('p', { class: 'muted' }, 'Work the agent does on its own: on a schedule, when a message matches, when a webhook is called, or by hand.'),
        this.list,
        this.empty,
        form,
      ),
    );
    this.#showFields();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.cronTimer = undefined;
  }

  #showFields() {
    const trigger = this.inputs.trigger.value;
    const action = this.inputs.action.value;
    this.groups.cron.hidden = trigger !== 'cron';
    this.groups.message.hidden = trigger !== 'message';
    for (const kind of ['prompt', 'tool', 'job']) this.groups[kind].hidden = action !== kind;
  }

  /** Checks the expression with the kernel (croner, in the time zone) a moment after typing stops. */
  #checkCron() {
    clearTimeout(this.cronTimer);
    this.cronTimer = setTimeout(async () => {
      const cron = this.inputs.cron.value.trim();
      if (!cron) return void (this.cronCheck.textContent = '');
      try {
        const check = await api.post('/routines/cron-check', { cron, timezone: this.inputs.timezone.value.trim() || undefined });
        this.cronCheck.className = check.valid ? 'muted' : 'error';
        this.cronCheck.textContent = check.valid
          ? `Next runs: ${check.next.map((iso) => new Date(iso).toLocaleString()).join(', ')}`
          : `${check.error.code}: ${check.error.message}`;
      } catch (error) {
        showError(error);
      }
    }, 250);
  }

  async show() {
    try {
      const { routines } = await api.get('/routines');
      this.list.replaceChildren(...routines.map((r) => this.#item(r)));
      this.empty.hidden = routines.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  #item(r) {
    const headingId = `routine-${r.name}`;
    const history = h('div', { class: 'routine-history', hidden: true });
    const button = (label, onclick, danger = false) => h('button', { type: 'button', class: danger ? 'danger' : '', onclick }, label);
    return h(
      'article',
      { class: 'patch routine', 'aria-labelledby': headingId, 'data-routine': r.name },
      h(
        'header',
        {},
        h('h3', { id: headingId }, r.name),
        h(
          'span',
          { class: `state state-${r.enabled ? 'serving' : 'suspended'}`, 'aria-label': 'State' },
          r.enabled ? (r.running ? 'running' : 'on') : 'paused',
        ),
      ),
      h('p', {}, `${triggerText(r)} → ${actionText(r)}${r.deliverTo ? ` → ${r.deliverTo}` : ''}`),
      h('p', { class: 'muted routine-times' }, `Next run: ${when(r.nextRunAt)}. Last run: ${when(r.lastRunAt)}.`),
      h(
        'div',
        { class: 'actions' },
        button('Run now', () => void this.#run(r)),
        button(r.enabled ? 'Pause' : 'Resume', () => void this.#post(r, r.enabled ? 'pause' : 'resume')),
        button('History', () => void this.#history(r, history)),
        button('Remove', () => void this.#remove(r), true),
      ),
      history,
    );
  }

  async #history(r, box) {
    if (!box.hidden) return void (box.hidden = true);
    try {
      const { runs } = await api.get(`${routinePath(r.name)}?limit=50`);
      const row = (run) =>
        h(
          'tr',
          { 'data-outcome': run.outcome },
          h('td', {}, when(run.scheduledAt)),
          h('td', {}, run.trigger),
          h('td', {}, when(run.startedAt)),
          h('td', {}, run.finishedAt !== null && run.startedAt !== null ? `${run.finishedAt - run.startedAt} ms` : '-'),
          h('td', {}, h('span', { class: `state state-${run.outcome}` }, run.outcome)),
          h('td', { class: 'routine-said' }, (run.error ?? run.output ?? '').slice(0, 500)),
        );
      box.replaceChildren(
        runs.length
          ? h(
              'table',
              {},
              h('thead', {}, h('tr', {}, ...['Due', 'Trigger', 'Started', 'Took', 'Outcome', 'Output or error'].map((c) => h('th', { scope: 'col' }, c)))),
              h('tbody', {}, ...runs.map(row)),
            )
          : h('p', { class: 'muted' }, 'No runs yet.'),
      );
      box.hidden = false;
    } catch (error) {
      showError(error);
    }
  }

  async #run(r) {
    try {
      await api.post(routinePath(r.name, '/run'), {});
    } catch (error) {
      showError(error);
    }
    await this.show();
  }

  async #post(r, verb) {
    try {
      await api.post(routinePath(r.name, `/${verb}`), {});
    } catch (error) {
      showError(error);
    }
    await this.show();
  }

  async #remove(r) {
    if (!(await confirmAction(`Remove the routine ${r.name} and its history?`, 'Remove'))) return;
    try {
      await api.delete(routinePath(r.name));
    } catch (error) {
      showError(error);
    }
    await this.show();
  }

  async #add(event) {
    event.preventDefault();
    const i = this.inputs;
    const text = (input) => input.value.trim() || undefined;
    /** @type {Record<string, unknown>} */
    const routine = { name: i.name.value.trim(), missed: i.missed.value, concurrency: i.concurrency.value };
    const trigger = i.trigger.value;
    if (trigger === 'cron') Object.assign(routine, { cron: i.cron.value.trim(), timezone: text(i.timezone) });
    if (trigger === 'message') routine.onMessage = i.onMessage.value;
    if (trigger === 'webhook') routine.webhook = true;
    const action = i.action.value;
    try {
      if (action === 'prompt') routine.prompt = i.prompt.value;
      if (action === 'tool') Object.assign(routine, { tool: i.tool.value.trim(), args: JSON.parse(i.args.value.trim() || '{}') });
      if (action === 'job') routine.job = { command: i.job.value };
      if (text(i.deliverTo)) routine.deliverTo = text(i.deliverTo);
      if (text(i.quietHours)) routine.quietHours = text(i.quietHours);
      const added = await api.post('/routines', routine);
      this.secret.hidden = !added.secret;
      this.secret.textContent = added.secret
        ? `Call POST ${added.routine.trigger.path} with the header x-titan-routine-secret: ${added.secret} (shown only now).`
        : '';
      i.name.value = '';
    } catch (error) {
      showError(error instanceof SyntaxError ? new Error(`the arguments are not JSON: ${error.message}`) : error);
    }
    await this.show();
  }
}
