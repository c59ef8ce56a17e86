// azure-openai: an OpenAI-compatible server with Azure's quirks. The wire format is OpenAI's Chat
// Completions (this reuses Titan's openai component for it), but the request goes to
// /openai/deployments/<deployment>/chat/completions?api-version=..., the model named in Titan's
// request is the deployment, and the key travels in an `api-key` header (the manifest's
// provider.keyHeader: the host adds it, this component never sees it).
import { decodeStream } from '../../../components/providers/openai/decode.js';
import { encodeRequest as encodeOpenAi } from '../../../components/providers/openai/encode.js';
import { decodeError } from '../../../components/providers/openai/errors.js';

const API_VERSION = '2024-10-21';

/** @param {string} requestJson */
function encodeRequest(requestJson) {
  const request = encodeOpenAi(requestJson);
  const deployment = JSON.parse(requestJson).model;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(deployment)) {
    throw { tag: 'invalid-request', val: `"${deployment}" is not an Azure deployment name (letters, digits, . _ -)` };
  }
  return { ...request, path: `/openai/deployments/${deployment}/chat/completions?api-version=${API_VERSION}` };
}

/** @type {typeof import('titan:provider/provider@0.1.0')} */
export const provider = {
  describe() {
    return {
      name: 'azure-openai',
      description: 'Azure OpenAI: the OpenAI Chat Completions wire format on deployment paths, with the key in an api-key header.',
      configSchema: JSON.stringify({ type: 'object', properties: { baseUrl: { type: 'string', description: 'https://<resource>.openai.azure.com' } } }),
    };
  },
  encodeRequest,
  decodeStream,
  decodeError,
};
