// A thread's messages as stored, and back as the model's chat history. Plain text stays plain;
// an assistant message that called tools, and a tool's result, are stored as small JSON records.
import type { StoredMessage } from '../../kernel/store-client.ts';
import type { ChatMessage, ToolCall } from './llm-types.ts';

type AssistantRecord = { titan: 'assistant'; text: string; tool_calls: ToolCall[] };
type ToolRecord = { titan: 'tool'; tool_call_id: string; name: string; content: string };

export function assistantContent(text: string, toolCalls: ToolCall[]): string {
  return toolCalls.length === 0 ? text : JSON.stringify({ titan: 'assistant', text, tool_calls: toolCalls } satisfies AssistantRecord);
}

export function toolContent(callId: string, name: string, content: string): string {
  return JSON.stringify({ titan: 'tool', tool_call_id: callId, name, content } satisfies ToolRecord);
}

function record(content: string): AssistantRecord | ToolRecord | undefined {
  if (!content.startsWith('{"titan":')) return undefined;
  try {
    return JSON.parse(content) as AssistantRecord | ToolRecord;
  } catch {
    return undefined;
  }
}

export function toChatMessages(rows: StoredMessage[]): ChatMessage[] {
  return rows.map((row): ChatMessage => {
    const structured = record(row.content);
    if (row.role === 'assistant') {
      if (structured?.titan === 'assistant') return { role: 'assistant', content: structured.text, tool_calls: structured.tool_calls };
      return { role: 'assistant', content: row.content };
    }
    if (row.role === 'tool' && structured?.titan === 'tool') {
      return { role: 'tool', content: structured.content, tool_call_id: structured.tool_call_id, name: structured.name };
    }
    return { role: row.role === 'system' ? 'system' : 'user', content: row.content };
  });
}

/** Tool calls of the last assistant message that have no result yet (a turn resumed after a restart). */
export function unansweredToolCalls(messages: ChatMessage[]): ToolCall[] {
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  if (lastAssistant < 0) return [];
  const assistant = messages[lastAssistant] as Extract<ChatMessage, { role: 'assistant' }>;
  const answered = new Set(messages.slice(lastAssistant + 1).flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : [])));
  return (assistant.tool_calls ?? []).filter((call) => !answered.has(call.id));
}
