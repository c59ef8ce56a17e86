// The conversation pane: a thread's history (older pages on request), its live events over SSE,
// the composer, and the interrupt button. A message is sent only once the event stream is open,
// so the answer's first words cannot be missed.
import { api, openThreadEvents, threadPath } from './api.js';
import { byId, h, showError } from './dom.js';
import { isTerminal, TurnView } from './turn-view.js';

const PAGE = 50;

export class ChatView {
  threadId = undefined;
  #turns = new Map();
  /** @type {EventSource | undefined} */
  #source = undefined;
  #running = undefined;
  #sending = false;
  #earlier = null;
  #opening = 0;
  #onChanged;

  /** `onChanged()`: the thread list may have changed (a thread was created, a turn ended). */
  constructor({ onChanged }) {
    this.#onChanged = onChanged;
    this.log = byId('messages');
    /** @type {HTMLTextAreaElement} */
    this.input = byId('message-input');
    byId('composer').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.#submit();
      }
    });
    byId('interrupt').addEventListener('click', () => void this.#interrupt());
    byId('load-earlier').addEventListener('click', () => void this.#loadEarlier());
  }

  /** Shows `threadId` (or an empty chat): its history, pending approvals, then its live events. */
  async open(threadId) {
    const opening = ++this.#opening;
    this.#close();
    this.threadId = threadId;
    byId('empty-chat').hidden = threadId !== undefined;
    if (threadId === undefined) return;
    try {
      const [page, pending] = await Promise.all([api.get(`${threadPath(threadId, '/messages')}?limit=${PAGE}`), api.get('/approvals')]);
      if (opening !== this.#opening) return;
      this.#showHistory(page.messages, 'append');
      this.#setEarlier(page.next);
      for (const approval of pending.approvals.filter((a) => a.threadId === threadId)) {
        const { id, callId, tool, arguments: args, expiresAt } = approval;
        this.#turn(approval.turnId).askApproval({ approvalId: id, callId, name: tool ?? 'tool', arguments: args, expiresAt });
        this.#setRunning(approval.turnId);
      }
      this.#scrollToEnd(true);
      const source = await openThreadEvents(threadId, {
        onEvent: (event) => this.#onEvent(event),
        onLost: () => this.#status('Live updates stopped: reload the page to reconnect.'),
      });
      if (opening !== this.#opening) return source.close();
      this.#source = source;
    } catch (error) {
      if (opening !== this.#opening) return;
      showError(error);
      if (/** @type {{ status?: number }} */ (error).status === 404) location.hash = '#/chat';
    }
  }

  #close() {
    this.#source?.close();
    this.#source = undefined;
    this.#turns.clear();
    this.log.replaceChildren();
    this.#setRunning(undefined);
    this.#setEarlier(null);
    this.#status('');
  }

  /** Leaves a thread that no longer exists. */
  forget(threadId) {
    if (threadId === undefined || threadId === this.threadId) void this.open(undefined);
  }

  // ---- history -------------------------------------------------------------------------------

  #setEarlier(next) {
    this.#earlier = next;
    byId('load-earlier').hidden = next === null || next === undefined;
  }

  async #loadEarlier() {
    const threadId = this.threadId;
    try {
      const page = await api.get(`${threadPath(threadId, '/messages')}?limit=${PAGE}&before=${this.#earlier}`);
      if (threadId !== this.threadId) return;
      this.#showHistory(page.messages, 'prepend');
      this.#setEarlier(page.next);
    } catch (error) {
      showError(error);
    }
  }

  /** Stored messages, oldest first: user messages as bubbles, a turn's messages as one answer. */
  #showHistory(messages, where) {
    const elements = [];
    const views = new Map();
    for (const message of messages) {
      if (message.role === 'user') {
        elements.push(userBubble(message.content, message.id));
        continue;
      }
      if (message.role !== 'assistant' && message.role !== 'tool') continue;
      const turnId = message.turn_id ?? message.id;
      let view = views.get(turnId) ?? (where === 'append' ? this.#turns.get(turnId) : undefined);
      if (!view) {
        view = new TurnView(turnId, (id, decision) => this.#decide(id, decision));
        views.set(turnId, view);
        elements.push(view.el);
      }
      if (message.role === 'assistant') view.addStoredAssistant(message.content);
      else view.addStoredToolResult(message.content);
      if (message.source) view.markFast(message.source.startsWith('reflex:') ? 'reflex' : 'shadow', message.source);
    }
    for (const [turnId, view] of views) {
      view.finish();
      if (!this.#turns.has(turnId)) this.#turns.set(turnId, view);
    }
    if (where === 'prepend') this.log.prepend(...elements);
    else this.log.append(...elements);
  }

  // ---- live events ---------------------------------------------------------------------------

  #turn(turnId) {
    let view = this.#turns.get(turnId);
    if (!view) {
      view = new TurnView(turnId, (id, decision) => this.#decide(id, decision));
      this.#turns.set(turnId, view);
      this.log.append(view.el);
    }
    return view;
  }

  #onEvent(event) {
    if (event.threadId !== this.threadId) return;
    const follow = this.#nearEnd();
    const known = this.#turns.has(event.turnId);
    const view = this.#turn(event.turnId);
    if (event.type === 'turn.started' && !known && !this.#sending) void this.#showUserMessage(event.userMessageId, view);
    view.apply(event);
    if (isTerminal(event)) {
      if (this.#running === event.turnId) this.#setRunning(undefined);
      this.#onChanged();
    } else if (!view.done) {
      this.#setRunning(event.turnId);
    }
    this.#scrollToEnd(follow);
  }

  /** A turn started elsewhere (another tab, a channel): its user message is fetched and shown above it. */
  async #showUserMessage(messageId, view) {
    if (this.log.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`)) return;
    try {
      const page = await api.get(`${threadPath(this.threadId, '/messages')}?limit=5`);
      const message = page.messages.find((m) => m.id === messageId);
      if (message && view.el.isConnected) view.el.before(userBubble(message.content, message.id));
    } catch {
      // The answer still shows; only the question is missing.
    }
  }

  // ---- sending, approvals, interrupts ----------------------------------------------------------

  async #submit() {
    const text = this.input.value.trim();
    if (!text || this.#sending) return;
    if (this.#running) return showError(new Error('A turn is running: wait for it, or interrupt it.'));
    this.#sending = true;
    /** @type {HTMLButtonElement} */ (byId('send')).disabled = true;
    let bubble;
    try {
      if (!this.threadId) {
        const thread = await api.post('/threads', { title: text.slice(0, 60) });
        await this.open(thread.id);
        location.hash = `#/chat/${encodeURIComponent(thread.id)}`;
        this.#onChanged();
      }
      bubble = userBubble(text);
      this.log.append(bubble);
      this.#scrollToEnd(true);
      this.input.value = '';
      const sent = await api.post(threadPath(this.threadId, '/messages'), { text, origin: 'person' });
      bubble.dataset.messageId = sent.messageId;
      const view = this.#turn(sent.turnId);
      if (bubble.nextElementSibling !== view.el && !view.el.contains(bubble)) bubble.after(view.el);
      if (!view.done) this.#setRunning(sent.turnId);
    } catch (error) {
      if (bubble) {
        bubble.classList.add('failed');
        if (!this.input.value) this.input.value = text;
      }
      showError(error);
    } finally {
      this.#sending = false;
      /** @type {HTMLButtonElement} */ (byId('send')).disabled = false;
    }
  }

  async #decide(approvalId, decision) {
    try {
      await api.post(`/approvals/${encodeURIComponent(approvalId)}`, { decision });
      return true;
    } catch (error) {
      showError(error);
      return false;
    }
  }

  async #interrupt() {
    if (!this.#running) return;
    /** @type {HTMLButtonElement} */ (byId('interrupt')).disabled = true;
    try {
      await api.post(`/turns/${encodeURIComponent(this.#running)}/interrupt`);
    } catch (error) {
      showError(error);
      /** @type {HTMLButtonElement} */ (byId('interrupt')).disabled = this.#running === undefined;
    }
  }

  #setRunning(turnId) {
    this.#running = turnId;
    /** @type {HTMLButtonElement} */ (byId('interrupt')).disabled = turnId === undefined;
    this.#status(turnId === undefined ? '' : 'Titan is answering…');
  }

  #status(text) {
    byId('live-status').textContent = text;
  }

  #nearEnd() {
    const scroller = this.log;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  #scrollToEnd(follow) {
    if (follow) this.log.scrollTop = this.log.scrollHeight;
  }
}

function userBubble(text, messageId) {
  return h('article', { class: 'message user', 'aria-label': 'You', 'data-message-id': messageId }, h('p', {}, text));
}
