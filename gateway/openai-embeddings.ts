// POST /v1/embeddings: vectors in OpenAI's shape, floats or base64 float32 (what the openai SDK asks
// for by default). Models: `titan-local`, Titan's own offline embedder (hashed words and character
// n-grams, the one reflexes and memory fall back to; `dimensions` 1-4096, default 512), and
// `<provider>/<model>` for a configured provider's own embeddings endpoint (its key added here).
// Titan has no tokenizer: `usage` counts about four characters a token, and token-array input is refused.
import { TitanError } from '../common/errors.ts';
import { localEmbedding, normalise, providerEmbedder, type Llm, type Vector } from '../agent/api.ts';
import { invalid } from './openai-request.ts';

export const LOCAL_EMBEDDING_MODEL = 'titan-local';
const MAX_INPUTS = 2048;
const MAX_DIMENSIONS = 4096;

type Json = Record<string, unknown>;

function texts(input: unknown): string[] {
  const list = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length === 0)
    throw invalid('input', 'input must be a string or a non-empty list of strings', 'send {"model": "titan-local", "input": "text"}');
  if (list.length > MAX_INPUTS)
    throw invalid('input', `input holds ${list.length} texts; at most ${MAX_INPUTS} go in one request`, 'split the texts over several requests');
  return list.map((text, i) => {
    if (typeof text !== 'string')
      throw invalid(`input[${i}]`, `input[${i}] is not a string: Titan has no tokenizer, so token arrays are not taken`, 'send the text itself');
    if (text === '') throw invalid(`input[${i}]`, `input[${i}] is empty`);
    return text;
  });
}

/** The provider a `<provider>/<model>` id names, among the configured ones. */
function providerOf(llm: Llm | undefined, model: string) {
  const slash = model.indexOf('/');
  const provider = slash > 0 ? llm?.providers.find((p) => p.name === model.slice(0, slash)) : undefined;
  if (!provider || slash === model.length - 1) {
    const known = [LOCAL_EMBEDDING_MODEL, ...(llm?.providers.map((p) => `${p.name}/<embedding model>`) ?? [])];
    throw new TitanError('TITAN_E_NOT_FOUND', `The model \`${model}\` does not exist on this Titan`, {
      fix: `use one of: ${known.join(', ')}`,
      details: { param: 'model', openaiCode: 'model_not_found' },
    });
  }
  return { provider, model: model.slice(slash + 1) };
}

/** The response body for a checked request; vectors from the local embedder or the provider's endpoint. */
export async function embeddings(body: unknown, llm: Llm | undefined): Promise<Json> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(null, 'the request body must be a JSON object');
  const request = body as Json;
  if (typeof request.model !== 'string' || request.model === '')
    throw invalid('model', `model is required: "${LOCAL_EMBEDDING_MODEL}" or "<provider>/<embedding model>"`);
  const inputs = texts(request.input);
  const format = request.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalid('encoding_format', 'encoding_format must be "float" or "base64"');
  const dimensions = request.dimensions;
  if (
    dimensions !== undefined &&
    dimensions !== null &&
    (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > MAX_DIMENSIONS)
  )
    throw invalid('dimensions', `dimensions must be an integer from 1 to ${MAX_DIMENSIONS}`);
  let vectors: Vector[];
  if (request.model === LOCAL_EMBEDDING_MODEL) {
    vectors = inputs.map((text) => localEmbedding(text, (dimensions as number | undefined) ?? undefined));
  } else {
    const { provider, model } = providerOf(llm, request.model);
    vectors = await providerEmbedder(provider, model).embed(inputs);
    // Shortened as OpenAI's v3 models allow: the first n numbers, normalised again.
    if (typeof dimensions === 'number') vectors = vectors.map((v) => (v.length > dimensions ? normalise(v.slice(0, dimensions)) : v));
  }
  const tokens = inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector),
    })),
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
