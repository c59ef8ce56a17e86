// A plain JavaScript HTML-to-text pass (no DOM): drop scripts and styles, turn links into
// [text](href), strip the other tags, decode the common entities, collapse blank lines. The
// benchmark runs the same function natively and inside a QuickJS component to measure how much
// slower page extraction in a guest would be.
export function htmlToText(html) {
  const links = [];
  let text = html
    .replace(/<(script|style|noscript)[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href, inner) => {
      const label = inner.replace(/<[^>]+>/g, '').trim();
      links.push({ text: label, href });
      return `[${label}](${href})`;
    })
    .replace(/<(br|\/p|\/h[1-6]|\/li|\/div)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  text = text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
  return { text, links };
}
