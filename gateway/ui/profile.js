// The profile page: what Titan keeps about its owner in the managed sections of the workspace's
// profile files, and every change it made there, each one revertible. The page builds its own
// section (index.html holds the nav entry).
import { api } from './api.js';
import { byId, h, showError, timeOf } from './dom.js';

const lines = (text) => (text ?? '').split('\n').filter(Boolean);

export class ProfilePage {
  constructor() {
    this.files = h('div', { id: 'profile-files', class: 'profile-files' });
    this.changes = h('tbody', { id: 'profile-changes' });
    byId('pages').append(
      h(
        'section',
        { id: 'page-profile', class: 'page', 'aria-labelledby': 'profile-title', hidden: true },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'profile-title' }, 'Profile'),
          h('button', { type: 'button', id: 'refresh-profile', onclick: () => void this.show() }, 'Refresh'),
        ),
        h(
          'p',
          { class: 'muted' },
          'After conversations, Titan adds what you said about yourself between its markers in these workspace files. Your own text around them is never touched.',
        ),
        this.files,
        h('h3', { id: 'profile-changes-title' }, 'Changes'),
        h(
          'table',
          { 'aria-labelledby': 'profile-changes-title' },
          h('thead', {}, h('tr', {}, ...['When', 'File', 'Why', 'Before', 'After', ''].map((c) => h('th', { scope: 'col' }, c)))),
          this.changes,
        ),
      ),
    );
  }

  async show() {
    try {
      const [{ files }, { changes }] = await Promise.all([api.get('/profile'), api.get('/profile/changes')]);
      this.files.replaceChildren(
        ...files.map((f) =>
          h(
            'article',
            { class: 'patch', 'data-file': f.file },
            h('header', {}, h('h3', {}, f.file), h('span', { class: 'muted' }, f.about)),
            f.facts.length ? h('ul', {}, ...f.facts.map((fact) => h('li', {}, fact))) : h('p', { class: 'muted' }, 'Nothing yet.'),
          ),
        ),
      );
      this.changes.replaceChildren(
        ...changes.map((c) =>
          h(
            'tr',
            { 'data-change': c.id },
            h('td', {}, timeOf(c.at)),
            h('td', {}, c.file),
            h('td', {}, c.reason),
            h('td', {}, h('pre', { class: 'evidence' }, lines(c.before).join('\n'))),
            h('td', {}, h('pre', { class: 'evidence' }, lines(c.after).join('\n'))),
            h('td', {}, h('button', { type: 'button', onclick: () => void this.#revert(c.id) }, 'Revert')),
          ),
        ),
      );
    } catch (error) {
      showError(error);
    }
  }

  async #revert(id) {
    try {
      await api.post(`/profile/changes/${encodeURIComponent(id)}/revert`);
      await this.show();
    } catch (error) {
      showError(error);
    }
  }
}
