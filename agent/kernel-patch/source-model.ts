// The kernel's SourceModel port (kernel/rewrite.ts) served by the agent's LLM: the monitor asks it
// for a faster reimplementation of a slow tool as one background request, and reads its whole answer.
import { TitanError } from '../../common/errors.ts';
import type { SourceModel } from '../../kernel/api.ts';
import type { Llm } from '../llm/llm.ts';

const MAX_TOKENS = 8000;

export function llmSourceModel(llm: Llm): SourceModel {
  return async ({ system, user }, signal) => {
    const request = {
      model: '',
      messages: [
        { role: 'system' as const, content: system },
        { role: 'user' as const, content: user },
      ],
      tools: [],
      max_tokens: MAX_TOKENS,
      temperature: 0,
    };
    let answer = '';
    for await (const event of llm.stream(request, { signal, purpose: 'background' })) {
      if (event.type === 'text') answer += event.text;
      if (event.type === 'error') throw new TitanError('TITAN_E_REWRITE_FAILED', `the model could not write the new version: ${event.code}: ${event.message}`);
    }
    return answer;
  };
}
