// Requests written as a stranger types them, to reflexes learned from plainer ones: values glued to
// units and signs ("5km", "-5", "€40,50", "10%"), UTC offsets ("UTC+09:00", "UTC+9"), codes behind
// a sign ("#A12"), lists of 0, 1 and 7 items. Each is answered right or left to the model (no
// match, or execute refuses); never answered wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReflex } from '../../components/reflexes/runtime.js';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type ObservedTurn } from '../../agent/reflex/miner.ts';

const options = { embedder: localEmbedder, minSupport: 3, similarity: 0.5 };
type Tool = (args: Record<string, unknown>) => unknown;

function turn(id: string, prompt: string, tool: string, args: Record<string, unknown>, result: unknown, answer: string): ObservedTurn {
  return { turnId: id, prompt, calls: [{ tool, args, result: JSON.stringify(result) }], answer };
}

/** The reflex learned from the turns; ask() gives its answer, or undefined where the model would answer. */
async function learn(turns: ObservedTurn[], tool: Tool) {
  const patterns = (await minePatterns(turns, options)).filter((p) => !p.skipped);
  assert.equal(patterns.length, 1);
  const reflex = createReflex({ ...patterns[0].spec, name: 'r', description: '' }, (_, input) => JSON.stringify(tool(JSON.parse(input))));
  return (prompt: string): string | undefined => {
    const match = reflex.match(prompt);
    if (!match || match.confidence < 0.8) return undefined;
    try {
      return reflex.execute(match.slotsJson);
    } catch {
      return undefined;
    }
  };
}

/** Every prompt answered right (its intended answer) or not at all; the ones that must be answered are. */
function rightOrModel(ask: (p: string) => string | undefined, cases: Array<[string, string | undefined]>, answered: string[] = []) {
  for (const [prompt, right] of cases) {
    const answer = ask(prompt);
    if (answer !== undefined) assert.equal(answer, right, `"${prompt}" answered wrong`);
    if (answered.includes(prompt)) assert.equal(answer, right, `"${prompt}" left to the model`);
  }
}

test('amounts glued to signs, currencies and units, or with a decimal comma: right or left to the model', async () => {
  const fx: Tool = ({ amount }) => ({ eur: amount, usd: Math.round(Number(amount) * 108) / 100 });
  const say = (n: string, amount: number) => `${n} EUR is ${Math.round(amount * 108) / 100} USD.`;
  const ask = await learn(
    [40, 12.5, 100].map((n, i) => turn(`f${i}`, `convert ${n} EUR to USD`, 'fx', { amount: n }, fx({ amount: n }), say(String(n), n))),
    fx,
  );
  rightOrModel(
    ask,
    [
      ['convert 7 EUR to USD', say('7', 7)],
      ['convert 40.5 EUR to USD', say('40.5', 40.5)],
      ['convert 1,500 EUR to USD', say('1,500', 1500)],
      ['convert 40,50 EUR to USD', say('40,50', 40.5)],
      ['convert €40,50 to USD', say('€40,50', 40.5)],
      ['convert -5 EUR to USD', say('-5', -5)],
      ['convert +3 EUR to USD', say('+3', 3)],
      ['convert 5k EUR to USD', say('5k', 5000)],
      ['convert 5EUR to USD', say('5', 5)],
      ['convert 1.000,50 EUR to USD', say('1.000,50', 1000.5)],
      ['convert 10% EUR to USD', undefined],
      ['convert 3/4 EUR to USD', say('3/4', 0.75)],
    ],
    ['convert 7 EUR to USD', 'convert 40.5 EUR to USD'],
  );
});

test('a temperature below zero and a distance glued to its unit are never read without their sign or unit', async () => {
  const temp: Tool = ({ celsius }) => ({ c: celsius, f: (Number(celsius) * 9) / 5 + 32 });
  const say = (n: string, c: number) => `${n} °C is ${(c * 9) / 5 + 32} °F.`;
  const askTemp = await learn(
    [20, 35, 12].map((n, i) => turn(`c${i}`, `what is ${n} celsius in fahrenheit`, 'temp', { celsius: n }, temp({ celsius: n }), say(String(n), n))),
    temp,
  );
  rightOrModel(
    askTemp,
    [
      ['what is -5 celsius in fahrenheit', say('-5', -5)],
      ['what is −5 celsius in fahrenheit', say('−5', -5)],
      ['what is 0 celsius in fahrenheit', say('0', 0)],
      ['what is 30°C celsius in fahrenheit', say('30', 30)],
    ],
    ['what is 0 celsius in fahrenheit'],
  );
  const units: Tool = ({ km }) => ({ km, mi: Math.round(Number(km) * 62.1) / 100 });
  const sayKm = (n: number) => `${n} km is ${Math.round(n * 62.1) / 100} miles.`;
  const askKm = await learn(
    [10, 42, 3].map((n, i) => turn(`d${i}`, `how many miles is ${n} km`, 'units', { km: n }, units({ km: n }), sayKm(n))),
    units,
  );
  rightOrModel(
    askKm,
    [
      ['how many miles is 5km', sayKm(5)],
      ['how many miles is 5 km?', sayKm(5)],
      ['how many miles is 2.5 km', sayKm(2.5)],
      ['how many miles is 5 mi', undefined],
    ],
    ['how many miles is 5 km?'],
  );
});

test('UTC offsets as zones: the offset asked is the one the tool gets, or the model answers', async () => {
  // A clock that knows zones written as UTC+hh:mm only.
  const clock: Tool = ({ zone }) => {
    const m = /^UTC([+-])(\d{2}):(\d{2})$/.exec(String(zone));
    if (!m) return { error: `unknown zone ${zone}` };
    const minutes = (12 * 60 + (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) + 24 * 60) % (24 * 60);
    return { zone, local_time: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` };
  };
  const say = (zone: string) => `It is ${(clock({ zone }) as { local_time: string }).local_time} in ${zone}.`;
  const ask = await learn(
    ['UTC+01:00', 'UTC-05:00', 'UTC+05:30'].map((zone, i) => turn(`z${i}`, `what time is it in ${zone}`, 'clock', { zone }, clock({ zone }), say(zone))),
    clock,
  );
  rightOrModel(
    ask,
    [
      ['what time is it in UTC+09:00', say('UTC+09:00')],
      ['what time is it in UTC-03:30?', say('UTC-03:30')],
      ['what time is it in UTC+9', say('UTC+09:00').replace('UTC+09:00', 'UTC+9')],
      ['what time is it in UTC+09:00 and UTC+01:00', undefined],
    ],
    ['what time is it in UTC+09:00', 'what time is it in UTC-03:30?'],
  );
});

test('a code behind a sign or in another case: right or left to the model', async () => {
  const tracker: Tool = ({ ticket }) => (/^[A-Z]\d+$/.test(String(ticket)) ? { key: ticket, status: 'Open' } : { error: 'no such ticket' });
  const ask = await learn(
    ['A7', 'B12', 'C3'].map((t, i) => turn(`k${i}`, `status of ticket ${t}`, 'tracker', { ticket: t }, tracker({ ticket: t }), `Ticket ${t} is Open.`)),
    tracker,
  );
  rightOrModel(
    ask,
    [
      ['status of ticket #A12', 'Ticket A12 is Open.'],
      ['status of ticket A12?', 'Ticket A12 is Open.'],
      ['status of ticket a12', 'Ticket A12 is Open.'],
      ['status of ticket A-12', 'Ticket A12 is Open.'],
      ['status of ticket A12, A13', undefined],
    ],
    ['status of ticket A12?'],
  );
});

test('lists of 0, 1 and 7 items after source lists of 2 to 4: all 7 with their count; 0 and 1 left to the model', async () => {
  const TITLES = ['Standup', 'Dentist', 'Gym', 'Lunch with Kim, Bo and Al', 'Call Ana', 'Read', 'Dinner'];
  const LENGTHS: Record<string, number> = { monday: 2, tuesday: 3, wednesday: 4, thursday: 7, friday: 1, saturday: 0 };
  const calendar: Tool = ({ day }) => ({ day, events: TITLES.slice(0, LENGTHS[String(day)]).map((title, i) => ({ title, start: `${9 + i}:00` })) });
  const say = (day: string) => {
    const items = TITLES.slice(0, LENGTHS[day]).map((t, i) => `${t} at ${9 + i}:00`);
    return `You have ${items.length} events on ${day}: ${items.slice(0, -1).join('; ')} and ${items.at(-1)}.`;
  };
  const ask = await learn(
    ['monday', 'tuesday', 'wednesday'].map((day, i) => turn(`a${i}`, `what's on my calendar on ${day}`, 'calendar', { day }, calendar({ day }), say(day))),
    calendar,
  );
  assert.equal(ask("what's on my calendar on thursday"), say('thursday'));
  assert.equal(ask("what's on my calendar on friday"), undefined);
  assert.equal(ask("what's on my calendar on saturday"), undefined);
});
