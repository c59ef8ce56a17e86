// The Settings page's model providers: the chain the agent uses (primary, fallbacks, background) with
// each one's model, address and where its key comes from, and a password field per provider key
// that stores it in the secret store (used from the next request when the environment sets none).
import { api } from './api.js';
import { h, showError } from './dom.js';

const SOURCE_TEXT = {
  environment: 'from the environment',
  'secret store': 'in the secret store',
  missing: 'missing',
  'none needed': 'none needed',
};

export class ProvidersPanel {
  /** @param {{ onStored: () => void }} options */
  constructor({ onStored }) {
    this.onStored = onStored;
    this.chain = h('tbody', { id: 'provider-rows' });
    this.none = h(
      'p',
      { id: 'no-provider', class: 'muted', hidden: true },
      'No model provider is configured: the agent cannot answer. Set TITAN_PROVIDER, or run titan onboard.',
    );
    this.keys = h('div', { id: 'provider-keys', class: 'provider-keys' });
    this.element = h(
      'div',
      { id: 'providers-panel' },
      h('h3', { id: 'providers-title' }, 'Model providers'),
      h(
        'table',
        { 'aria-labelledby': 'providers-title' },
        h('thead', {}, h('tr', {}, ...['Role', 'Provider', 'Model', 'Address', 'Key'].map((title) => h('th', { scope: 'col' }, title)))),
        this.chain,
      ),
      this.none,
      this.keys,
    );
  }

  async show() {
    try {
      const { providers, keys } = await api.get('/providers');
      this.chain.replaceChildren(
        ...providers.map((p) =>
          h(
            'tr',
            { 'data-provider': p.name },
            h('td', {}, p.role),
            h('td', {}, p.name),
            h('td', {}, h('code', {}, p.model)),
            h('td', {}, h('code', {}, p.baseUrl)),
            h('td', { class: p.key === 'missing' ? 'warn' : '' }, p.keyName ? `${p.keyName}: ${SOURCE_TEXT[p.key]}` : SOURCE_TEXT[p.key]),
          ),
        ),
      );
      this.none.hidden = providers.length > 0;
      this.keys.replaceChildren(...keys.map((key) => this.#keyForm(key)));
    } catch (error) {
      showError(error);
    }
  }

  #keyForm({ name, source }) {
    const input = h('input', {
      id: `key-${name}`,
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      placeholder: source === 'missing' ? 'not set' : 'stored: type to replace',
    });
    const store = async (event) => {
      event.preventDefault();
      try {
        await api.put(`/secrets/${encodeURIComponent(name)}`, { value: input.value });
        input.value = '';
        this.onStored();
      } catch (error) {
        showError(error);
      }
    };
    return h(
      'form',
      { class: 'secret-form', 'aria-label': `Provider key ${name}`, onsubmit: (event) => void store(event) },
      h('label', { for: `key-${name}` }, name),
      input,
      h('span', { class: 'muted' }, SOURCE_TEXT[source]),
      h('button', { type: 'submit' }, 'Store key'),
    );
  }
}
