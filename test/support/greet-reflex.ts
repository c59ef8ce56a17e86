// The smallest reflex the build tests compile: "greet ada" answered "Hello, Ada!", no tool calls.
import type { ReflexSpec } from '../../components/reflexes/runtime.js';

/** The greeting reflex named `name`; `key` is its provenance key, which the shared build cache is keyed on. */
export function greetReflex(name: string, key: string): ReflexSpec {
  return {
    name,
    description: 'Greets a person by name',
    slots: ['person'],
    templates: [['greet', '{person}']],
    core: ['greet'],
    vocab: ['greet'],
    maxSlotWords: 2,
    calls: [],
    answer: [{ text: 'Hello, ' }, { slot: 'person', form: 'title' }, { text: '!' }],
    examples: [
      { prompt: 'greet ada', slots: { person: 'ada' } },
      { prompt: 'greet alan', slots: { person: 'alan' } },
    ],
    provenance: { turns: ['t1', 't2'], key },
  };
}
