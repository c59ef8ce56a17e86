// Model "titan" without client tools: the request becomes a turn of Titan's agent, with Titan's
// own tools, approvals and memory. The last message (a user message) is what is sent; the earlier
// ones seed a new thread as its history, unless the `x-titan-thread` header names one of the
// user's threads to continue (then the thread's stored history is the context and the request's
// earlier messages are not read). The thread and turn ids come back in `x-titan-thread` and
// `x-titan-turn`. The answer is the model's text across every step of the turn (steps separated
// by a blank line); Titan's tool calls stay inside Titan and are never sent as tool_calls.
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { ERRORS, TitanError, type ErrorCode } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import type { Agent, TurnEvent } from '../agent/api.ts';
import { invalid, type ChatMessage, type CompletionRequest } from './openai-request.ts';
import type { Answer } from './openai-wire.ts';

export const THREAD_HEADER = 'x-titan-thread';
const THREAD_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const TURN_HEADER = 'x-titan-turn';

type Outcome = Awaited<Awaited<ReturnType<Agent['send']>>['run']['done']>;
type Item = { event: TurnEvent } | { done: Outcome };

/** Turn events as they are emitted, read one at a time by the answer loop. */
class Inbox<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
    this.#wake = undefined;
  }

  async next(): Promise<T> {
    while (this.#items.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#items.shift() as T;
  }
}

/** Context for a new thread: plain text of system, user and assistant messages. */
function contextMessage(m: ChatMessage, i: number): { role: string; content: string } | undefined {
  if (m.role === 'tool' || (m.role === 'assistant' && m.tool_calls?.length)) {
    throw invalid(
      `messages[${i}]`,
      `messages[${i}] is part of a conversation in which the client runs tools, but this request sends no tools`,
      "send the same `tools` as before: the model's tool calls then come back to your client",
    );
  }
  return m.content === '' ? undefined : { role: m.role, content: m.content };
}

function titleOf(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function failure(code: string, message: string, fix?: string): TitanError {
  const known = (code in ERRORS ? code : 'TITAN_E_PROVIDER_STREAM') as ErrorCode;
  return new TitanError(known, message, fix === undefined ? {} : { fix });
}

async function threadFor(deps: { kernel: Kernel; agent: Agent }, ctx: Context, userId: string, request: CompletionRequest, text: string): Promise<string> {
  const requested = ctx.get(THREAD_HEADER).trim();
  // The agent checks the thread is this user's when the message is sent (another user's is a 404).
  if (requested) {
    // Checked (and never echoed when it is not an id): it ends up in error messages.
    if (!THREAD_ID.test(requested))
      throw new TitanError('TITAN_E_INVALID_REQUEST', `the ${THREAD_HEADER} header is not a thread id`, {
        fix: 'send the id of one of your threads (letters, digits, "-", "_", ".", ":"; at most 64 characters)',
      });
    return requested;
  }
  const context = request.messages.slice(0, -1).flatMap((m, i) => contextMessage(m, i) ?? []);
  const thread = await deps.agent.createThread(userId, titleOf(text));
  if (context.length > 0)
    await deps.kernel.store.appendMessages(
      thread.id,
      context.map((m) => ({ id: randomUUID(), ...m })),
    );
  return thread.id;
}

/** Runs the turn and writes its text into the answer; a client that goes away (`signal`) interrupts it. */
export async function answerWithAgent(
  deps: { kernel: Kernel; agent: Agent },
  ctx: Context,
  userId: string,
  request: CompletionRequest,
  answer: Answer,
  signal: AbortSignal,
): Promise<void> {
  const lastIndex = request.messages.length - 1;
  const last = request.messages[lastIndex];
  if (last.role !== 'user') {
    throw invalid(
      `messages[${lastIndex}].role`,
      'model "titan" answers the last message, which must be the user\'s',
      'end the messages with a user message, or send `tools` if your client runs the tools',
    );
  }
  if (last.content.trim() === '') throw invalid(`messages[${lastIndex}].content`, 'the last user message is empty');

  const threadId = await threadFor(deps, ctx, userId, request, last.content);
  ctx.set(THREAD_HEADER, threadId);
  // Subscribed before sending: the turn's first events can come before send() resolves. One turn
  // runs at a time in a thread, so the thread's events until then are this turn's.
  const inbox = new Inbox<Item>();
  const off = deps.kernel.bus.on('turn.event', (event) => {
    if (event.threadId === threadId) inbox.push({ event });
  });
  let turnId: string | undefined;
  const stop = () => {
    if (turnId) deps.agent.interrupt(turnId, `openai-client:${userId}`);
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    const sent = await deps.agent.send(userId, threadId, last.content);
    turnId = sent.turnId;
    if (signal.aborted) stop();
    ctx.set(TURN_HEADER, turnId);
    answer.meta.id = `chatcmpl-${turnId}`;
    answer.open();
    sent.run.done.then(
      (done) => inbox.push({ done }),
      (error: unknown) =>
        inbox.push({ done: { state: 'failed', text: '', error: error instanceof TitanError ? error : failure('TITAN_E_PROVIDER_STREAM', String(error)) } }),
    );

    let fix: string | undefined;
    let wrote = false;
    let afterTool = false;
    for (;;) {
      const item = await inbox.next();
      if ('done' in item) {
        // The bus said how the turn ended before this; only a turn without such an event gets here.
        const { done } = item;
        if (done.state === 'completed') return answer.finish('end_turn', undefined);
        if (done.state === 'suspended')
          throw new TitanError('TITAN_E_SHUTTING_DOWN', 'Titan is stopping; the turn waits for its approval and resumes after the restart', {
            fix: `read the answer in thread ${threadId} after the restart`,
          });
        if (done.state === 'interrupted' && signal.aborted) return;
        throw done.error ?? failure('TITAN_E_PROVIDER_STREAM', `the turn ended ${done.state}`);
      }
      const { event } = item;
      if (event.turnId !== turnId) continue;
      switch (event.type) {
        case 'text':
          if (afterTool && wrote) await answer.text('\n\n');
          afterTool = false;
          wrote = true;
          await answer.text(event.text);
          break;
        case 'tool.started':
        case 'tool.completed':
          afterTool = true;
          break;
        case 'answer.source':
          // A reflex or the shadow cache answered: said in a header (whole answers) and in the body.
          answer.meta.answeredBy = event.marker;
          if (!ctx.headerSent) ctx.set('x-titan-answered-by', event.marker);
          break;
        case 'error':
          fix = event.fix;
          break;
        case 'turn.completed':
          return answer.finish(event.stopReason, event.usage);
        case 'turn.failed':
          throw failure(event.code, event.message, fix);
        case 'turn.interrupted':
          if (signal.aborted) return;
          throw new TitanError('TITAN_E_INTERRUPTED', `the turn was interrupted by ${event.by}`, {
            fix: `what arrived is kept in thread ${threadId}; send the message again to continue`,
          });
      }
    }
  } finally {
    off();
    signal.removeEventListener('abort', stop);
  }
}
