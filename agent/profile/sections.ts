// The managed section of a workspace file: the text between Titan's two markers, which profile
// synthesis rewrites. Everything outside the markers is the person's and is kept byte for byte.

export const BEGIN = '<!-- titan:profile:begin (kept by Titan: edit freely; `titan profile changes` lists what it wrote) -->';
export const END = '<!-- titan:profile:end -->';
/** The files synthesis may write, each for one kind of durable knowledge. */
export const PROFILE_FILES = {
  'USER.md': 'who the user is: name, role, where they live and work, people and projects they mention',
  'SOUL.md': 'how the user wants the assistant to sound: tone, length, language, style',
  'IDENTITY.md': 'what the user calls the assistant and how it should present itself',
  'AGENTS.md': 'how the user wants work done: tools, workflows, what to ask before doing, boundaries',
  'MEMORY.md': 'other durable facts and preferences worth remembering',
} as const;
export type ProfileFile = keyof typeof PROFILE_FILES;
export const isProfileFile = (name: string): name is ProfileFile => Object.hasOwn(PROFILE_FILES, name);

const BEGIN_PREFIX = '<!-- titan:profile:begin';

/** The managed section's body (between the markers, without them), or null when the file has none. */
export function readSection(text: string): string | null {
  const start = text.indexOf(BEGIN_PREFIX);
  if (start < 0) return null;
  const bodyStart = text.indexOf('-->', start) + 3;
  const end = text.indexOf(END, bodyStart);
  if (end < 0) return null;
  return text.slice(bodyStart, end).replace(/^\n/, '').replace(/\n$/, '');
}

/**
 * The file's text with its managed section's body replaced (appended at the end, after a blank
 * line, when it has none); `body` null removes the section and its markers. The text outside is
 * unchanged.
 */
export function withSection(text: string, body: string | null): string {
  const start = text.indexOf(BEGIN_PREFIX);
  const end = start < 0 ? -1 : text.indexOf(END, start);
  const block = body === null ? '' : `${BEGIN}\n${body}\n${END}`;
  if (start < 0 || end < 0) {
    if (body === null) return text;
    const gap = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return `${text}${gap}${block}\n`;
  }
  let before = text.slice(0, start);
  let after = text.slice(end + END.length);
  if (body === null) {
    // The blank line and the newline that adding the section put around it go with it.
    if (after.startsWith('\n')) after = after.slice(1);
    if (before.endsWith('\n\n')) before = before.slice(0, -1);
  }
  return `${before}${block}${after}`;
}

/** The section's facts: its "- " lines. */
export function factsOf(body: string | null): string[] {
  return (body ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2).trim())
    .filter(Boolean);
}

/** The body with `facts` added after what is there (a fact already present, in any case, is not repeated). */
export function mergeFacts(body: string | null, facts: string[]): string {
  const known = new Set(factsOf(body).map((f) => f.toLowerCase()));
  const added = facts.map((f) => f.replace(/\s+/g, ' ').trim()).filter((f) => f && !known.has(f.toLowerCase()) && known.add(f.toLowerCase()));
  const lines = body ? [body] : [];
  for (const fact of added) lines.push(`- ${fact}`);
  return lines.join('\n');
}
