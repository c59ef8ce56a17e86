// The settings page: the model providers and their keys, the channels and their pairing requests,
// the owner's secrets (API keys a tool may use, provider keys) and the configuration file. Values
// are typed into password fields and sent once; the page lists names and dates only, because no
// route ever answers a value. The page builds its own section (index.html holds only the nav entry).
import { api } from './api.js';
import { byId, confirmAction, h, showError } from './dom.js';
import { ChannelsPanel } from './settings-channels.js';
import { ConfigPanel } from './settings-config.js';
import { ProvidersPanel } from './settings-providers.js';

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export class SettingsPage {
  constructor() {
    this.providers = new ProvidersPanel({ onStored: () => void this.show() });
    this.channels = new ChannelsPanel();
    this.config = new ConfigPanel();
    this.rows = h('tbody', { id: 'secret-rows' });
    this.empty = h('p', { id: 'no-secrets', class: 'muted', hidden: true }, 'No secrets stored yet.');
    this.name = h('input', {
      id: 'secret-name',
      name: 'name',
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      pattern: NAME.source,
      placeholder: 'BRAVE_API_KEY',
    });
    this.value = h('input', { id: 'secret-value', name: 'value', type: 'password', required: true, autocomplete: 'new-password' });
    const form = h(
      'form',
      { id: 'secret-form', class: 'secret-form', 'aria-label': 'Store a secret', onsubmit: (event) => void this.#store(event) },
      h('label', { for: 'secret-name' }, 'Name'),
      this.name,
      h('label', { for: 'secret-value' }, 'Value'),
      this.value,
      h('button', { type: 'submit', id: 'secret-save' }, 'Store'),
    );
    byId('pages').append(
      h(
        'section',
        { id: 'page-settings', class: 'page', 'aria-labelledby': 'settings-title', hidden: true },
        h('h2', { id: 'settings-title' }, 'Settings'),
        this.providers.element,
        this.channels.element,
        h('h3', { id: 'secrets-title' }, 'Secrets'),
        h(
          'p',
          { class: 'muted' },
          'Encrypted on this machine. A tool never sees a value: its manifest names the hosts a secret may be sent to, and Titan places it in the request. Provider keys (OPENAI_API_KEY, ANTHROPIC_API_KEY) stored here are used when the environment does not set them.',
        ),
        h(
          'table',
          { 'aria-labelledby': 'secrets-title' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Name'),
              h('th', { scope: 'col' }, 'Updated'),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          this.rows,
        ),
        this.empty,
        form,
        this.config.element,
      ),
    );
  }

  async show() {
    void this.providers.show();
    void this.channels.show();
    void this.config.show();
    try {
      const { secrets } = await api.get('/secrets');
      this.rows.replaceChildren(
        ...secrets.map((s) =>
          h(
            'tr',
            { 'data-secret': s.name },
            h('td', {}, h('code', {}, s.name)),
            h('td', {}, new Date(s.updated).toLocaleString()),
            h('td', {}, h('button', { type: 'button', class: 'danger', onclick: () => void this.#remove(s.name) }, 'Remove')),
          ),
        ),
      );
      this.empty.hidden = secrets.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  async #store(event) {
    event.preventDefault();
    const name = this.name.value.trim();
    try {
      await api.put(`/secrets/${encodeURIComponent(name)}`, { value: this.value.value });
      this.value.value = '';
      this.name.value = '';
    } catch (error) {
      showError(error);
    }
    await this.show();
  }

  async #remove(name) {
    if (!(await confirmAction(`Remove the secret ${name}? Tools that use it will fail until it is stored again.`, 'Remove'))) return;
    try {
      await api.delete(`/secrets/${encodeURIComponent(name)}`);
    } catch (error) {
      showError(error);
    }
    await this.show();
  }
}
