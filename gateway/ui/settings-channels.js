// The Settings page's messaging channels: those running with their webhook and what they have seen
// since start, and the pairing requests of people who wrote to them, approved or denied here.
import { api } from './api.js';
import { h, showError } from './dom.js';

export class ChannelsPanel {
  constructor() {
    this.channels = h('tbody', { id: 'channel-rows' });
    this.noChannels = h(
      'p',
      { id: 'no-channels', class: 'muted', hidden: true },
      'No channel runs. A channel starts when its secrets are stored (e.g. TELEGRAM_BOT_TOKEN) or it is enabled in the configuration.',
    );
    this.requests = h('tbody', { id: 'pairing-rows' });
    this.noRequests = h('p', { id: 'no-pairings', class: 'muted', hidden: true }, 'No pairing requests are waiting.');
    this.element = h(
      'div',
      { id: 'channels-panel' },
      h('h3', { id: 'channels-title' }, 'Channels'),
      h(
        'table',
        { 'aria-labelledby': 'channels-title' },
        h('thead', {}, h('tr', {}, ...['Channel', 'Webhook', 'Since start'].map((title) => h('th', { scope: 'col' }, title)))),
        this.channels,
      ),
      this.noChannels,
      h('h3', { id: 'pairings-title' }, 'Pairing requests'),
      h('p', { class: 'muted' }, 'People who wrote to a channel get a code; they are answered once their code is approved.'),
      h(
        'table',
        { 'aria-labelledby': 'pairings-title' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Code', 'Channel', 'Sender', 'Asked'].map((title) => h('th', { scope: 'col' }, title)),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        this.requests,
      ),
      this.noRequests,
    );
  }

  async show() {
    try {
      const [{ channels }, { pairings }] = await Promise.all([api.get('/channels'), api.get('/pairings?state=pending')]);
      this.channels.replaceChildren(
        ...channels.map((c) =>
          h(
            'tr',
            { 'data-channel': c.name },
            h('td', {}, c.name),
            h('td', {}, h('code', {}, c.webhook)),
            h(
              'td',
              {},
              Object.entries(c.counts)
                .map(([outcome, count]) => `${outcome} ${count}`)
                .join(', ') || 'nothing yet',
            ),
          ),
        ),
      );
      this.noChannels.hidden = channels.length > 0;
      this.requests.replaceChildren(...pairings.map((p) => this.#request(p)));
      this.noRequests.hidden = pairings.length > 0;
    } catch (error) {
      showError(error);
    }
  }

  #request(pairing) {
    const decide = async (verb) => {
      try {
        await api.post(`/pairings/${encodeURIComponent(pairing.code)}/${verb}`);
      } catch (error) {
        showError(error);
      }
      await this.show();
    };
    return h(
      'tr',
      { 'data-pairing': pairing.code },
      h('td', {}, h('code', {}, pairing.code)),
      h('td', {}, pairing.channel),
      h('td', {}, pairing.sender_name ?? pairing.sender_id),
      h('td', {}, new Date(pairing.created_at).toLocaleString()),
      h(
        'td',
        {},
        h('button', { type: 'button', onclick: () => void decide('approve') }, 'Approve'),
        h('button', { type: 'button', class: 'danger', onclick: () => void decide('deny') }, 'Deny'),
      ),
    );
  }
}
