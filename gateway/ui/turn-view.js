// One answer of Titan's (a turn) on the page: its text as markdown, growing as it streams; a card
// per tool call (arguments, live output, result) with an approval prompt when the call waits for
// one; status lines and errors. Built from live events, or from the stored messages of a thread.
import { api } from './api.js';
import { h, pretty, showError, timeOf } from './dom.js';
import { renderMarkdown } from './markdown.js';

const TERMINAL = new Set(['turn.completed', 'turn.failed', 'turn.interrupted']);
/** How the agent marks an answer stored after it was cut (a failure, an interrupt, a crash). */
const CUT_OFF = '[cut off]';
export const isTerminal = (event) => TERMINAL.has(event.type);

class ToolCard {
  constructor(name) {
    this.name = name;
    this.state = h('span', { class: 'tool-state' }, 'preparing');
    this.args = h('pre', { class: 'tool-args', 'aria-label': 'Arguments' });
    this.output = h('pre', { class: 'tool-output', 'aria-label': 'Output', hidden: true });
    this.result = h('pre', { class: 'tool-result', 'aria-label': 'Result', hidden: true });
    this.approval = h('div', { class: 'approval', hidden: true });
    this.el = h(
      'section',
      { class: 'tool-card', 'aria-label': `Tool ${name}` },
      h('header', {}, h('span', { class: 'tool-name' }, name), this.state),
      this.args,
      this.approval,
      this.output,
      this.result,
    );
  }

  setState(text, kind = '') {
    this.state.textContent = text;
    this.el.dataset.state = kind || text;
  }

  setArguments(value) {
    this.args.textContent = pretty(value);
  }

  appendOutput(text) {
    this.output.hidden = false;
    this.output.append(text);
  }

  setResult(value, ok) {
    this.setState(ok ? 'done' : 'failed');
    this.result.hidden = false;
    this.result.textContent = pretty(value);
  }

  askApproval({ approvalId, expiresAt }, decide) {
    this.approvalId = approvalId;
    const buttons = [];
    const choose = (decision) => async () => {
      for (const button of buttons) button.disabled = true;
      if (!(await decide(approvalId, decision))) for (const button of buttons) button.disabled = false;
    };
    buttons.push(
      h('button', { type: 'button', class: 'approve', onclick: choose('approved') }, 'Approve'),
      h('button', { type: 'button', class: 'danger', onclick: choose('rejected') }, 'Reject'),
    );
    this.setState('waiting for approval', 'waiting');
    this.approval.hidden = false;
    this.approval.replaceChildren(
      h('p', {}, `${this.name} wants to run with these arguments. Allow it?`),
      h('div', { class: 'approval-actions', role: 'group', 'aria-label': `Approval for ${this.name}` }, buttons),
      h('p', { class: 'muted' }, `Expires at ${timeOf(expiresAt)}.`),
    );
  }

  decided({ decision, by, reason }) {
    this.approval.hidden = false;
    const words = {
      approved: `Approved by ${by}.`,
      rejected: `Rejected by ${by}.`,
      expired: 'The approval expired.',
      ended: 'The turn ended before a decision.',
    };
    this.approval.replaceChildren(h('p', { class: `decision ${decision}` }, `${words[decision] ?? decision}${reason ? ` ${reason}` : ''}`));
    if (decision === 'approved') this.setState('running');
    else this.setState(decision);
  }
}

export class TurnView {
  #cards = new Map();
  #drafts = new Map();
  /** The markdown segment being streamed. @type {{ raw: string, el: HTMLElement } | undefined} */
  #text = undefined;
  #renderQueued = false;
  #lastSeq = 0;
  #onDecide;

  /** `onDecide(approvalId, decision)` resolves true once the gateway took the decision. */
  constructor(turnId, onDecide) {
    this.turnId = turnId;
    this.#onDecide = onDecide;
    this.done = false;
    this.body = h('div', { class: 'turn-body' });
    this.el = h('article', { class: 'message assistant', 'aria-label': 'Titan', 'data-turn': turnId }, this.body);
  }

  /** One live event, once: a replayed event (same or lower seq) is ignored. */
  apply(event) {
    if (event.seq <= this.#lastSeq) return;
    this.#lastSeq = event.seq;
    switch (event.type) {
      case 'text':
        return this.appendText(event.text);
      case 'tool.draft':
        return this.#draft(event);
      case 'tool.started':
        return this.#started(event);
      case 'tool.output':
        return this.#card(event.callId, '?').appendOutput(event.text);
      case 'tool.completed':
        return this.#card(event.callId, event.name).setResult(event.ok ? event.result : event.error, event.ok);
      case 'approval.needed':
        return this.askApproval(event);
      case 'approval.decided':
        return this.#decided(event);
      case 'status':
        return this.#note(event.message, 'status');
      case 'error':
        return this.#note(`${event.code}: ${event.message}${event.fix ? ` (${event.fix})` : ''}`, 'error');
      case 'turn.failed':
        this.finish();
        return this.#note(`The turn failed. ${event.code}: ${event.message}`, 'error');
      case 'turn.interrupted':
        this.finish();
        return this.#note(
          event.by === 'restart' ? 'Cut off: Titan stopped while answering. You can send a new message.' : `Interrupted by ${event.by}.`,
          'status',
        );
      case 'answer.source':
        return this.markFast(event.source, event.marker);
      case 'turn.completed':
        return this.finish();
      default:
        return undefined;
    }
  }

  appendText(text) {
    if (!this.#text) {
      this.#text = { raw: '', el: h('div', { class: 'markdown' }) };
      this.body.append(this.#text.el);
    }
    this.#text.raw += text;
    this.#scheduleRender();
  }

  /** Renders at most once a frame: markdown is re-parsed as a whole while it streams. */
  #scheduleRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    requestAnimationFrame(() => {
      this.#renderQueued = false;
      if (this.#text) renderMarkdown(this.#text.el, this.#text.raw);
    });
  }

  /** Ends the current text segment (a tool call or a note follows it), rendered at once. */
  #closeText() {
    if (this.#text) renderMarkdown(this.#text.el, this.#text.raw);
    this.#text = undefined;
  }

  #newCard(name) {
    this.#closeText();
    const card = new ToolCard(name);
    this.body.append(card.el);
    return card;
  }

  /** The card of `callId`: the draft the model wrote it in when there is one, else a new card. */
  #card(callId, name) {
    let card = this.#cards.get(callId);
    if (!card) {
      card = [...this.#drafts.values()].find((c) => !c.callId && c.name === name) ?? this.#newCard(name);
      card.callId = callId;
      this.#cards.set(callId, card);
    }
    return card;
  }

  #draft({ index, name, arguments: args }) {
    let card = this.#drafts.get(index);
    if (!card || card.callId) {
      card = this.#newCard(name);
      this.#drafts.set(index, card);
    }
    card.setState('preparing');
    card.args.textContent = args;
  }

  #started({ callId, name, arguments: args, early }) {
    const card = this.#card(callId, name);
    card.setArguments(args);
    card.setState(early ? 'running (started early)' : 'running', 'running');
  }

  /** A tool call waiting for the user; `name`/`arguments` make the card when none exists yet. */
  askApproval({ approvalId, callId, name, arguments: args, expiresAt }) {
    const card = this.#card(callId, name);
    if (args !== undefined) card.setArguments(args);
    card.askApproval({ approvalId, expiresAt }, this.#onDecide);
  }

  #decided(event) {
    [...this.#cards.values()].find((c) => c.approvalId === event.approvalId)?.decided(event);
  }

  #note(text, kind) {
    this.#closeText();
    this.body.append(h('p', { class: `turn-note ${kind}`, ...(kind === 'error' ? { role: 'alert' } : {}) }, text));
  }

  finish() {
    this.done = true;
    this.#closeText();
    for (const card of this.#cards.values()) if (card.el.dataset.state === 'waiting') card.decided({ decision: 'ended' });
    this.el.classList.add('done');
  }

  /**
   * An answer that came without the model (a reflex, or the shadow cache): said under the answer,
   * with "Ask the model instead" (it counts against the reflex; the model's answer follows as a new turn).
   */
  markFast(source, marker) {
    // Titan's onboarding questions are its own words: nothing to ask the model instead.
    if (source === 'onboarding' || this.el.querySelector('.answer-source')) return;
    const what = source === 'reflex' ? `a reflex (${marker.replace(/^reflex:/, '')}), without the model` : 'the shadow cache, precomputed before you asked';
    const button = h(
      'button',
      {
        type: 'button',
        class: 'link ask-model',
        onclick: async () => {
          button.disabled = true;
          try {
            await api.post(`/turns/${encodeURIComponent(this.turnId)}/ask-model`);
            button.textContent = 'Asked the model';
          } catch (error) {
            button.disabled = false;
            showError(error);
          }
        },
      },
      'Ask the model instead',
    );
    this.el.dataset.source = source;
    this.el.append(h('p', { class: 'turn-note status answer-source' }, `Answered by ${what}. `, button));
  }

  // ---- from stored messages ----------------------------------------------------------------

  /** An assistant message as stored: plain text, or {titan: 'assistant', text, tool_calls}. */
  addStoredAssistant(content) {
    const record = storedRecord(content);
    if (record?.titan !== 'assistant' && typeof content === 'string' && content.endsWith(CUT_OFF)) {
      this.appendText(content.slice(0, -CUT_OFF.length).trimEnd());
      return this.#note('The answer was cut off here.', 'status cut-off');
    }
    if (record?.titan !== 'assistant') return this.appendText(content);
    if (record.text) this.appendText(record.text);
    for (const call of record.tool_calls ?? []) {
      const card = this.#card(call.id, call.name);
      card.setArguments(call.arguments);
      card.setState('called');
    }
  }

  /** A tool result as stored: {titan: 'tool', tool_call_id, name, content}; an error is {error: {code, message}}. */
  addStoredToolResult(content) {
    const record = storedRecord(content);
    if (record?.titan !== 'tool') return;
    const failed = storedRecord(record.content)?.error !== undefined;
    this.#card(record.tool_call_id, record.name).setResult(record.content, !failed);
  }
}

function storedRecord(content) {
  if (typeof content !== 'string' || !content.startsWith('{')) return undefined;
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}
