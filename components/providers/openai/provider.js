// openai: the OpenAI Chat Completions wire format, for api.openai.com and any OpenAI-compatible
// server (vLLM, llama.cpp, LM Studio, Ollama's /v1...) behind its base URL. Sans-IO: the host
// does the HTTP and adds the key; this component only encodes and decodes.
import { decodeStream } from './decode.js';
import { encodeRequest } from './encode.js';
import { decodeError } from './errors.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'model'],
  properties: {
    baseUrl: { type: 'string', default: 'https://api.openai.com/v1', description: 'Ends with the API version, as OPENAI_BASE_URL does.' },
    model: { type: 'string' },
    apiKeyEnv: { type: 'string', default: 'OPENAI_API_KEY', description: 'Sent as Authorization: Bearer by the host.' },
  },
};

/** @type {typeof import('titan:provider/provider@0.1.0')} */
export const provider = {
  describe() {
    return {
      name: 'openai',
      description: 'OpenAI Chat Completions (and OpenAI-compatible servers): streamed text, tool-call deltas, usage, stop reasons and errors.',
      configSchema: JSON.stringify(configSchema),
    };
  },
  encodeRequest,
  decodeStream,
  decodeError(status, headers, body) {
    return decodeError(status, headers, body);
  },
};
