// echo: returns the text it is given. The smallest tool; proves the pipeline end to end.
const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', description: 'The text to send back.' } },
};

/** @type {typeof import('titan:tool/tool@0.1.0')} */
export const tool = {
  describe() {
    return { name: 'echo', description: 'Returns the given text unchanged.', inputSchema: JSON.stringify(schema), needsApproval: false };
  },
  invoke(input) {
    let args;
    try {
      args = JSON.parse(input);
    } catch (e) {
      throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
    }
    if (!args || typeof args.text !== 'string') throw { tag: 'invalid-input', val: 'expected {"text": string}' };
    return JSON.stringify({ text: args.text });
  },
};
