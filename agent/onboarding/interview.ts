// The onboarding conversation as a state machine: five questions (who they are, their goals, the
// tone they like, how much Titan may do on its own, its boundaries), a review of what will be
// written, then the write only on "yes". "skip" ends it at any point; nothing is written unless
// confirmed. Pure: the service stores the state and makes the write.

export type Answers = { who?: string; goals?: string; tone?: string; autonomy?: string; boundaries?: string };
export type InterviewState =
  | { phase: 'asking'; step: number; answers: Answers }
  | { phase: 'review'; answers: Answers }
  | { phase: 'offer-redo' }
  | { phase: 'done'; at: number }
  | { phase: 'skipped'; at: number };

const QUESTIONS: Array<{ key: keyof Answers; ask: string }> = [
  { key: 'who', ask: 'Who are you? Your name, and what you do.' },
  { key: 'goals', ask: 'What are you working toward at the moment, that I could help with?' },
  { key: 'tone', ask: 'How should I talk to you? (short and direct, detailed, casual, formal, a language...)' },
  { key: 'autonomy', ask: 'How much may I do on my own? (ask before anything that changes things / go ahead with routine work / act freely)' },
  { key: 'boundaries', ask: 'Anything I must never do, or topics and data to stay away from?' },
];

const SKIP = /^\s*(skip|later|not now|no thanks)\b/i;
const YES = /^\s*(y|yes|ok|okay|save|write it|sure)\b/i;
const REDO = /^\s*(redo|again|start over)\b/i;

export const question = (step: number) => `(${step + 1}/${QUESTIONS.length}) ${QUESTIONS[step].ask}`;

export const START = `Hi! Before we start, five quick questions so I can help you the way you like. Say "skip" at any time to go straight to your question.\n\n${question(0)}`;

/** The profile files' text for these answers: what the review shows and the write puts in. */
export function profileOf(answers: Answers): { 'USER.md': string; 'SOUL.md': string; 'AGENTS.md': string } {
  const line = (label: string, value: string | undefined) => (value ? [`- ${label}: ${value.replace(/\s+/g, ' ').trim()}`] : []);
  return {
    'USER.md': [...line('Who they are', answers.who), ...line('Working toward', answers.goals)].join('\n'),
    'SOUL.md': line('Tone they like', answers.tone).join('\n'),
    'AGENTS.md': [...line('May do on its own', answers.autonomy), ...line('Never', answers.boundaries)].join('\n'),
  };
}

function review(answers: Answers): string {
  const files = Object.entries(profileOf(answers)).filter(([, text]) => text);
  return [
    'Thanks! This is what I will keep (in your workspace files, between my markers; your own text there stays as it is):',
    '',
    ...files.flatMap(([file, text]) => [`${file}:`, text, '']),
    'Reply "yes" to save it, "redo" to answer again, or "skip" to keep nothing.',
  ].join('\n');
}

/** The next state and Titan's reply for a message; `write` set when the person confirmed. */
export function advance(state: InterviewState, text: string, now: number): { state: InterviewState; reply: string; write?: Answers } {
  if (state.phase === 'offer-redo') {
    if (REDO.test(text)) return { state: { phase: 'asking', step: 0, answers: {} }, reply: question(0) };
    return { state: { phase: 'done', at: now }, reply: '' };
  }
  if (SKIP.test(text)) {
    return {
      state: { phase: 'skipped', at: now },
      reply: 'Skipped: nothing was written. Say "/onboard profile" whenever you want to do it. What can I do for you?',
    };
  }
  if (state.phase === 'asking') {
    const answers = { ...state.answers, [QUESTIONS[state.step].key]: text.trim() };
    const step = state.step + 1;
    if (step < QUESTIONS.length) return { state: { phase: 'asking', step, answers }, reply: question(step) };
    return { state: { phase: 'review', answers }, reply: review(answers) };
  }
  if (state.phase === 'review') {
    if (YES.test(text)) return { state: { phase: 'done', at: now }, reply: 'Saved. What can I do for you?', write: state.answers };
    if (REDO.test(text)) return { state: { phase: 'asking', step: 0, answers: {} }, reply: question(0) };
    return { state, reply: 'Reply "yes" to save it, "redo" to answer again, or "skip" to keep nothing.' };
  }
  return { state, reply: '' };
}
