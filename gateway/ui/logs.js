// The logs page: the kernel log's last lines, then new ones as they are written (Server-Sent
// Events), filtered by level, words and source; Pause holds the view while reading. Lines hold
// what the log holds: never the words of messages or answers (they are redacted at the source).
import { streamUrl } from './api.js';
import { byId, h, showError } from './dom.js';

const LEVELS = ['debug', 'info', 'warn', 'error'];
const MAX_LINES = 1000;

export class LogsPage {
  constructor() {
    /** @type {EventSource | undefined} */
    this.source = undefined;
    this.paused = false;
    this.level = h(
      'select',
      { id: 'log-level', onchange: () => this.#follow() },
      ...LEVELS.map((level) => h('option', { value: level, selected: level === 'info' }, level)),
    );
    this.text = h('input', { id: 'log-text', type: 'search', placeholder: 'words in the line', oninput: () => this.#debounced() });
    this.sourceFilter = h('input', { id: 'log-source', type: 'search', placeholder: 'component, event, channel', oninput: () => this.#debounced() });
    this.pause = h('button', { type: 'button', id: 'log-pause', 'aria-pressed': 'false', onclick: () => this.#togglePause() }, 'Pause');
    this.lines = h('tbody', { id: 'log-lines' });
    this.empty = h('p', { id: 'no-logs', class: 'muted', hidden: true }, 'No lines match.');
    this.state = h('p', { id: 'log-state', class: 'muted', role: 'status' });
    byId('pages').append(
      h(
        'section',
        { id: 'page-logs', class: 'page', 'aria-labelledby': 'logs-title', hidden: true },
        h('div', { class: 'page-head' }, h('h2', { id: 'logs-title' }, 'Logs'), this.pause),
        h(
          'form',
          { class: 'filters', 'aria-label': 'Filter the log', onsubmit: (event) => event.preventDefault() },
          h('label', { for: 'log-level' }, 'Level and above'),
          this.level,
          h('label', { for: 'log-text' }, 'Words'),
          this.text,
          h('label', { for: 'log-source' }, 'Source'),
          this.sourceFilter,
        ),
        this.state,
        h(
          'table',
          { class: 'log-table', 'aria-label': 'Log lines' },
          h('thead', {}, h('tr', {}, ...['Time', 'Level', 'Source', 'Message'].map((title) => h('th', { scope: 'col' }, title)))),
          this.lines,
        ),
        this.empty,
      ),
    );
  }

  show() {
    this.#follow();
  }

  hide() {
    this.source?.close();
    this.source = undefined;
  }

  #debounced() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#follow(), 250);
  }

  #togglePause() {
    this.paused = !this.paused;
    this.pause.textContent = this.paused ? 'Resume' : 'Pause';
    this.pause.setAttribute('aria-pressed', String(this.paused));
    if (!this.paused) this.#follow();
    else this.hide();
  }

  /** (Re)opens the live stream with the filters: the gateway sends the recent matching lines first. */
  #follow() {
    this.hide();
    if (this.paused) return;
    this.lines.replaceChildren();
    this.empty.hidden = false;
    const query = new URLSearchParams({ level: this.level.value, text: this.text.value.trim(), source: this.sourceFilter.value.trim() });
    const source = new EventSource(`${streamUrl('/logs/events')}&${query}`);
    this.source = source;
    const words = this.text.value.trim();
    const from = this.sourceFilter.value.trim();
    this.state.textContent = `Following the log live: ${this.level.value} and above${words ? `, with “${words}”` : ''}${from ? `, from ${from}` : ''}.`;
    source.addEventListener('log', (event) => this.#add(JSON.parse(event.data)));
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return;
      this.state.textContent = 'The live log stopped.';
      showError(new Error('the log stream was refused (the Logs page is the owner\u2019s)'));
    };
  }

  #add(line) {
    this.empty.hidden = true;
    this.lines.append(
      h(
        'tr',
        { class: `log-${line.level}`, 'data-seq': String(line.seq), title: line.raw },
        h('td', {}, new Date(line.time).toLocaleTimeString()),
        h('td', {}, line.level),
        h('td', {}, line.source ?? ''),
        h('td', {}, line.msg),
      ),
    );
    while (this.lines.children.length > MAX_LINES) this.lines.firstElementChild?.remove();
  }
}
