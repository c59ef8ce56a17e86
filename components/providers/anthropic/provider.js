// anthropic: the Anthropic Messages wire format (api.anthropic.com or anything that speaks it).
// Sans-IO: the host does the HTTP and adds the key as x-api-key; this component only encodes and
// decodes.
import { decodeStream } from './decode.js';
import { encodeRequest } from './encode.js';
import { decodeError } from './errors.js';

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'model'],
  properties: {
    baseUrl: { type: 'string', default: 'https://api.anthropic.com', description: 'Without /v1, as ANTHROPIC_BASE_URL is for the SDK.' },
    model: { type: 'string' },
    apiKeyEnv: { type: 'string', default: 'ANTHROPIC_API_KEY', description: 'Sent as x-api-key by the host.' },
  },
};

/** @type {typeof import('titan:provider/provider@0.1.0')} */
export const provider = {
  describe() {
    return {
      name: 'anthropic',
      description: 'Anthropic Messages: streamed text, tool_use argument deltas, usage, stop reasons and errors (overloaded included).',
      configSchema: JSON.stringify(configSchema),
    };
  },
  encodeRequest,
  decodeStream,
  decodeError(status, headers, body) {
    return decodeError(status, headers, body);
  },
};
