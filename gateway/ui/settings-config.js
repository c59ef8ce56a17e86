// The Settings page's configuration: config.json as written, edited as JSON and saved only when the
// whole file loads as `titan start` would load it (the gateway checks it; every problem is listed
// and nothing is written otherwise). What is in effect, with TITAN_* variables over the file, is
// shown beside it. A saved edit takes effect at the next start.
import { api } from './api.js';
import { h, pretty, showError } from './dom.js';

export class ConfigPanel {
  constructor() {
    this.path = h('code', { id: 'config-path' });
    this.text = h('textarea', { id: 'config-text', rows: 16, spellcheck: 'false', 'aria-describedby': 'config-help' });
    this.problems = h('ul', { id: 'config-problems', class: 'problems', role: 'alert', hidden: true });
    this.status = h('p', { id: 'config-status', role: 'status', class: 'muted' });
    this.effective = h('pre', { id: 'config-effective' });
    this.element = h(
      'div',
      { id: 'config-panel' },
      h('h3', { id: 'config-title' }, 'Configuration'),
      h(
        'p',
        { id: 'config-help', class: 'muted' },
        'The file ',
        this.path,
        ' as written. It is saved only if it loads whole; changes take effect at the next start.',
      ),
      h(
        'form',
        { 'aria-label': 'Configuration file', onsubmit: (event) => void this.#save(event) },
        h('label', { for: 'config-text' }, 'config.json'),
        this.text,
        this.problems,
        h('button', { type: 'submit', id: 'config-save' }, 'Save'),
      ),
      this.status,
      h('details', {}, h('summary', {}, 'In effect now (defaults, the file and TITAN_* variables)'), this.effective),
    );
  }

  async show() {
    try {
      const { editable, path, file, effective, warnings } = await api.get('/config');
      this.element.hidden = !editable;
      if (!editable) return;
      this.path.textContent = path;
      this.text.value = pretty(file);
      this.effective.textContent = pretty(effective);
      this.#problems([]);
      this.status.textContent = warnings.length ? `Warnings: ${warnings.join('; ')}` : '';
    } catch (error) {
      showError(error);
    }
  }

  #problems(list) {
    this.problems.replaceChildren(...list.map((problem) => h('li', {}, problem)));
    this.problems.hidden = list.length === 0;
    this.text.setAttribute('aria-invalid', String(list.length > 0));
  }

  async #save(event) {
    event.preventDefault();
    let file;
    try {
      file = JSON.parse(this.text.value);
    } catch (error) {
      return this.#problems([`not valid JSON: ${/** @type {Error} */ (error).message}`]);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) return this.#problems(['the file must hold one JSON object']);
    try {
      const { warnings } = await api.put('/config', { file });
      this.#problems([]);
      this.status.textContent = `Saved. Takes effect at the next start.${warnings.length ? ` Warnings: ${warnings.join('; ')}` : ''}`;
    } catch (error) {
      const problems = /** @type {{ problems?: unknown }} */ (error).problems;
      if (Array.isArray(problems)) return this.#problems(problems);
      showError(error);
    }
  }
}
