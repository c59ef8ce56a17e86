// The model's text as markdown, made safe twice: raw HTML in the text is rendered as visible text
// (never as markup), and what marked produces is then sanitised by DOMPurify into a DOM fragment
// (no string is ever assigned to innerHTML). Images become links: loading them would let a model's
// answer call any address; links open in a new tab without a referrer.
import { Marked } from './vendor/marked.js';
import DOMPurify from './vendor/purify.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`,
  },
});

const PURIFY = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'img', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'video', 'audio'],
  FORBID_ATTR: ['style', 'class', 'id', 'name'],
  RETURN_DOM_FRAGMENT: true,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Replaces `target`'s children with `text` rendered as sanitised markdown. */
export function renderMarkdown(target, text) {
  target.replaceChildren(DOMPurify.sanitize(marked.parse(text, { async: false }), PURIFY));
}
