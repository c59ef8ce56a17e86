// For the reflex runtime's tests (components/reflexes/*.test.ts): the one reflex mined from a few
// turns of one tool, asked as a user would.
import assert from 'node:assert/strict';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type ObservedTurn } from '../../agent/reflex/miner.ts';
import { createReflex } from '../../components/reflexes/runtime.js';

export type Tool = (args: Record<string, string>) => unknown;

/** The one reflex learned from the prompts; ask() gives its answer, or undefined where the model answers. */
export async function learn(prompts: Array<[string, Record<string, string>]>, tool: Tool, say: (args: Record<string, string>, result: unknown) => string) {
  const turns: ObservedTurn[] = prompts.map(([prompt, args], i) => {
    const result = tool(args);
    return { turnId: `t${i}`, prompt, calls: [{ tool: 'tool', args, result: JSON.stringify(result) }], answer: say(args, result) };
  });
  const patterns = (await minePatterns(turns, { embedder: localEmbedder, minSupport: 3, similarity: 0.5 })).filter((p) => !p.skipped);
  assert.equal(patterns.length, 1);
  const reflex = createReflex({ ...patterns[0].spec, name: 'r', description: '' }, (_, input) => JSON.stringify(tool(JSON.parse(input))));
  return (prompt: string): string | undefined => {
    const match = reflex.match(prompt);
    return match && match.confidence >= 0.8 ? reflex.execute(match.slotsJson) : undefined;
  };
}

/** The room reflex the runtime tests share: learned from four ways of asking whether a room is free (the state by the name's length). */
export function learnRooms() {
  return learn(
    [
      ['is room Atlas free', { room: 'Atlas' }],
      ['is the Boreal room free', { room: 'Boreal' }],
      ['Cedar room free', { room: 'Cedar' }],
      ['can I use room Delta', { room: 'Delta' }],
    ],
    ({ room }) => ({ state: room.length % 2 === 0 ? 'free' : 'busy' }),
    (a, r) => `${a.room} is ${(r as { state: string }).state}.`,
  );
}

/** The showtimes reflex the lexicon tests share: learned from four ways of asking when a film is on (two times, the second by the title's length). */
export function learnShowtimes() {
  return learn(
    [
      ['showtimes for Dune', { movie: 'Dune' }],
      ['when is Barbie showing', { movie: 'Barbie' }],
      ['what time is Oppenheimer on', { movie: 'Oppenheimer' }],
      ['Wicked showtimes', { movie: 'Wicked' }],
    ],
    ({ movie }) => ({ times: ['18:00', `2${movie.length % 4}:00`] }),
    (a, r) => `${a.movie}: ${(r as { times: string[] }).times.join(' and ')}.`,
  );
}
