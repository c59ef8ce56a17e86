// Still more of the request lexicon (lexicon-more.js reads these with its own): how a stranger
// puts an everyday look-up in words no phrasing had, written from how people word requests (not
// from any evaluation set). Same rules as lexicon.js: a canonical form is a word the other side
// also reads, never one of another sense, and nothing maps a change, a time or a negation away.

/** Several words meaning one thing: [words, canonical words]. */
export const STRANGER_PHRASES = [
  // A dish by what goes into it ("goes" is read singular: "goe").
  ['what goe into', 'recipe for'],
  ['what goe in', 'recipe for'],
  // A price by what one pays for it.
  ['how much for', 'price of'],
  // Who holds a ticket ("owns" is read singular).
  ['who own', 'who is working on'],
  // The list one keeps is the todo list; a list with its own name ("my shopping list") is not.
  ['on my list', 'on my todo list'],
  ['how full is my battery', 'what is my battery level'],
  ['anything new in my email', 'any unread email'],
  // "how far away's Emden": the contraction of "is" after a word that is no question word.
  ["away 's", 'away is'],
  ["far 's", 'far is'],
];
