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

/**
 * A look-up in a longer sentence: words that say where or how it is asked ("at the cinema",
 * "by car", "step by step", "for us", "on this device"), the present as a moment ("at this
 * moment", "this minute", "this shift"), and other names of the same thing ("ticker price",
 * "battery life", "things to do", "pager" as who holds it).
 */
STRANGER_PHRASES.push(
  ['assistant', ''],
  // Where a thing is shown says nothing more than showing it.
  ['on my screen', ''],
  ['on the screen', ''],
  ['on screen', ''],
  // How soon a thing comes is when it comes.
  ['how soon', 'when'],
  ['grab me', 'show me'],
  ['live weather', 'weather'],
  ['condition like in', 'weather like in'],
  ['at this moment', 'now'],
  ['this minute', 'now'],
  ['at this hour', 'now'],
  ['at this time', 'now'],
  ['this shift', 'now'],
  ['this second', 'now'],
  ['do i have stuff on', 'what do i have on'],
  ['do i have anything on', 'what do i have on'],
  ['have stuff on', 'have on'],
  ['have anything on', 'have on'],
  ['what calendar do i have', 'what do i have'],
  ['lined up', ''],
  ['booked in for', 'booked for'],
  ['ticker price', 'stock price'],
  ['priced at', 'at'],
  ['pull the', 'show the'],
  ['pull my', 'show my'],
  ['road km', 'km'],
  ['driving km', 'km'],
  ['by road', ''],
  ['by car', ''],
  ['tracking update', 'status'],
  ['tracking code', 'parcel'],
  ['as a word', ''],
  ['step by step', ''],
  ['recipe list', 'recipe'],
  ['good recipe', 'recipe'],
  ['as a country', ''],
  ['departure out of', 'departure from'],
  ['is the air quality good in', 'how is the air quality in'],
  ['is the air quality bad in', 'how is the air quality in'],
  ['how bad is the air quality in', 'how is the air quality in'],
  ['go dark', 'sunset'],
  ['at the cinema', ''],
  ['at the movy', ''],
  ['at the movie', ''],
  ['being screened', 'showing'],
  ['being shown', 'showing'],
  ['at my stop', ''],
  ['usd price', 'price'],
  ['dollar price', 'price'],
  ['one single', 'one'],
  ['a single', 'one'],
  ['on the market', ''],
  ['going rate for', 'price of'],
  ['at in dollar', 'at'],
  ['at in usd', 'at'],
  ['any update', 'status'],
  ['is anyone working on', 'who is working on'],
  ['in the file', 'in'],
  ['our build', 'the build'],
  ['build healthy', 'build status'],
  ['battery life', 'battery'],
  ['on this device', ''],
  ['phone battery', 'battery'],
  ['holding up', 'doing'],
  ['thing to do', 'todo list'],
  ['to-dos', 'todo list'],
  ['run through', 'show'],
  ['space left on the disk', 'disk space left'],
  ['how much space is left', 'disk space left'],
  ['is there disk space left', 'disk space left'],
  ['for us', ''],
  ['who have the on call', 'who is on call'],
  ['which person', 'who'],
  ['who is paged', 'who is on call'],
  ['who get paged', 'who is on call'],
  ['on support rotation', 'on call'],
  ['on rotation', 'on call'],
  ['departing on time', 'on time'],
  ['leaving on time', 'on time'],
  ['come on time', 'on time'],
  ['on time or late', 'on time'],
  ['late or on time', 'on time'],
  ['still', ''],
  ['pass or fail', 'passing'],
  ['build run', 'build'],
  ['how many are waiting', 'how many'],
  ['any delay on', 'status of flight'],
  // A wait asked by its unit ("minutes until the next N7", "how many mins till"): how long until.
  ['how many minute until', 'how long until'],
  ['how many min until', 'how long until'],
  ['minute until', 'how long until'],
  ['min until', 'how long until'],
  ['how long do i have to wait for', 'how long until'],
  ['how long do i wait for', 'how long until'],
  // Every one of one's own things ("list all my todos", "all of my unread emails"): an answer
  // lists them all, so "all" asks nothing more ("all the time", "all week" stay as they are).
  ['all of my', 'my'],
  ['all my', 'my'],
  ["i'm curious", ''],
  ['im curious', ''],
  // Mail not read yet is unread mail ("emails I haven't read").
  ["that i haven't read", 'unread'],
  ["i haven't read", 'unread'],
  ['i havent read', 'unread'],
  ['i have not read', 'unread'],
  ['who do i page', 'who is on call'],
  ['who should i page', 'who is on call'],
  ['fx rate', 'exchange rate'],
);

/** One word for another of the same sense in a request (after plurals are made singular). */
export const STRANGER_SYNONYMS = {
  actual: 'exactly',
  human: 'people',
  headcount: 'population',
  empty: 'free',
};
