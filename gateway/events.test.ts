// Live events: a message sent over REST streams its turn's events to SSE and WebSocket clients in
// order, exactly as the bus carried them; a client that reconnects with Last-Event-ID (or a
// WebSocket that subscribes with `after`) gets exactly what it missed, then the live stream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TurnEvent } from '../agent/api.ts';
import type { Step } from '../test/support/model-double.ts';
import { busEventsOf, openGateway, openHarness, openSse, openWs, type Harness } from '../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

const answer = (...pieces: Array<string | number>): Step => [
  ...pieces.map((p) => (typeof p === 'number' ? { wait: p } : { type: 'text' as const, text: p })),
  { type: 'stop', reason: 'end_turn' },
];
const strip = (e: TurnEvent) => JSON.parse(JSON.stringify(e));
const ended = (e: { type: string }) => e.type === 'turn.completed' || e.type === 'turn.failed' || e.type === 'turn.interrupted';

test('SSE: the events of a sent message arrive in order, each with id <turnId>:<seq>, as the bus carried them', async (t) => {
  const gw = await openGateway(harness, { steps: [answer('Hel', 'lo ', 'there')] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sse = await openSse(`${gw.url}/api/threads/${thread.id}/events`, { authorization: `Bearer ${gw.token}` });
  t.after(() => sse.close());

  const sent = await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'hi' });
  assert.equal(sent.status, 202);
  const stored = (await gw.call('GET', `/api/threads/${thread.id}/messages`)).body.messages;
  assert.deepEqual(
    stored.map((m: { id: string }) => m.id),
    [sent.body.messageId],
    'committed when 202 answers',
  );

  await sse.until((e) => e.data.turnId === sent.body.turnId && ended(e.data));
  const streamed = sse.received.filter((e) => e.data.turnId === sent.body.turnId);
  assert.deepEqual(
    streamed.map((e) => e.data.type),
    ['turn.started', 'text', 'text', 'text', 'turn.completed'],
  );
  assert.deepEqual(
    streamed.map((e) => e.id),
    streamed.map((e) => `${sent.body.turnId}:${e.data.seq}`),
  );
  assert.deepEqual(
    streamed.map((e) => e.data),
    busEventsOf(harness, sent.body.turnId).map(strip),
  );
});

test('WebSocket: subscribe to a thread, receive its events in order in the same envelope as SSE', async (t) => {
  const gw = await openGateway(harness, { steps: [answer('one ', 'two ', 'three')] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const other = (await gw.call('POST', '/api/threads', {})).body;
  const ws = await openWs(gw.url, { token: gw.token });
  t.after(() => ws.close());
  ws.send({ subscribe: thread.id });
  await ws.until((m) => m.type === 'ws.subscribed');

  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'count' })).body;
  await ws.until((m) => m.turnId === sent.turnId && ended(m));
  const streamed = ws.messages.filter((m) => m.turnId === sent.turnId);
  assert.deepEqual(streamed, busEventsOf(harness, sent.turnId).map(strip));
  assert.deepEqual(
    streamed.map((m) => m.seq),
    streamed.map((_, i) => i + 1),
  );

  // Only subscribed threads are sent; after unsubscribing, nothing more.
  ws.send({ unsubscribe: thread.id });
  await ws.until((m) => m.type === 'ws.unsubscribed');
  const count = ws.messages.length;
  const quiet = await openGateway(harness, { steps: [answer('elsewhere')] });
  t.after(() => quiet.close());
  const elsewhere = (await quiet.call('POST', `/api/threads/${other.id}/messages`, { text: 'x' })).body;
  await quiet.agent.running().find((r) => r.turnId === elsewhere.turnId)?.done;
  assert.equal(ws.messages.length, count);

  ws.send({ subscribe: thread.id, unsubscribe: thread.id });
  const error = await ws.until((m) => m.type === 'ws.error');
  assert.equal(error.error.code, 'TITAN_E_INVALID_REQUEST');
  ws.ws.send('not json');
  await ws.until((m) => m.type === 'ws.error' && /not JSON/.test(m.error.message));
});

test('SSE resume: reconnecting with Last-Event-ID replays exactly the missed events, then goes on live', async (t) => {
  const gw = await openGateway(harness, { steps: [answer('a', 'b', 300, 'c', 'd'), answer('next ', 'turn')] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const headers = { authorization: `Bearer ${gw.token}` };
  const first = await openSse(`${gw.url}/api/threads/${thread.id}/events`, headers);
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'go' })).body;
  const lastSeen = await first.until((e) => e.data.type === 'text' && (e.data as { text: string }).text === 'b');
  await first.close();

  // The rest of the turn happens while nobody listens.
  await gw.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  const resumed = await openSse(`${gw.url}/api/threads/${thread.id}/events`, { ...headers, 'last-event-id': lastSeen.id });
  t.after(() => resumed.close());
  await resumed.until((e) => e.data.turnId === sent.turnId && ended(e.data));
  const missed = busEventsOf(harness, sent.turnId)
    .filter((e) => e.seq > lastSeen.data.seq)
    .map(strip);
  assert.deepEqual(
    missed.map((e) => e.type),
    ['text', 'text', 'turn.completed'],
  );
  assert.deepEqual(
    resumed.received.map((e) => e.data),
    missed,
    'exactly the missed events, each once',
  );

  const next = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'more' })).body;
  await resumed.until((e) => e.data.turnId === next.turnId && ended(e.data));
  assert.deepEqual(
    resumed.received.slice(missed.length).map((e) => e.data),
    busEventsOf(harness, next.turnId).map(strip),
  );

  // From a gateway that did not see the turn (a restart): replayed from the store, whose text
  // events are merged per flush, then the turns after it.
  const restarted = await openGateway(harness);
  t.after(() => restarted.close());
  const fromStore = await openSse(`${restarted.url}/api/threads/${thread.id}/events?lastEventId=${sent.turnId}:1`, headers);
  t.after(() => fromStore.close());
  await fromStore.until((e) => e.data.turnId === next.turnId && ended(e.data));
  const replayed = fromStore.received.map((e) => e.data);
  assert.equal(
    replayed
      .filter((e) => e.turnId === sent.turnId)
      .map((e) => (e.type === 'text' ? e.text : e.type))
      .join(''),
    'abcdturn.completed',
  );
  assert.equal(replayed.filter((e) => e.turnId === next.turnId)[0].type, 'turn.started', 'the next turn follows whole');
  assert.ok(
    replayed.every((e, i) => i === 0 || e.turnId !== replayed[i - 1].turnId || e.seq > replayed[i - 1].seq),
    'in order',
  );

  // A malformed id, or one from another thread, is refused with a code.
  const bad = await gw.call('GET', `/api/threads/${thread.id}/events?lastEventId=garbage`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'TITAN_E_INVALID_REQUEST');
  const elsewhere = (await gw.call('POST', '/api/threads', {})).body;
  const foreign = await gw.call('GET', `/api/threads/${elsewhere.id}/events?lastEventId=${sent.turnId}:1`);
  assert.equal(foreign.status, 400);
});

test('WebSocket resume: subscribe with `after` replays what was missed before live events', async (t) => {
  const gw = await openGateway(harness, { steps: [answer('x', 'y', 'z')] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'go' })).body;
  await gw.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  const ws = await openWs(gw.url, { token: gw.token });
  t.after(() => ws.close());
  ws.send({ subscribe: thread.id, after: `${sent.turnId}:2` });
  await ws.until((m) => m.type === 'ws.subscribed');
  const replayed = ws.messages.filter((m) => m.turnId === sent.turnId);
  assert.deepEqual(
    replayed,
    busEventsOf(harness, sent.turnId)
      .filter((e) => e.seq > 2)
      .map(strip),
  );
});
