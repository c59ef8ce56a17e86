// What `titan chat` shows, as data: the thread's turn events folded into a transcript of entries
// (what you said, the answer as it streams, a card per tool call with its live output, approvals,
// notes). Pure, so the terminal view only draws it and tests read it without a terminal.
import type { TurnEvent } from '../../agent/api.ts';

/** The most output a tool card keeps (its tail): a long build log must not grow the screen without end. */
export const TOOL_OUTPUT_TAIL = 2000;

export type ToolCard = {
  callId: string;
  name: string;
  arguments: string;
  output: string;
  state: 'running' | 'done' | 'failed';
  error?: string;
  early: boolean;
};
export type Entry =
  | { kind: 'user'; text: string }
  | { kind: 'answer'; turnId: string; text: string; source?: string }
  | { kind: 'tool'; turnId: string; card: ToolCard }
  | { kind: 'approval'; approvalId: string; name: string; arguments: string; expiresAt: number; decision?: string }
  | { kind: 'note'; text: string; tone: 'info' | 'error' };

export type Transcript = {
  entries: Entry[];
  /** The turn that is running, if one is. */
  turnId?: string;
  /** The approval waiting for y/n, if one is. */
  approval?: { approvalId: string; name: string };
  /** The last turn answered without the model (a reflex or the shadow cache), for /reflex model. */
  lastFast?: string;
};

export const emptyTranscript = (): Transcript => ({ entries: [] });

const brief = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
};

/** The answer entry of a turn, created when its first words arrive. */
function answerOf(t: Transcript, turnId: string): Extract<Entry, { kind: 'answer' }> {
  const found = t.entries.findLast((e): e is Extract<Entry, { kind: 'answer' }> => e.kind === 'answer' && e.turnId === turnId);
  if (found && t.entries.at(-1) === found) return found;
  const entry: Extract<Entry, { kind: 'answer' }> = { kind: 'answer', turnId, text: '' };
  t.entries.push(entry);
  return entry;
}

function cardOf(t: Transcript, callId: string): ToolCard | undefined {
  return t.entries.findLast((e): e is Extract<Entry, { kind: 'tool' }> => e.kind === 'tool' && e.card.callId === callId)?.card;
}

/** Folds one event into the transcript (in place; the view re-renders after each). */
export function apply(t: Transcript, event: TurnEvent): Transcript {
  switch (event.type) {
    case 'turn.started':
      t.turnId = event.turnId;
      break;
    case 'text':
      answerOf(t, event.turnId).text += event.text;
      break;
    case 'tool.started':
      t.entries.push({
        kind: 'tool',
        turnId: event.turnId,
        card: { callId: event.callId, name: event.name, arguments: brief(event.arguments), output: '', state: 'running', early: event.early },
      });
      break;
    case 'tool.output': {
      const card = cardOf(t, event.callId);
      if (card) card.output = (card.output + event.text).slice(-TOOL_OUTPUT_TAIL);
      break;
    }
    case 'tool.completed': {
      const card = cardOf(t, event.callId);
      if (card) {
        card.state = event.ok ? 'done' : 'failed';
        if (event.error) card.error = `${event.error.code}: ${event.error.message}`;
      }
      break;
    }
    case 'approval.needed':
      t.approval = { approvalId: event.approvalId, name: event.name };
      t.entries.push({ kind: 'approval', approvalId: event.approvalId, name: event.name, arguments: brief(event.arguments), expiresAt: event.expiresAt });
      break;
    case 'approval.decided': {
      const entry = t.entries.findLast((e): e is Extract<Entry, { kind: 'approval' }> => e.kind === 'approval' && e.approvalId === event.approvalId);
      if (entry) entry.decision = `${event.decision}${event.by ? ` by ${event.by}` : ''}${event.reason ? `: ${event.reason}` : ''}`;
      if (t.approval?.approvalId === event.approvalId) t.approval = undefined;
      break;
    }
    case 'answer.source':
      // Titan's own onboarding questions: nothing the model could answer instead.
      if (event.source === 'onboarding') break;
      t.lastFast = event.turnId;
      answerOf(t, event.turnId).source =
        event.source === 'reflex' ? `reflex ${event.reflex?.name}@${event.reflex?.version}, no model call` : 'precomputed by a shadow worker';
      break;
    case 'status':
      t.entries.push({ kind: 'note', text: `(${event.message})`, tone: 'info' });
      break;
    case 'error':
      t.entries.push({ kind: 'note', text: `${event.code}: ${event.message}${event.fix ? `\n  fix: ${event.fix}` : ''}`, tone: 'error' });
      break;
    case 'turn.failed':
      t.entries.push({ kind: 'note', text: `${event.code}: ${event.message}`, tone: 'error' });
      if (t.turnId === event.turnId) t.turnId = undefined;
      break;
    case 'turn.interrupted':
      t.entries.push({ kind: 'note', text: `(interrupted by ${event.by})`, tone: 'info' });
      if (t.turnId === event.turnId) t.turnId = undefined;
      break;
    case 'turn.completed':
      if (t.turnId === event.turnId) t.turnId = undefined;
      break;
    default:
      break;
  }
  return t;
}
