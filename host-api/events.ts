// titan:host/events: what a call emits while it runs (progress, partial output) reaches the
// kernel's event bus at once, tagged with the component and the call, at most at the rate the
// kernel allows a component (kernel/chatter.ts).
import type { HostInterface } from './types.ts';

const MAX_KIND = 64;
const MAX_DATA = 256 * 1024;

export const events: HostInterface = {
  name: 'events',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: [],
  grantSchema: { type: 'object', additionalProperties: false, properties: {} },
  bind(context) {
    return {
      emit: (kind: string, data: string) => {
        const text = String(data).slice(0, MAX_DATA);
        if (context.services.chatter && !context.services.chatter.allow(context.component, 'event', text.length)) return;
        context.services.emit(context.component, context.callId, String(kind).slice(0, MAX_KIND), text);
      },
    };
  },
};
