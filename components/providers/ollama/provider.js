// ollama: Ollama's own /api/chat (NDJSON). Sans-IO: the host does the HTTP (and adds a bearer
// key only when one is configured, for an Ollama behind a proxy); this component only encodes and
// decodes.
import { decodeStream } from './decode.js';
import { encodeRequest } from './encode.js';
import { decodeError } from './errors.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'model'],
  properties: {
    baseUrl: { type: 'string', default: 'http://127.0.0.1:11434', description: 'The Ollama host (OLLAMA_HOST).' },
    model: { type: 'string' },
    apiKeyEnv: { type: 'string', description: 'Optional: sent as Authorization: Bearer by the host.' },
  },
};

/** @type {typeof import('titan:provider/provider@0.1.0')} */
export const provider = {
  describe() {
    return {
      name: 'ollama',
      description: 'Ollama /api/chat: streamed text, whole tool calls, token counts, stop reasons and errors.',
      configSchema: JSON.stringify(configSchema),
    };
  },
  encodeRequest,
  decodeStream,
  decodeError(status, headers, body) {
    return decodeError(status, headers, body);
  },
};
