// Source files parsed for the code graph on mesh peers (the indexBuilds port), verified before they
// are used: each file's path and sha256 as sent, facts of the right shape within the file's lines
// and the file's own symbol list, and one file per batch, picked here at random, parsed here too and
// required to give the very same facts. A peer that is lost, times out or answers anything else
// leaves the files to this node (parsed here as before), with the reason logged and counted.
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TitanError } from '../../../common/errors.ts';
import type { Logger } from '../../../kernel/logger.ts';
import type { CodeAnswer, CodeBatch, IndexBuildOffload } from '../../ports.ts';
import { PeerOffloadAccount, peerBatches } from '../peer-offload.ts';
import type { FileFacts, Language } from './facts.ts';
import { parseFacts } from './parse.ts';
import { type Candidate, readSource } from './scan.ts';

export class PeerParsing {
  readonly #port: IndexBuildOffload;
  /** Verified facts by path and digest, taken by the index run as it reaches each file. */
  readonly #ready = new Map<string, FileFacts>();
  readonly account: PeerOffloadAccount;

  constructor(port: IndexBuildOffload, logger: Logger) {
    this.#port = port;
    this.account = new PeerOffloadAccount(logger, {
      lost: 'code graph: a peer did not parse the batch; parsing those files here',
      refused: "code graph: a peer's parse was refused; parsing those files here",
    });
  }

  /** Sends the changed, readable files among `candidates` to peers; their verified facts wait in take(). */
  async prefetch(candidates: Candidate[], known: (path: string) => string | undefined, maxBytes?: number): Promise<void> {
    if (!this.#port.placeCode()) return;
    const files: CodeBatch['files'] = [];
    for (const c of candidates) {
      const source = await readSource(c.absolute, maxBytes).catch(() => undefined);
      if (source?.ok && known(c.path) !== source.digest) files.push({ path: c.path, language: c.language, content: source.text, digest: source.digest });
    }
    for (const parts of peerBatches(files)) {
      const batch: CodeBatch = { files: parts };
      const peer = this.#port.placeCode();
      if (!peer) return;
      this.account.counters.batchesSent++;
      let answer: unknown;
      try {
        answer = await this.#port.runCode(peer, batch);
      } catch (error) {
        this.account.fallback(peer, error, false);
        continue;
      }
      try {
        for (const [key, facts] of await verifyCode(answer, batch, peer)) this.#ready.set(key, facts);
        this.account.counters.filesByPeers += batch.files.length;
      } catch (error) {
        this.account.fallback(peer, error, true);
      }
    }
  }

  /** A peer's verified facts for this file's content, once (undefined: parse it here). */
  take(path: string, digest: string): FileFacts | undefined {
    const key = `${path}\u0000${digest}`;
    const facts = this.#ready.get(key);
    this.#ready.delete(key);
    return facts;
  }
}

const lines = (text: string) => text.split('\n').length;
const isInt = (v: unknown, min: number, max: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** The facts a peer answered, by path and digest, once every check holds; otherwise TITAN_E_MESH_INDEX_REJECTED. */
export async function verifyCode(value: unknown, sent: CodeBatch, peer: string): Promise<Map<string, FileFacts>> {
  const reject = (why: string) => new TitanError('TITAN_E_MESH_INDEX_REJECTED', `the code batch parsed by ${peer} is refused: ${why}`);
  const answer = value as Partial<CodeAnswer> | null;
  if (!Array.isArray(answer?.files) || answer.files.length !== sent.files.length) throw reject(`expected ${sent.files.length} files, one per file sent`);
  const out = new Map<string, FileFacts>();
  const parsed: number[] = [];
  for (const [i, file] of sent.files.entries()) {
    const got = answer.files[i] as Partial<CodeAnswer['files'][number]>;
    if (got?.path !== file.path || got.digest !== file.digest) throw reject(`file ${i} is not ${file.path} with the content sent (its path or digest differs)`);
    if (got.facts === null || got.facts === undefined) continue; // the peer's parser failed on it: parsed here
    const facts = got.facts as Partial<FileFacts>;
    const max = lines(file.content) + 1;
    const symbols = Array.isArray(facts.symbols) ? facts.symbols : undefined;
    if (
      facts.path !== file.path ||
      facts.language !== file.language ||
      !symbols ||
      !Array.isArray(facts.refs) ||
      !Array.isArray(facts.imports) ||
      !isInt(facts.errors, 0, Infinity)
    )
      throw reject(`the facts of ${file.path} are not of the code graph's shape`);
    const count = symbols.length;
    const bad =
      symbols.find(
        (s, seq) =>
          s?.seq !== seq ||
          typeof s.name !== 'string' ||
          typeof s.qualified !== 'string' ||
          !isInt(s.line, 0, max) ||
          !isInt(s.endLine, 0, max) ||
          !(s.parent === null || isInt(s.parent, 0, count - 1)),
      ) ??
      facts.refs.find((r) => typeof r?.name !== 'string' || !isInt(r.from, 0, count - 1) || !isInt(r.line, 0, max)) ??
      facts.imports.find((m) => typeof m?.source !== 'string' || typeof m.local !== 'string' || !isInt(m.line, 0, max));
    if (bad !== undefined) throw reject(`${file.path} holds a fact outside its own lines or symbols: ${JSON.stringify(bad).slice(0, 200)}`);
    out.set(`${file.path}\u0000${file.digest}`, facts as FileFacts);
    parsed.push(i);
  }
  if (parsed.length > 0) {
    const probe = sent.files[parsed[randomInt(parsed.length)]];
    const mine = await parseFacts(probe.path, probe.language as Language, probe.content);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(mine)), out.get(`${probe.path}\u0000${probe.digest}`)))
      throw reject(`${probe.path}, parsed here again, does not give the facts it answered`);
  }
  return out;
}

/** The serving side: a peer's files parsed with this node's grammars (a file its grammar fails on answers why). */
export async function parseCodeBatch(batch: CodeBatch): Promise<CodeAnswer> {
  const files: CodeAnswer['files'] = [];
  for (const f of batch.files) {
    try {
      files.push({ path: f.path, digest: f.digest, facts: await parseFacts(f.path, f.language as Language, f.content) });
    } catch (error) {
      files.push({ path: f.path, digest: f.digest, facts: null, error: (error as Error).message ?? String(error) });
    }
  }
  return { files };
}
