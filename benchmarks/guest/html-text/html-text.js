// Runs htmlToText on the page given as input and answers the text's length and link count.
import { htmlToText } from './text.js';

export const tool = {
  describe() {
    return { name: 'html-text', description: 'Benchmark: HTML to text in the guest.', inputSchema: '{"type":"object"}', needsApproval: false };
  },
  invoke(input) {
    const page = htmlToText(input);
    return JSON.stringify({ chars: page.text.length, links: page.links.length });
  },
  smoke() {},
};
