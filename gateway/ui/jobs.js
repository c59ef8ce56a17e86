// The jobs page: submit a shell command to the Docker sandbox, the caller's jobs with their state,
// and one job at a time in detail - its limits, why it ended as it did, its log live while it runs
// (the gateway replays it from the start, then streams), cancel, and its files as a .tar download.
// Swarms show as groups: each swarm's parts (their jobs, states, merge or conflicting files) and its answer.
// The page builds its own section (the shell in index.html holds only the nav entry).
import { api, streamUrl } from './api.js';
import { byId, h, showError, timeOf } from './dom.js';

const ENDED = ['succeeded', 'failed', 'cancelled', 'timed_out'];
const jobPath = (id, rest = '') => `/jobs/${encodeURIComponent(id)}${rest}`;

export class JobsPage {
  constructor() {
    /** @type {HTMLTextAreaElement} */
    this.command = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'job-command', rows: 2, required: true, placeholder: 'echo hello; ls -la' }));
    /** @type {HTMLInputElement} */
    this.memory = /** @type {HTMLInputElement} */ (h('input', { id: 'job-memory', type: 'number', min: 8, placeholder: '512' }));
    /** @type {HTMLInputElement} */
    this.timeout = /** @type {HTMLInputElement} */ (h('input', { id: 'job-timeout', type: 'number', min: 1, placeholder: '600' }));
    this.rows = h('tbody', { id: 'job-rows' });
    this.summary = h('p', { id: 'job-summary', class: 'muted' });
    this.detail = h('article', { id: 'job-detail', class: 'patch', hidden: true, 'aria-live': 'polite' });
    this.swarms = h('div', { id: 'swarm-list' });
    /** @type {HTMLTextAreaElement} */
    this.swarmTask = /** @type {HTMLTextAreaElement} */ (
      h('textarea', { id: 'swarm-task', rows: 2, required: true, placeholder: 'add tests for the parser and the printer' })
    );
    /** @type {HTMLInputElement} */
    this.swarmWorkspace = /** @type {HTMLInputElement} */ (h('input', { id: 'swarm-workspace', required: true, placeholder: '/home/me/src/app' }));
    /** @type {HTMLInputElement} */
    this.swarmParts = /** @type {HTMLInputElement} */ (h('input', { id: 'swarm-parts', type: 'number', min: 1, max: 8, placeholder: '3' }));
    const swarmForm = h(
      'form',
      { id: 'swarm-form', class: 'job-form', 'aria-label': 'Start a swarm', onsubmit: (event) => void this.#startSwarm(event) },
      h('label', { for: 'swarm-task' }, 'Task (the model splits it into parts that run at once, each on a git branch)'),
      this.swarmTask,
      h(
        'div',
        { class: 'job-limits' },
        h('label', { for: 'swarm-workspace' }, 'Git repository (absolute path)'),
        this.swarmWorkspace,
        h('label', { for: 'swarm-parts' }, 'Parts at most'),
        this.swarmParts,
      ),
      h('button', { type: 'submit', id: 'swarm-submit' }, 'Start swarm'),
    );
    /** @type {EventSource | undefined} */
    this.source = undefined;
    this.selected = undefined;
    const form = h(
      'form',
      { id: 'job-form', class: 'job-form', 'aria-label': 'Submit a job', onsubmit: (event) => void this.#submit(event) },
      h('label', { for: 'job-command' }, 'Command (runs in a container: no network, /workspace writable)'),
      this.command,
      h(
        'div',
        { class: 'job-limits' },
        h('label', { for: 'job-memory' }, 'Memory (MB)'),
        this.memory,
        h('label', { for: 'job-timeout' }, 'Time limit (s)'),
        this.timeout,
      ),
      h('button', { type: 'submit', id: 'job-submit' }, 'Run'),
    );
    byId('pages').append(
      h(
        'section',
        { id: 'page-jobs', class: 'page', 'aria-labelledby': 'jobs-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'jobs-title' }, 'Jobs'),
          h('button', { type: 'button', id: 'refresh-jobs', onclick: () => void this.show() }, 'Refresh'),
        ),
        this.summary,
        form,
        h(
          'table',
          { 'aria-labelledby': 'jobs-title' },
          h('thead', {}, h('tr', {}, ...['Job', 'Command', 'State', 'Created', 'Took'].map((c) => h('th', { scope: 'col' }, c)))),
          this.rows,
        ),
        this.detail,
        h('section', { id: 'swarms', 'aria-labelledby': 'swarms-title' }, h('h3', { id: 'swarms-title' }, 'Swarms'), swarmForm, this.swarms),
      ),
    );
  }

  async show(id = this.selected) {
    try {
      const { jobs, running, queued, docker } = await api.get('/jobs');
      this.summary.textContent = `${running} running, ${queued} queued.${docker ? '' : ' The Docker engine does not answer: new jobs are refused.'}`;
      this.rows.replaceChildren(...jobs.map((job) => this.#row(job)));
      const { swarms } = await api.get('/swarms');
      this.swarms.replaceChildren(
        ...(swarms.length ? swarms.map((swarm) => this.#swarm(swarm)) : [h('p', { class: 'muted' }, 'No swarms yet: titan swarm run "TASK"')]),
      );
      if (id) await this.#open(id);
    } catch (error) {
      showError(error);
    }
  }

  #row(job) {
    const took = job.startedAt && job.finishedAt ? `${((job.finishedAt - job.startedAt) / 1000).toFixed(1)} s` : '';
    return h(
      'tr',
      { 'data-job': job.id, 'aria-selected': job.id === this.selected ? 'true' : 'false' },
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => void this.#open(job.id) }, job.name ?? job.id)),
      h('td', { class: 'mono' }, job.command.length > 60 ? `${job.command.slice(0, 60)}…` : job.command),
      h('td', {}, h('span', { class: `state state-${job.state}` }, job.state.replace('_', ' '))),
      h('td', {}, timeOf(job.createdAt)),
      h('td', {}, took),
    );
  }

  /** One swarm as a group: its task and state, a row per part (its job, state, merge), why, and the answer. */
  #swarm(swarm) {
    const merge = (part) => (part.conflicts.length ? `conflicts in ${part.conflicts.join(', ')}` : part.merged ? 'merged' : 'not merged');
    return h(
      'article',
      { class: 'patch swarm', 'data-swarm': swarm.id, 'aria-label': `Swarm ${swarm.id}` },
      h(
        'header',
        {},
        h('h4', {}, `${swarm.task.length > 80 ? `${swarm.task.slice(0, 80)}…` : swarm.task} (${swarm.id})`),
        h('span', { class: `state state-${swarm.state}` }, swarm.state),
      ),
      h(
        'ul',
        { class: 'swarm-parts' },
        ...swarm.parts.map((part) =>
          h(
            'li',
            { 'data-part': String(part.part) },
            h(
              'button',
              { type: 'button', class: 'link', disabled: !part.jobId, onclick: () => part.jobId && void this.#open(part.jobId) },
              `Part ${part.part}: ${part.title}`,
            ),
            ` ${part.state.replace('_', ' ')}, ${merge(part)}`,
          ),
        ),
      ),
      swarm.reason ? h('p', { class: 'error' }, swarm.reason) : false,
      swarm.answer ? h('p', { class: 'swarm-answer' }, swarm.answer) : false,
    );
  }

  async #startSwarm(event) {
    event.preventDefault();
    const request = { task: this.swarmTask.value, workspace: this.swarmWorkspace.value };
    if (this.swarmParts.value) request.parts = Number(this.swarmParts.value);
    try {
      await api.post('/swarms', request);
      this.swarmTask.value = '';
      await this.show(null);
    } catch (error) {
      showError(error);
    }
  }

  async #submit(event) {
    event.preventDefault();
    const request = { command: this.command.value };
    if (this.memory.value) request.memoryMb = Number(this.memory.value);
    if (this.timeout.value) request.timeoutS = Number(this.timeout.value);
    try {
      const { job } = await api.post('/jobs', request);
      this.command.value = '';
      await this.show(job.id);
    } catch (error) {
      showError(error);
    }
  }

  /** Shows one job and follows its log until it ends. */
  async #open(id) {
    this.source?.close();
    this.selected = id;
    const { job } = await api.get(jobPath(id));
    const log = h('pre', { id: 'job-log', class: 'job-log', role: 'log', 'aria-label': 'Output' });
    const state = h('span', { id: 'job-state', class: `state state-${job.state}` }, job.state.replace('_', ' '));
    const reason = h('p', { id: 'job-reason', class: 'error', hidden: !job.reason }, job.reason ?? '');
    const answer = h('p', { id: 'job-answer', hidden: !job.answer }, job.answer ?? '');
    const cancel = h(
      'button',
      { type: 'button', id: 'job-cancel', class: 'danger', hidden: ENDED.includes(job.state), onclick: () => void this.#cancel(id) },
      'Cancel',
    );
    const download = h(
      'a',
      { id: 'job-download', href: streamUrl(jobPath(id, '/files/download')), download: `${id}.tar`, hidden: !ENDED.includes(job.state) },
      'Download files (.tar)',
    );
    const { limits } = job;
    this.detail.replaceChildren(
      h('header', {}, h('h3', {}, job.name ? `${job.name} (${job.id})` : job.id), state),
      h('p', { class: 'mono' }, job.command),
      h(
        'p',
        { class: 'muted' },
        `${limits.memoryMb} MB, ${limits.cpus} CPU, ${limits.pids} processes, ${limits.timeoutS} s; workspace ${job.policy}; ${job.network ? 'network' : 'no network'}.`,
      ),
      reason,
      answer,
      log,
      h('div', { class: 'actions' }, cancel, download),
    );
    this.detail.hidden = false;
    for (const row of this.rows.querySelectorAll('tr')) row.setAttribute('aria-selected', String(row.getAttribute('data-job') === id));
    const source = new EventSource(streamUrl(jobPath(id, '/events')));
    this.source = source;
    source.addEventListener('message', (message) => {
      const event = JSON.parse(message.data);
      if (event.type === 'log') log.append(event.text);
      else if (event.type === 'agent' && event.event.type === 'result') {
        answer.textContent = String(event.event.answer);
        answer.hidden = false;
      } else if (event.type === 'state') {
        state.className = `state state-${event.state}`;
        state.textContent = event.state.replace('_', ' ');
        reason.textContent = event.reason ?? '';
        reason.hidden = !event.reason;
        const ended = ENDED.includes(event.state);
        cancel.hidden = ended;
        download.hidden = !ended;
        // The gateway ends the stream with the job; without this EventSource would reconnect and replay.
        if (ended) {
          source.close();
          void this.show(null);
        }
      }
    });
  }

  async #cancel(id) {
    try {
      await api.post(jobPath(id, '/cancel'));
    } catch (error) {
      showError(error);
    }
  }
}
