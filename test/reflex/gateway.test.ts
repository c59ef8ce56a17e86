// Reflexes through the gateway: listed with their counters, answers marked in the REST history and
// in OpenAI-compatible answers (whole and streamed), "ask the model instead" over HTTP, owner
// actions, and the Prometheus metrics.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startGateway } from '../../gateway/server.ts';
import { learnWeather, modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('the gateway lists reflexes, marks their answers (REST, /v1 whole and streamed), re-asks the model on request, and counts in /metrics', async (t) => {
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  const gateway = await startGateway({ kernel: h.kernel, agent: h.agent, port: 0, ownerId: 'ada' });
  t.after(() => gateway.close());
  const token = (await readFile(path.join(h.home, 'gateway-token'), 'utf8')).trim();
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(gateway.url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  };

  const listed = (await call('GET', '/api/reflexes')).json();
  assert.equal(listed.enabled, true);
  assert.deepEqual(
    listed.reflexes.map((r: { name: string; state: string }) => [r.name, r.state]),
    [[record.name, 'serving']],
  );

  const whole = await call('POST', '/v1/chat/completions', { model: 'titan', messages: [{ role: 'user', content: 'weather in Oslo' }] });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('x-titan-answered-by'), `reflex:${record.name}@1.0.0`);
  assert.equal(whole.json().titan_answered_by, `reflex:${record.name}@1.0.0`);
  assert.equal(whole.json().choices[0].message.content, rightAnswer(weather, 'Oslo').answer);
  const streamed = await call('POST', '/v1/chat/completions', { model: 'titan', stream: true, messages: [{ role: 'user', content: 'weather in Vienna' }] });
  assert.match(streamed.text, new RegExp(`"titan_answered_by":"reflex:${record.name}@1.0.0"`));

  // REST: the history marks the answer; ask-model re-asks the model and counts against the reflex.
  const sent = (await call('POST', `/api/threads/${thread}/messages`, { text: 'weather in Lisbon' })).json();
  await h.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  const history = (await call('GET', `/api/threads/${thread}/messages`)).json().messages;
  assert.equal(history.at(-1).source, `reflex:${record.name}@1.0.0`);
  h.steps.push(...modelTurn(weather, 'Lisbon'));
  const asked = await call('POST', `/api/turns/${sent.turnId}/ask-model`, {});
  assert.equal(asked.status, 202, asked.text);
  await h.agent.running().find((r) => r.turnId === asked.json().turnId)?.done;
  const after = (await call('GET', `/api/threads/${thread}/messages`)).json().messages;
  assert.equal(after.at(-1).source, null);
  assert.equal(after.at(-1).content, rightAnswer(weather, 'Lisbon').answer);
  assert.equal((await call('GET', `/api/reflexes/${record.name}`)).json().rejections, 1);
  const notFast = await call('POST', `/api/turns/${asked.json().turnId}/ask-model`, {});
  assert.equal(notFast.status, 409);
  assert.equal(notFast.json().error.code, 'TITAN_E_NOT_FAST_ANSWER');

  const metrics = (await call('GET', '/metrics')).text;
  assert.match(metrics, new RegExp(`titan_model_calls_avoided_total\\{source="reflex",reflex="${record.name}"\\} 3`));
  assert.match(metrics, new RegExp(`titan_reflex_events\\{reflex="${record.name}",state="serving",event="rejections"\\} 1`));

  const suspended = await call('POST', `/api/reflexes/${record.name}/suspend`, { why: 'looking into it' });
  assert.equal(suspended.json().state, 'suspended');
  assert.equal((await call('POST', '/api/reflexes/no-such/resume', {})).status, 404);
});
