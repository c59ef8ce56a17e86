// Which scripted turn answers a request: the first turn, in script order, that is still unused,
// is for this route (or any route) and whose `match` holds. `repeat` turns are never used up.
import type { Script, Turn } from './script.ts';
import type { RequestSummary, Route } from './wire.ts';

export type TurnPick = { kind: 'turn'; index: number; turn: Turn } | { kind: 'echo' } | { kind: 'exhausted'; script: Script };

export class TurnQueue {
  #script: Script | undefined;
  #used: boolean[] = [];

  constructor(script?: Script) {
    this.load(script);
  }

  /** Replaces the script (already validated); undefined means echo mode. */
  load(script: Script | undefined): void {
    this.#script = script;
    this.#used = script ? script.turns.map(() => false) : [];
  }

  /** Makes every turn of the current script available again. */
  rewind(): void {
    this.#used.fill(false);
  }

  get script(): Script | undefined {
    return this.#script;
  }

  remaining(): number {
    return this.#used.filter((used) => !used).length;
  }

  pick(route: Route, request: RequestSummary): TurnPick {
    const script = this.#script;
    if (!script) return { kind: 'echo' };
    for (let index = 0; index < script.turns.length; index++) {
      const turn = script.turns[index];
      if (this.#used[index] || (turn.route !== undefined && turn.route !== route) || !matches(turn, request)) continue;
      if (!turn.repeat) this.#used[index] = true;
      return { kind: 'turn', index, turn };
    }
    return script.whenExhausted === 'echo' ? { kind: 'echo' } : { kind: 'exhausted', script };
  }
}

function matches(turn: Turn, request: RequestSummary): boolean {
  const match = turn.match;
  if (!match) return true;
  if (match.model !== undefined && match.model !== request.model) return false;
  if (match.lastUserContains !== undefined && !request.lastUserText.includes(match.lastUserContains)) return false;
  if (match.lastMessageContains !== undefined && !request.lastMessageText.includes(match.lastMessageContains)) return false;
  return true;
}
