// The list of the user's chats: open one, delete one for good, or clear them all (each after a
// confirmation, since nothing brings them back).
import { api, threadPath } from './api.js';
import { byId, confirmAction, h, showError } from './dom.js';

const titleOf = (thread) => thread.title?.trim() || 'Untitled chat';

export class ThreadList {
  #current = undefined;
  #onDeleted;

  /** `onDeleted(threadId | undefined)`: one thread (or, undefined, all of them) is gone. */
  constructor({ onDeleted }) {
    this.#onDeleted = onDeleted;
    this.list = byId('thread-list');
    byId('new-chat').addEventListener('click', () => {
      location.hash = '#/chat';
    });
    byId('clear-chats').addEventListener('click', () => void this.#clearAll());
  }

  async refresh() {
    try {
      const { threads } = await api.get('/threads?limit=200');
      this.list.replaceChildren(...threads.map((thread) => this.#item(thread)));
      byId('no-threads').hidden = threads.length > 0;
      /** @type {HTMLButtonElement} */ (byId('clear-chats')).disabled = threads.length === 0;
    } catch (error) {
      showError(error);
    }
  }

  select(threadId) {
    this.#current = threadId;
    for (const link of this.list.querySelectorAll('a')) {
      if (link.dataset.threadId === threadId) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  #item(thread) {
    const title = titleOf(thread);
    return h(
      'li',
      { 'data-thread-id': thread.id },
      h(
        'a',
        {
          href: `#/chat/${encodeURIComponent(thread.id)}`,
          'data-thread-id': thread.id,
          'aria-current': thread.id === this.#current ? 'page' : undefined,
          title: new Date(Number(thread.updated_at)).toLocaleString(),
        },
        title,
      ),
      h('button', { type: 'button', class: 'link danger', 'aria-label': `Delete chat: ${title}`, onclick: () => void this.#delete(thread) }, '×'),
    );
  }

  async #delete(thread) {
    if (!(await confirmAction(`Delete the chat “${titleOf(thread)}” and all its messages? This cannot be undone.`, 'Delete chat'))) return;
    try {
      await api.delete(threadPath(thread.id));
      this.list.querySelector(`li[data-thread-id="${CSS.escape(thread.id)}"]`)?.remove();
      this.#onDeleted(thread.id);
    } catch (error) {
      showError(error);
    }
    await this.refresh();
  }

  async #clearAll() {
    if (!(await confirmAction('Delete all your chats and their messages? This cannot be undone.', 'Delete all chats'))) return;
    try {
      await api.delete('/threads');
      this.list.replaceChildren();
      this.#onDeleted(undefined);
    } catch (error) {
      showError(error);
    }
    await this.refresh();
  }
}
