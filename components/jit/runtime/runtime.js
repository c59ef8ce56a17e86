// The prebuilt runtime of just-in-time tools: built once, it runs a tool the agent wrote as the
// body of a function of (input, tools) without a build of its own. Every call gets a fresh scope;
// the kernel gives each run a fresh instance and drops it after, so nothing a run leaves behind
// reaches the next. What the tool may reach is what its run's grant lets titan:host/tools call.
import { invoke as invokeTool } from 'titan:host/tools@0.2.0';

/** Set when the host refused a tool the run's grant does not list: the run fails, caught or not. */
let denied;

/** The tools a run may call, as the grant of its run lists them (the host refuses the others). */
const tools = {
  call(name, input) {
    try {
      return JSON.parse(invokeTool(name, JSON.stringify(input ?? {})));
    } catch (e) {
      const text = String(e && e.payload !== undefined ? e.payload : e);
      if (text.startsWith('TITAN_E_CAPABILITY_DENIED')) denied = text;
      throw e;
    }
  },
};

/** @type {typeof import('titan:tool/tool@0.2.0')} */
export const tool = {
  describe() {
    return {
      name: 'jit-runtime',
      description: 'Runs a just-in-time tool: {"source": "<function body of (input, tools)>", "input": {...}}.',
      inputSchema: '{"type":"object","required":["source"],"properties":{"source":{"type":"string"},"input":{}}}',
      needsApproval: false,
    };
  },
  invoke(text) {
    let request;
    try {
      request = JSON.parse(text);
    } catch (e) {
      throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
    }
    if (!request || typeof request.source !== 'string') throw { tag: 'invalid-input', val: 'expected {"source": string, "input": any}' };
    let run;
    try {
      run = new Function('input', 'tools', '"use strict";\n' + request.source);
    } catch (e) {
      throw { tag: 'invalid-input', val: 'the tool does not parse: ' + e.message };
    }
    let result;
    try {
      result = run(request.input ?? null, tools);
    } catch (e) {
      if (!denied) throw { tag: 'failed', val: String(e && e.message !== undefined ? e.message : e && e.payload !== undefined ? e.payload : e) };
    }
    if (denied) throw { tag: 'failed', val: denied };
    return JSON.stringify(result === undefined ? null : result);
  },
  smoke() {},
};
