// `titan chat`'s terminal view (ink): the transcript so far above, the running turn live below it
// (the answer as it streams, a card per tool call with its output, the approval waiting for y/n),
// then the input line. Finished entries go to ink's <Static> so a long chat does not redraw.
import { Box, Static, Text, render, useApp, useInput } from 'ink';
import { createElement as h, useEffect, useRef, useState, type ReactElement } from 'react';
import type { Readable, Writable } from 'node:stream';
import { describeError } from '../../common/errors.ts';
import type { Connection } from './connection.ts';
import { KERNEL_HELP, kernelCommand } from '../kernel-commands.ts';
import { apply, emptyTranscript, type Entry, type Transcript } from './transcript.ts';

export const CHAT_HELP =
  '/new (new thread), /threads (list), /onboard profile (show or redo what Titan knows of you), /thread ID (switch), /interrupt (or Ctrl-C while a turn runs), /reflex model (ask the model instead of the last fast answer), /kernel (patches; /kernel help), /help, /quit (or Ctrl-D)';
const OUTPUT_LINES = 8;

function EntryView({ entry }: { entry: Entry }): ReactElement {
  switch (entry.kind) {
    case 'user':
      return h(Text, { color: 'cyan' }, `you › ${entry.text}`);
    case 'answer':
      return h(
        Box,
        { flexDirection: 'column' },
        h(Text, null, entry.text || ' '),
        entry.source ? h(Text, { dimColor: true }, `[${entry.source}; /reflex model asks the model]`) : null,
      );
    case 'tool': {
      const { card } = entry;
      const mark = card.state === 'running' ? '…' : card.state === 'done' ? '✓' : '✗';
      const tail = card.output.trimEnd().split('\n').slice(-OUTPUT_LINES).join('\n');
      return h(
        Box,
        { flexDirection: 'column', borderStyle: 'round', borderColor: card.state === 'failed' ? 'red' : 'gray', paddingX: 1 },
        h(Text, { bold: true }, `${mark} ${card.name}${card.early ? ' (started early)' : ''} ${card.arguments}`),
        tail ? h(Text, { dimColor: true }, tail) : null,
        card.error ? h(Text, { color: 'red' }, card.error) : null,
      );
    }
    case 'approval':
      return h(
        Text,
        { color: 'yellow' },
        entry.decision
          ? `${entry.name}: ${entry.decision}`
          : `${entry.name} wants to run ${entry.arguments}. Allow? [y/n] (expires ${new Date(entry.expiresAt).toLocaleTimeString()})`,
      );
    case 'note':
      return h(Text, entry.tone === 'error' ? { color: 'red' } : { dimColor: true }, entry.text);
  }
}

type ChatProps = { connection: Connection; initialThread?: string };

function Chat({ connection, initialThread }: ChatProps): ReactElement {
  const { exit } = useApp();
  const [transcript] = useState<Transcript>(emptyTranscript);
  const [, setVersion] = useState(0);
  const [frozen, setFrozen] = useState(0);
  const [input, setInput] = useState('');
  // What is typed, read by Enter: the handler ink calls may be the one from before the last
  // keystroke's render (a busy machine), whose `input` is stale.
  const typedLine = useRef('');
  const edit = (change: (line: string) => string) => {
    typedLine.current = change(typedLine.current);
    setInput(typedLine.current);
  };
  // A /kernel question waiting for y/n (kept across renders).
  const [asking] = useState<{ answer?: (yes: boolean) => void }>(() => ({}));
  const [threadId, setThreadId] = useState<string | undefined>(initialThread);
  /** A new thread's first message waits for its events to be followed: a fast answer (onboarding, a reflex) comes at once. */
  const following = useRef(new Map<string, () => void>());
  const redraw = () => setVersion((v) => v + 1);
  const note = (text: string, tone: 'info' | 'error' = 'info') => {
    transcript.entries.push({ kind: 'note', text, tone });
    if (!transcript.turnId) setFrozen(transcript.entries.length);
    redraw();
  };

  useEffect(() => {
    if (!threadId) return;
    const follow = connection.follow(
      threadId,
      (event) => {
        apply(transcript, event);
        if (!transcript.turnId) setFrozen(transcript.entries.length);
        redraw();
      },
      (error) => note(error ? describeError(error) : 'the event stream ended: Titan stopped', 'error'),
    );
    void follow.ready.then(() => following.current.get(threadId)?.());
    return () => follow.stop();
  }, [threadId]);

  async function command(line: string): Promise<void> {
    const [verb, arg] = line.split(/\s+/);
    if (asking.answer && /^(y|yes|n|no)$/i.test(line)) {
      const answer = asking.answer;
      asking.answer = undefined;
      return answer(/^y/i.test(line));
    }
    if (transcript.approval && /^(y|yes|n|no)$/i.test(line)) {
      const { approvalId } = transcript.approval;
      transcript.approval = undefined;
      await connection.decide(approvalId, /^y/i.test(line));
      return;
    }
    if (verb === '/quit') return exit();
    if (verb === '/help') return note(CHAT_HELP);
    if (verb === '/new') {
      const thread = await connection.newThread();
      setThreadId(thread.id);
      return note(`new thread ${thread.id}`);
    }
    if (verb === '/threads') {
      const threads = await connection.threads();
      return note(threads.length ? threads.map((t) => `${t.id === threadId ? '*' : ' '} ${t.id}  ${t.title ?? ''}`).join('\n') : '(no threads yet)');
    }
    if (verb === '/thread' && arg) {
      setThreadId(arg);
      return note(`thread ${arg}`);
    }
    if (verb === '/interrupt') {
      if (!transcript.turnId) return note('no turn is running');
      return connection.interrupt(transcript.turnId);
    }
    if (verb === '/reflex' && arg === 'model') {
      if (!transcript.lastFast) return note('no answer here came from a reflex or the shadow cache');
      const fast = transcript.lastFast;
      transcript.lastFast = undefined;
      await connection.askModel(fast);
      return;
    }
    if (verb === '/kernel') {
      const args = line.slice('/kernel'.length);
      const ask = (question: string) => {
        note(question);
        return new Promise<boolean>((resolve) => (asking.answer = resolve));
      };
      return note(args.trim() === 'help' ? KERNEL_HELP : await kernelCommand(args, connection.kernel, ask));
    }
    // "/onboard profile" is answered by Titan in the thread, like a message.
    if (line.startsWith('/') && !/^\/onboard\b/.test(line)) return note(`unknown command ${line}. ${CHAT_HELP}`);
    if (transcript.turnId) return note('a turn is running: wait for it, or /interrupt it');
    let id = threadId;
    if (!id) {
      const created = (await connection.newThread(line.slice(0, 60))).id;
      const followed = new Promise<void>((resolve) => following.current.set(created, resolve));
      setThreadId(created);
      await followed;
      following.current.delete(created);
      id = created;
    }
    transcript.entries.push({ kind: 'user', text: line });
    redraw();
    const sent = await connection.send(id, line);
    transcript.turnId ??= sent.turnId;
  }

  useInput((typed, key) => {
    if (key.ctrl && typed === 'c') {
      if (transcript.turnId) void connection.interrupt(transcript.turnId).catch((error: unknown) => note(describeError(error), 'error'));
      else exit();
      return;
    }
    if (key.ctrl && typed === 'd') return exit();
    // A pasted line arrives with its Enter in one chunk: the text before it is sent.
    const enter = key.return || /[\r\n]/.test(typed);
    if (enter) {
      const line = (typedLine.current + (key.return ? '' : typed.split(/[\r\n]/)[0])).trim();
      edit(() => '');
      if (line) void command(line).catch((error: unknown) => note(describeError(error), 'error'));
      return;
    }
    if (key.backspace || key.delete) return edit((s) => s.slice(0, -1));
    if (!key.ctrl && !key.meta && typed) edit((s) => s + typed);
  });

  const done = transcript.entries.slice(0, frozen).map((entry, i) => ({ entry, key: String(i) }));
  const live = transcript.entries.slice(frozen);
  return h(
    Box,
    { flexDirection: 'column' },
    h(Static<{ entry: Entry; key: string }>, { items: done, children: (item) => h(EntryView, { key: item.key, entry: item.entry }) }),
    ...live.map((entry, i) => h(EntryView, { key: `live-${frozen + i}`, entry })),
    h(
      Text,
      { dimColor: true },
      `${threadId ? `thread ${threadId.slice(0, 8)}` : 'new thread'}${transcript.turnId ? ' · answering (Ctrl-C interrupts)' : ''}${connection.startedLog ? ' · Titan started for this chat' : ''} · /help`,
    ),
    h(Text, null, `› ${input}`, h(Text, { inverse: true }, ' ')),
  );
}

/** Runs the chat until the user leaves; streams default to the terminal. */
export async function runChat(connection: Connection, options: { thread?: string; stdin?: Readable; stdout?: Writable } = {}): Promise<void> {
  const app = render(h(Chat, { connection, initialThread: options.thread }), {
    stdin: options.stdin as NodeJS.ReadStream | undefined,
    stdout: options.stdout as NodeJS.WriteStream | undefined,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await app.waitUntilExit();
}
