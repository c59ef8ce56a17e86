// The near misses the precision guard asks a built reflex: requests that share its prompts' words
// but mean something else, written as a person would: the request negated (or, when it is already
// negated, the negation taken away), another act ("delete the note x"), another object, another
// time or tense, a request joined to a second one, an average or a history of the thing, the
// request without its value, and its value swapped for one of another kind (kind-misses.ts). Each is made from a source prompt by editing its words in place, is
// grammatical, and is never the prompt itself nor a rewording of it (the same words once fillers
// and the lexicon's synonyms are read away); a kind of edit that does not fit a prompt is skipped.
import { FILLERS, words, type ReflexSpec } from '../../components/reflexes/runtime.js';
import { otherKindMisses } from './kind-misses.ts';

type Tok = { text: string; low: string; start: number; end: number };

const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
const OPENERS = ['please', 'pls', 'hey', 'hi', 'hello', 'ok', 'okay', 'so', 'quick', 'quickly', 'can', 'could', 'would', 'you', 'just'];
const MODALS = ['can', 'could', 'would'];
/** Words after a noun that end the thing's name: verbs of the question ("my note x say", "the weather like"). */
const NOT_NOUNS = [
  'without',
  'including',
  'except',
  'and',
  'or',
  'but',
  'not',
  'if',
  'also',
  'like',
  'say',
  'says',
  'said',
  'look',
  'looks',
  'go',
  'going',
  'right',
  'now',
  'today',
  'currently',
  'please',
];
const ING_NOUNS = ['meeting', 'building', 'setting', 'booking', 'parking', 'wedding', 'morning', 'evening', 'thing', 'string', 'spring', 'ceiling', 'listing'];
const ASK = ['what', 'which', 'how', 'when', 'where', 'who', 'whose', 'why'];
const DETERMINERS = ['the', 'my', 'your', 'our', 'their', 'his', 'her', 'this', 'that', 'these', 'those', 'a', 'an'];
const PREPOSITIONS = ['of', 'in', 'for', 'on', 'at', 'to', 'from', 'about', 'called', 'named', 'with', 'by'];
/** An auxiliary and its negative. */
const NEGATIVE: Record<string, string> = {
  is: "isn't",
  are: "aren't",
  was: "wasn't",
  were: "weren't",
  do: "don't",
  does: "doesn't",
  did: "didn't",
  can: "can't",
  will: "won't",
  should: "shouldn't",
  has: "hasn't",
  have: "haven't",
};
const POSITIVE: Record<string, string> = Object.fromEntries(
  Object.entries(NEGATIVE).flatMap(([pos, neg]) => [
    [neg, pos],
    [neg.replace("'", ''), pos],
  ]),
);
/** The present's auxiliaries and their past. */
const PAST: Record<string, string> = {
  is: 'was',
  are: 'were',
  do: 'did',
  does: 'did',
  has: 'had',
  "isn't": "wasn't",
  "aren't": "weren't",
  "doesn't": "didn't",
};
/** Verbs a request opens with (asking to see, or to act). */
const VERBS = new Set(
  [
    ...['show', 'tell', 'display', 'give', 'get', 'fetch', 'list', 'read', 'find', 'check', 'open', 'look', 'pull', 'bring', 'convert', 'translate'],
    ...['count', 'define', 'track', 'search', 'play', 'turn', 'switch', 'set', 'remind', 'book', 'send', 'delete', 'remove', 'update', 'add', 'cancel'],
    ...['create', 'make', 'move', 'rename', 'archive', 'mute', 'enable', 'disable', 'start', 'stop', 'close', 'call', 'text', 'email', 'order', 'buy'],
  ].map((w) => w),
);
const OTHER_ACTS = ['delete', 'update', 'cancel', 'send'];
const OTHER_OBJECTS = ['invoice', 'password'];
const COMPOUNDS = [' and delete it', ', then email it to Bob'];
/** A time said in the request, and another time in its place. */
const TIMES: Array<[RegExp, string]> = [
  [/\b(right now|currently|now|today|this morning)\b/i, 'tomorrow'],
  [/\btomorrow\b/i, 'yesterday'],
  [/\byesterday\b/i, 'tomorrow'],
  [/\btonight\b/i, 'last night'],
  [/\bnext (week|month|year)\b/i, 'last $1'],
  [/\b(last|this) (week|month|year)\b/i, 'next $2'],
];
const DAY = /\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\d{1,2}[./-]\d{1,2}|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;
const TIME_SUFFIXES = ['tomorrow', 'yesterday', 'last week'];

function tokens(text: string): Tok[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ text: m[0], low: m[0].toLowerCase().replace(/’/g, "'"), start: m.index, end: m.index + m[0].length }));
}

/** The request's words as a reflex reads them, fillers left out: two prompts alike here ask the same. */
function reading(text: string): string {
  return words(text)
    .map((t) => t.w)
    .filter((w) => !FILLERS.includes(w))
    .join(' ');
}

/** One source prompt and where its slot values stand in it. */
class Prompt {
  readonly toks: Tok[];
  /** The first word after the openers ("please", "can you"). */
  readonly head: number;
  readonly values: Array<{ start: number; end: number }>;

  readonly text: string;

  constructor(text: string, slotValues: string[]) {
    this.text = text;
    this.toks = tokens(text);
    let head = 0;
    while (head < this.toks.length - 1 && OPENERS.includes(this.toks[head].low)) head++;
    this.head = head;
    this.values = slotValues.flatMap((v) => {
      const at = text.indexOf(v);
      return at >= 0 && v !== '' ? [{ start: at, end: at + v.length }] : [];
    });
  }

  inValue(t: Tok): boolean {
    return this.values.some((v) => t.start < v.end && v.start < t.end);
  }

  replace(t: { start: number; end: number }, by: string): string {
    return (this.text.slice(0, t.start) + by + this.text.slice(t.end))
      .replace(/\s+/g, ' ')
      .replace(/\s+([,?.!])/g, '$1')
      .trim();
  }

  insert(at: number, text: string): string {
    return this.replace({ start: at, end: at }, text);
  }

  /** What kind of sentence: an order ("show my note x"), a question ("what's the x"), or a thing named ("weather in Paris"). */
  kind(): 'order' | 'question' | 'phrase' | 'unknown' {
    const first = this.toks[this.head];
    if (!first) return 'unknown';
    const bare = first.low.replace(/'s$/, '');
    if (VERBS.has(first.low) && !this.inValue(first)) return 'order';
    if (ASK.includes(bare) || first.low in NEGATIVE || first.low in POSITIVE || bare in { whats: 1, hows: 1, wheres: 1 }) return 'question';
    if (DETERMINERS.includes(first.low) || PREPOSITIONS.includes(this.toks[this.head + 1]?.low ?? '')) return 'phrase';
    return 'unknown';
  }

  /** The request with its negation turned: taken away where it has one, added where it has none. */
  negated(): string | undefined {
    const neg = this.toks.findIndex((t) => t.low in POSITIVE || t.low === 'not' || t.low === 'never' || t.low === 'without');
    if (neg >= 0) {
      const t = this.toks[neg];
      const next = this.toks[neg + 1];
      // "don't show my note x": the order itself; "do not show ...": both words go.
      if ((t.low === "don't" || t.low === 'dont') && neg === this.head) return this.replace({ start: t.start, end: next?.start ?? t.end }, '');
      if (t.low === 'not' && neg > 0 && this.toks[neg - 1].low === 'do' && neg - 1 === this.head)
        return this.replace({ start: this.toks[neg - 1].start, end: next?.start ?? t.end }, '');
      if (t.low in POSITIVE) return this.replace(t, matchCase(t.text, POSITIVE[t.low]));
      if (t.low === 'without') return this.replace(t, matchCase(t.text, 'with'));
      return this.replace({ start: t.start, end: next?.start ?? t.end }, '');
    }
    const first = this.toks[this.head];
    const kind = this.kind();
    // "can you show my note x" -> "can you not show ..."; "show ..." -> "don't show ...".
    if (kind === 'order') return this.insert(first.start, this.toks.slice(0, this.head).some((t) => MODALS.includes(t.low)) ? 'not ' : "don't ");
    // "is the build passing" -> "isn't the build passing".
    if (first && first.low in NEGATIVE) return this.replace(first, matchCase(first.text, NEGATIVE[first.low]));
    if (kind === 'question') return this.insert(first.start, "don't tell me ");
    if (kind === 'phrase') return this.insert(first.start, DETERMINERS.includes(first.low) ? "don't tell me " : "don't tell me the ");
    return undefined;
  }

  /** Another act on the same thing: "delete my note x", "delete the build status". */
  otherActs(): string[] {
    const first = this.toks[this.head];
    const kind = this.kind();
    let object: string | undefined;
    if (kind === 'order') {
      // "show me the note x": "me" goes with the verb; "turn x on": so does its particle.
      const after = this.toks[this.head + 1]?.low === 'me' ? this.toks[this.head + 2] : this.toks[this.head + 1];
      object = after && this.text.slice(after.start).replace(/\s+(on|off|up|down)$/i, '');
    } else if (kind === 'question') {
      // "what's the build status", "what is my battery level": the thing asked about follows.
      const contracted = /'s$/.test(first.low.replace(/’/g, "'"));
      const det = this.toks[this.head + (contracted ? 1 : 2)];
      const aux = this.toks[this.head + 1];
      if (ASK.includes(first.low.replace(/'s$/, '')) && det && DETERMINERS.includes(det.low) && (contracted || aux.low === 'is' || aux.low === 'are'))
        object = this.text.slice(det.start).replace(/\s+like\b/i, '');
    } else if (kind === 'phrase') object = (DETERMINERS.includes(first.low) ? '' : 'the ') + this.text.slice(first.start);
    if (!object) return [];
    return OTHER_ACTS.filter((verb) => verb !== first.low).map((verb) => this.replace({ start: first.start, end: this.text.length }, `${verb} ${object}`));
  }

  /** The thing asked about: the run of words after a determiner (or at the start of a phrase), up to a value or a preposition. */
  object(): { first: Tok; last: Tok; followed: Tok | undefined } | undefined {
    const plain = (t: Tok | undefined) =>
      t !== undefined &&
      !this.inValue(t) &&
      !PREPOSITIONS.includes(t.low) &&
      !DETERMINERS.includes(t.low) &&
      !ASK.includes(t.low) &&
      !(t.low in NEGATIVE) &&
      !(t.low in POSITIVE) &&
      !(t.low in PAST) &&
      !/\d/.test(t.low) &&
      !/['’]/.test(t.low) &&
      !NOT_NOUNS.includes(t.low) &&
      !(t.low.endsWith('ing') && !ING_NOUNS.includes(t.low));
    let at = this.toks.findIndex((t, i) => i >= this.head && DETERMINERS.includes(t.low) && plain(this.toks[i + 1])) + 1;
    if (at === 0 && this.kind() === 'phrase' && plain(this.toks[this.head])) at = this.head;
    if (at === 0) return undefined;
    let end = at;
    while (plain(this.toks[end + 1]) && !VERBS.has(this.toks[end + 1].low) && end + 1 - at < 2) end++;
    return { first: this.toks[at], last: this.toks[end], followed: this.toks[end + 1] };
  }

  /** Another thing ("the build invoice"), its average ("the average build status"), its history. */
  otherObjects(): string[] {
    const object = this.object();
    if (!object) return [];
    const out = OTHER_OBJECTS.filter((o) => o !== object.last.low).map((o) => this.replace(object.last, o));
    out.push(this.insert(object.first.start, 'average '));
    // "the weather history in Paris", "the build status history"; never between a noun and its value.
    if (!object.followed || PREPOSITIONS.includes(object.followed.low)) out.push(this.insert(object.last.end, ' history'));
    return out;
  }

  /** Another time: a time said swapped for another, else one added, and the past of its verb. */
  otherTimes(): string[] {
    const out: string[] = [];
    const said = TIMES.find(([re]) => re.test(this.text));
    if (said) out.push(this.text.replace(said[0], (_m, ...groups: unknown[]) => said[1].replace(/\$(\d)/g, (_, k: string) => String(groups[Number(k) - 1]))));
    // A value that is itself a time ("on monday") takes no second one.
    else if (!this.values.some((v) => DAY.test(this.text.slice(v.start, v.end)))) for (const suffix of TIME_SUFFIXES) out.push(`${this.trimmed()} ${suffix}`);
    // A time said stays: "was ... right now" is no question.
    if (said) return out;
    // "what was the build status", "what did my note x say"; not the "don't" of an order.
    const aux = this.toks.find(
      (t, i) => !this.inValue(t) && (t.low in PAST || /^(what|how|where|who|it|that|there)'s$/.test(t.low)) && !(i === this.head && this.kind() === 'order'),
    );
    if (aux) out.push(this.replace(aux, aux.low in PAST ? matchCase(aux.text, PAST[aux.low]) : `${aux.text.slice(0, -2)} was`));
    return out;
  }

  /** A second request joined to it. */
  compounds(): string[] {
    return COMPOUNDS.map((c) => this.trimmed() + c);
  }

  /** The request without its value ("show my note", "what's the weather like"), where the rest still reads. */
  withoutValue(): string | undefined {
    if (this.values.length === 0) return undefined;
    let text = this.text;
    for (const v of [...this.values].sort((a, b) => b.start - a.start)) {
      const before = tokens(text.slice(0, v.start));
      // The words tying the value to the sentence go with it ("in Paris", "called march").
      let cut = v.start;
      while (before.length > 0 && PREPOSITIONS.includes(before.at(-1)!.low)) cut = before.pop()!.start;
      const left = before.at(-1);
      if (!left || DETERMINERS.includes(left.low) || ASK.includes(left.low) || left.low in NEGATIVE || left.low in PAST || /'s$/.test(left.low))
        return undefined;
      // "the price of AAPL stock" without AAPL is no sentence; "my note todo say" without todo is.
      if (cut < v.start && tokens(text.slice(v.end)).length > 0) return undefined;
      text = text.slice(0, cut) + text.slice(v.end);
    }
    return text
      .replace(/\s+/g, ' ')
      .replace(/\s+([,?.!])/g, '$1')
      .trim();
  }

  trimmed(): string {
    return this.text.replace(/[?.!\s]+$/, '');
  }
}

function matchCase(like: string, word: string): string {
  return /^\p{Lu}/u.test(like) ? word[0].toUpperCase() + word.slice(1) : word;
}

/** The near misses of a reflex, from its first three source prompts. */
export function nearMisses(spec: Pick<ReflexSpec, 'examples'>): string[] {
  const out = new Set<string>();
  for (const example of spec.examples.slice(0, 3)) {
    const prompt = new Prompt(example.prompt.replace(/[?.!\s]+$/, ''), Object.values(example.slots));
    for (const miss of [
      prompt.negated(),
      ...prompt.otherActs(),
      ...prompt.otherObjects(),
      ...prompt.otherTimes(),
      ...prompt.compounds(),
      prompt.withoutValue(),
    ])
      if (miss) out.add(miss);
  }
  for (const miss of otherKindMisses(spec.examples)) out.add(miss);
  // Never a source prompt, nor one that reads the same (case, punctuation, fillers, synonyms).
  const own = new Set(spec.examples.map((e) => reading(e.prompt)));
  const seen = new Set<string>();
  return [...out].filter((p) => {
    const read = reading(p);
    if (p.length === 0 || own.has(read) || seen.has(read)) return false;
    seen.add(read);
    return true;
  });
}
