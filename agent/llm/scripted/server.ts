// The scripted LLM server: one node:http server on 127.0.0.1 that answers the OpenAI, Anthropic and
// Ollama chat routes from a script (or echoes), serves deterministic embeddings, and records a
// timeline. `startScriptedLlm()` is the JS API; /_titan/* is the same control over HTTP.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTitanError, TitanError } from '../../../common/errors.ts';
import { anthropic } from './anthropic.ts';
import { ollamaEmbed, ollamaEmbeddings, openaiEmbeddings } from './embeddings.ts';
import { ollama } from './ollama.ts';
import { openai } from './openai.ts';
import { planEcho, planTurn } from './reply.ts';
import { respondChat, respondError, respondJson, type Exchange } from './respond.ts';
import { parseScript, type Script } from './script.ts';
import { Timeline, type TimelineEntry } from './timeline.ts';
import { TurnQueue } from './turns.ts';
import { isObject, WireRequestError, type JsonObject, type WireFormat } from './wire.ts';

export type ScriptedLlmOptions = {
  /** A script (checked like load()); omitted: echo mode. */
  script?: Script | null;
  /** Port on 127.0.0.1; 0 (default) lets the system choose. */
  port?: number;
  /** Keep the timeline (default true); benchmarks of many streams may turn it off. */
  record?: boolean;
  /** Called when a request has been answered (or cut, or abandoned by the client): for logs. */
  onRequestEnd?: (entry: TimelineEntry) => void;
};

export type ScriptedLlm = {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** What to give each SDK: `openai` baseURL, `@anthropic-ai/sdk` baseURL, `ollama` host. */
  baseUrls: { openai: string; anthropic: string; ollama: string };
  /** Checks and loads a script (null: echo mode); a bad one throws TITAN_E_CONFIG_INVALID and the old one stays. */
  load(script: Script | null): void;
  /** A copy of every request so far, with what was sent and when. */
  timeline(): TimelineEntry[];
  /** Clears the timeline and makes every turn of the loaded script available again. */
  reset(): void;
  close(): Promise<void>;
};

type Handler = (x: Exchange, body: JsonObject) => Promise<void> | void;

const MODEL_IDS = ['titan-scripted'];

export async function startScriptedLlm(options: ScriptedLlmOptions = {}): Promise<ScriptedLlm> {
  const queue = new TurnQueue(options.script ? parseScript(options.script) : undefined);
  const timeline = new Timeline(options.record ?? true, options.onRequestEnd);

  const load = (script: Script | null): void => queue.load(script === null ? undefined : parseScript(script));
  const reset = (): void => {
    queue.rewind();
    timeline.clear();
  };

  const chat =
    (wire: WireFormat): Handler =>
    async (x, body) => {
      let summary;
      try {
        summary = wire.summarize(body);
      } catch (error) {
        if (error instanceof WireRequestError) return respondError(x, wire, 'invalid_request', { message: error.message });
        throw error;
      }
      const pick = queue.pick(wire.route, summary);
      if (pick.kind === 'exhausted') {
        const name = pick.script.name === undefined ? '' : ` "${pick.script.name}"`;
        const message = `titan scripted LLM: no turn of the script${name} is left for this ${wire.route} request (${pick.script.turns.length} turns, each used or not matching); load another with POST /_titan/script or rewind with POST /_titan/reset`;
        return respondError(x, wire, 'server_error', { message, retryable: false });
      }
      x.entry.turn = pick.kind === 'turn' ? pick.index : 'echo';
      const plan = pick.kind === 'turn' ? planTurn(pick.turn, summary) : planEcho(summary);
      await respondChat(x, wire, plan, { requestId: x.entry.id, startedWallMs: x.entry.received.wallMs, summary });
    };

  const json =
    (wire: WireFormat, answer: (body: JsonObject) => unknown): Handler =>
    (x, body) => {
      try {
        respondJson(x, answer(body));
      } catch (error) {
        if (error instanceof WireRequestError) return respondError(x, wire, 'invalid_request', { message: error.message });
        throw error;
      }
    };

  const routes: Record<string, { wire: WireFormat; handler: Handler }> = {
    'POST /v1/chat/completions': { wire: openai, handler: chat(openai) },
    'POST /v1/messages': { wire: anthropic, handler: chat(anthropic) },
    'POST /api/chat': { wire: ollama, handler: chat(ollama) },
    'POST /v1/embeddings': { wire: openai, handler: json(openai, openaiEmbeddings) },
    'POST /api/embed': { wire: ollama, handler: json(ollama, ollamaEmbed) },
    'POST /api/embeddings': { wire: ollama, handler: json(ollama, ollamaEmbeddings) },
    'GET /api/tags': { wire: ollama, handler: (x) => respondJson(x, ollamaTags()) },
    'GET /api/version': { wire: ollama, handler: (x) => respondJson(x, { version: '0.12.0' }) },
    'GET /v1/models': {
      wire: openai,
      handler: (x) => respondJson(x, x.req.headers['anthropic-version'] === undefined ? openaiModels() : anthropicModels()),
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('scripted LLM: request failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    if (path.startsWith('/_titan/')) return control(method, path, raw, res);
    if (method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('Titan scripted LLM is running');
    }
    const route = routes[`${method} ${path}`];
    const wire = route?.wire ?? (path.startsWith('/api/') ? ollama : req.headers['anthropic-version'] !== undefined ? anthropic : openai);
    let body: unknown = null;
    let badJson = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
        body = raw;
      }
    }
    const entry = timeline.begin(method, path, route ? wire.route : 'unknown', req.headers, body);
    const x: Exchange = { req, res, entry, timeline };
    if (!route) return respondError(x, wire, 'not_found', { message: `${method} ${path} is not a route of the scripted LLM server` });
    if (method === 'POST' && (badJson || !isObject(body))) {
      return respondError(x, wire, 'invalid_request', { message: 'the request body is not a JSON object' });
    }
    await route.handler(x, isObject(body) ? body : {});
  }

  function control(method: string, path: string, raw: string, res: ServerResponse): void {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const key = `${method} ${path}`;
    if (key === 'GET /_titan/timeline') return send(200, { timeOrigin: performance.timeOrigin, entries: timeline.snapshot() });
    if (key === 'GET /_titan/script') return send(200, { script: queue.script ?? null, remaining: queue.remaining() });
    if (key === 'POST /_titan/reset') {
      reset();
      return send(200, { reset: true });
    }
    if (key === 'POST /_titan/script') {
      try {
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          throw new TitanError('TITAN_E_CONFIG_INVALID', 'the script sent to POST /_titan/script is not JSON');
        }
        load(value as Script | null); // parseScript checks it
        return send(200, { loaded: queue.script ? 'script' : 'echo', turns: queue.script?.turns.length ?? 0 });
      } catch (error) {
        if (isTitanError(error)) return send(error.status, { error: error.toJSON() });
        throw error;
      }
    }
    send(404, {
      error: new TitanError('TITAN_E_NOT_FOUND', `${key} is not a control route (GET /_titan/timeline, GET|POST /_titan/script, POST /_titan/reset)`).toJSON(),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    baseUrls: { openai: `${url}/v1`, anthropic: url, ollama: url },
    load,
    timeline: () => timeline.snapshot(),
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function openaiModels(): unknown {
  return { object: 'list', data: MODEL_IDS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'titan' })) };
}

function anthropicModels(): unknown {
  const data = MODEL_IDS.map((id) => ({ type: 'model', id, display_name: 'Titan scripted', created_at: '2026-01-01T00:00:00Z' }));
  return { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id };
}

function ollamaTags(): unknown {
  const models = MODEL_IDS.map((name) => ({
    name,
    model: name,
    modified_at: '2026-01-01T00:00:00Z',
    size: 0,
    digest: '0'.repeat(64),
    details: { parent_model: '', format: 'gguf', family: 'titan', families: ['titan'], parameter_size: '0B', quantization_level: 'none' },
  }));
  return { models };
}
