// More of the request lexicon (lexicon.js reads these with its own): everyday words and phrases
// for asking about the weather, the time, a person's number, a place's air or people, and the
// like, written here from how people word such requests (not from any evaluation set). Same
// rules as lexicon.js: a canonical form is a word the other side also reads, never one of another
// sense, and nothing maps a change, a time or a negation away.
import { STRANGER_PHRASES, STRANGER_SYNONYMS } from './lexicon-stranger.js';

/** Several words meaning one thing: [words, canonical words]. */
export const MORE_PHRASES = [
  // The question's grammar around a possession: "how many inhabitants does Nepal have".
  ['have got', 'have'],
  ['has got', 'have'],
  // A person's number is their phone number.
  ['phone number', 'phone'],
  ["'s number", "'s phone"],
  ['number for', 'phone for'],
  ['contact number', 'phone'],
  ['how populous is', 'what is the population of'],
  // How far, put other ways.
  ['how far am i from', 'how far is'],
  ['how far away am i from', 'how far is'],
  ['road distance', 'distance'],
  ['driving distance', 'distance'],
  // The air, put other ways.
  ['how polluted is', 'how is the air quality in'],
  ['how clean is the air in', 'how is the air quality in'],
  ['is it smoggy in', 'how is the air quality in'],
  ['how smoggy is it in', 'how is the air quality in'],
  ['how smoggy is', 'how is the air quality in'],
  ['smog', 'air quality'],
  // The sun, put other ways.
  ['sunrise and sunset times', 'sunrise and sunset'],
  ['sunrise times', 'sunrise'],
  ['sunset times', 'sunset'],
  ['get dark', 'sunset'],
  ['get light', 'sunrise'],
  ['first light', 'sunrise'],
  ['nightfall', 'sunset'],
  ['dusk', 'sunset'],
  ['dawn', 'sunrise'],
  // The calendar, put other ways.
  ['what is happening on', 'what do i have on'],
  ['what is going on on', 'what do i have on'],
  ['what is scheduled for', 'what do i have on'],
  ['what is scheduled on', 'what do i have on'],
  ['what is planned on', 'what do i have on'],
  ['running on time', 'on time'],
  // The weather, put other ways.
  ['is it like outside in', 'is the weather like in'],
  ['is it outside in', 'is the weather in'],
  ['weather like outside', 'weather like'],
  ['weather outside', 'weather'],
  ['weather report', 'weather'],
  ['weather condition', 'weather'],
  // Mail, put other ways.
  ['unread message', 'unread email'],
  ['new message', 'unread email'],
  // Disk, put other ways.
  ['free space', 'free disk space'],
];

/** How a thing is getting on, asked of a flight, a parcel, a ticket: its status. */
MORE_PHRASES.push(
  ['what is up with', 'what is the status of'],
  ['what is happening with', 'what is the status of'],
  ['what is going on with', 'what is the status of'],
  ['any news on', 'status of'],
  ['news on', 'status of'],
  ['progress on', 'status of'],
  ['who is assigned to', 'who is working on'],
  ['who is handling', 'who is working on'],
);

/** More everyday ways of putting a request. */
MORE_PHRASES.push(
  ['over in', 'in'],
  ['over there in', 'in'],
  ['what is planned for', 'what do i have on'],
  ['how hot is it in', 'how is the weather in'],
  ['how cold is it in', 'how is the weather in'],
  ['how warm is it in', 'how is the weather in'],
  ['condition in', 'weather in'],
  ['km is it to', 'km to'],
  ['km is', 'km to'],
  ['how long is the way to', 'how far is'],
  ['i want to cook', 'how do i cook'],
  ['i want to make', 'how do i cook'],
  ['what times is', 'when is'],
  ['what times does', 'when does'],
  ['unread count', 'how many unread email'],
  ['unread email count', 'how many unread email'],
  ['in eur', 'to eur'],
  ['to usd', ''],
  ['in usd', ''],
  ['taken', 'free'],
  ['occupied', 'free'],
);

/**
 * Another side of the same look-up: a flight "on schedule", "delayed" or "late" (its status says
 * whether it is on time; how long a delay lasts it does not, and "how late" stays a question of
 * amount), a place's people by who lives there, a person's number by how to reach
 * them, a word's meaning by what is meant; and the frame words of a look-up ("weather update",
 * "details for", "where are we with"). A verb of another act stays itself ("print", "ring" alone).
 */
MORE_PHRASES.push(
  ['weather update', 'weather'],
  ['outside temp', 'weather'],
  ['temp outside', 'weather'],
  ['is it nice out in', 'how is the weather in'],
  ['is it nice outside in', 'how is the weather in'],
  ['present time', 'time'],
  ['my plan for', 'my calendar for'],
  ['what is booked for', 'what do i have on'],
  ['what is booked on', 'what do i have on'],
  ['against the eur', 'to eur'],
  ['against eur', 'to eur'],
  ['conversion rate', 'exchange rate'],
  ['how far off is', 'how far is'],
  ['how far away are', 'how far is'],
  ['whereabouts of', 'where is'],
  ['detail for', 'show'],
  ['detail on', 'show'],
  ['digit for', 'phone for'],
  ['number to reach', 'phone for'],
  ['how do i ring', 'what is the phone for'],
  ['how can i ring', 'what is the phone for'],
  ['on schedule', 'on time'],
  // A yes-or-no question about a state asked by its other side ("is KL1776 delayed", "running
  // late"): the status that says whether it is on time says whether it is late.
  ['running late', 'on time'],
  ['delayed', 'on time'],
  ['late', 'on time'],
  ['what is meant by', 'what is the definition of'],
  ['instruction for cooking', 'recipe for'],
  ['instruction for making', 'recipe for'],
  ['direction for cooking', 'recipe for'],
  ['direction for making', 'recipe for'],
  ['how many live in', 'population in'],
  ['how many live there in', 'population in'],
  ['air index', 'aqi'],
  ['is the air safe in', 'how is the air quality in'],
  ['is the air clean in', 'how is the air quality in'],
  ['sun up', 'sunrise'],
  ['sun down', 'sunset'],
  ['times for', 'showtime for'],
  ['is anyone in', 'is free'],
  ['anyone in', 'free'],
  ['where are we with', 'what is the status of'],
  ['where are we on', 'what is the status of'],
  ['progress of', 'status of'],
  ['progress on', 'status of'],
  ['word total', 'word count'],
  ['build health', 'build status'],
  ['failing build', 'build status'],
  ['on my drive', 'on my disk'],
  ['on the drive', 'on the disk'],
  ['oncall', 'on call'],
  ['on call engineer', 'who is on call'],
  ['did i take', 'have i walked'],
  ['how much have i walked', 'how many step have i walked'],
  ['what is in my note', 'show my note'],
  ['what is in the note', 'show the note'],
  ['what is in note', 'show note'],
  ['what is written in', 'what is in'],
  ['how many eur is one', 'how much in eur is one'],
  ['how many eur is a', 'how much in eur is one'],
  ['how many eur for one', 'how much in eur is one'],
  ['how many eur for a', 'how much in eur is one'],
  ['worth in eur', 'to eur'],
  ['what do i have to do', 'what is on my todo list'],
  ['how much space do i have', 'how much disk space is'],
  ['how much room', 'how much space'],
  ['have i taken', 'have i walked'],
);

/** One word for another of the same sense in a request (after plurals are made singular). */
export const MORE_SYNONYMS = {
  hour: 'time',
  quote: 'price',
  value: 'price',
  valued: 'worth',
  cost: 'price',
  juice: 'battery',
  arrive: 'come',
  arriving: 'come',
  itinerary: 'calendar',
  appointment: 'calendar',
  has: 'have',
  event: 'calendar',
  meeting: 'calendar',
  explain: 'define',
  ingredient: 'recipe',
  trace: 'track',
  due: 'come',
  // "tell me whether the build is passing": the same as "if".
  whether: 'if',
  // Chat spellings of a word ("what r the departures", "how long til the bus", "laconic def").
  r: 'are',
  til: 'until',
  def: 'definition',
  defn: 'definition',
  // One of a thing written as a digit ("1 CAD in euros", "how much is 1 tezos"); a slot's value keeps its text.
  1: 'one',
  msg: 'message',
  cal: 'calendar',
  progress: 'status',
  ...STRANGER_SYNONYMS,
};

/**
 * How a stranger types: chat shorthand ("rn", "atm", "ppl", "gimme"), a thing asked by how it
 * feels or fails ("is it cold in", "is the build broken": the same look-up), and a count asked in
 * the past of today ("how many steps did I do"). Same rules: no change, time or negation read away.
 */
MORE_PHRASES.push(
  ['rn', 'now'],
  ['atm', 'now'],
  ['asap', ''],
  ['yo', ''],
  ['gimme', 'give me'],
  ['lemme see', 'show'],
  ['need the', 'show the'],
  ['need my', 'show my'],
  ['ppl', 'people'],
  ['pop of', 'population of'],
  ['people of', 'population of'],
  ['def of', 'definition of'],
  ['phone no', 'phone'],
  ['weather-wise', 'weather'],
  ['weather wise', 'weather'],
  ['is it cold in', 'how is the weather in'],
  ['is it hot in', 'how is the weather in'],
  ['is it warm in', 'how is the weather in'],
  ['is it raining in', 'how is the weather in'],
  ['clock in', 'time in'],
  ['got the time in', 'time in'],
  ['anything on', 'what do i have on'],
  ['what is on for', 'what do i have on'],
  ['am i busy on', 'what do i have on'],
  ['am i busy', 'what do i have on'],
  ['in my calendar', 'on my calendar'],
  ['open note', 'show note'],
  ['tracking number', 'parcel'],
  ['tracking', 'track'],
  ['how is flight', 'status of flight'],
  ['next train out of', 'next departure from'],
  ['next train', 'next departure'],
  ['what is leaving', 'departure from'],
  ['is the air ok in', 'how is the air quality in'],
  ['is the air good in', 'how is the air quality in'],
  ['is the air bad in', 'how is the air quality in'],
  ['sun times', 'sunrise and sunset'],
  ['daylight times', 'sunrise and sunset'],
  ['status update on', 'status of'],
  ['any update on', 'status of'],
  ['update on', 'status of'],
  ['who owns', 'who is working on'],
  ['free disk space', 'free disk space'],
  ['free space on disk', 'free disk space'],
  ['free space on my disk', 'free disk space'],
  ['free space on the disk', 'free disk space'],
  ['free disk', 'free disk space'],
  ['disk free', 'free disk space'],
  ['disk usage', 'disk space'],
  ['how much disk is', 'how much disk space is'],
  ['have the pager', 'is on call'],
  ['on call person', 'who is on call'],
  ['have i taken', 'have i walked'],
  ['have i done', 'have i walked'],
  ['did i do', 'have i walked'],
  ['did the build pass', 'is the build passing'],
  ['is the build broken', 'is the build passing'],
  ['is the build failing', 'is the build passing'],
  ['left on my', 'on my'],
  // A currency against the euro, put other ways ("NOK vs euro", "what's one CAD worth in euros").
  ['vs eur', 'to eur'],
  ['versus eur', 'to eur'],
  ['worth to eur', 'to eur'],
  ['price of a', 'price of one'],
  // Sounds and words of chat that ask nothing.
  ['um', ''],
  ['uh', ''],
  ['hmm', ''],
  ['erm', ''],
  ['lol', ''],
  ['ty', ''],
  ['cheers', ''],
  ['dude', ''],
  ['bro', ''],
);

/**
 * Chat spellings of the words of a request ("wat", "hw", "tmrw"): read as the words. A time or a
 * negation spelled so stays a time or a negation ("tmrw" is "tomorrow", never dropped).
 */
MORE_PHRASES.push(
  ['wat', 'what'],
  ['wats', 'what is'],
  ['wut', 'what'],
  ['hw', 'how'],
  ['ur', 'your'],
  ['tmrw', 'tomorrow'],
  ['tmr', 'tomorrow'],
  ['tmw', 'tomorrow'],
  ['2moro', 'tomorrow'],
  ['tonite', 'tonight'],
  ['yday', 'yesterday'],
  ['nxt', 'next'],
  ['i want the', 'show the'],
  ['i want my', 'show my'],
  ['i wanna know', 'show'],
  ['i wanna see', 'show'],
);

/**
 * Frames around a look-up that say nothing more ("what the word X means", "X mean in English",
 * "how 2 make"), a place's people by who lives there, a station's trains by what departs, a
 * price by what a thing costs, and the present said other ways ("these days", "thus far").
 */
MORE_PHRASES.push(
  ['what the word', 'what'],
  ['supposed to mean', 'mean'],
  ['in plain english', ''],
  ['mean in english', 'mean'],
  ['how 2', 'how to'],
  ['people living in', 'population in'],
  ['people who live in', 'population in'],
  ['people live in', 'population in'],
  ['departing from', 'departure from'],
  ['what is departing', 'departure from'],
  ['departure for', 'departure from'],
  ['how much does', 'price of'],
  ['per share', ''],
  ['these day', 'now'],
  ['nowaday', 'now'],
  ['thus far', 'now'],
  ['this far', 'now'],
  ['status update', 'status'],
  ['cinema time', 'showtime'],
  ['cinema times', 'showtime'],
  ['film time', 'showtime'],
  ['what is happening', 'what do i have on'],
  ['have going on', 'have on'],
);

/**
 * More of the same look-ups in a stranger's words: a day asked by what is booked ("anything
 * booked sunday"), a recipe with its kind ("a simple recipe", "walk me
 * through making"), a state asked by its trouble ("build failures", "is my battery low", "is my
 * disk full"), who holds the pager, the clock "saying" the time, and a singular read of a word
 * only ever plural ("whereabouts").
 */
MORE_PHRASES.push(
  ['quick one', ''],
  ['anything booked on', 'what do i have on'],
  ['anything booked', 'what do i have on'],
  ['simple recipe', 'recipe'],
  ['easy recipe', 'recipe'],
  ['basic recipe', 'recipe'],
  ['walk me through making', 'recipe for'],
  ['walk me through cooking', 'recipe for'],
  ['into eur', 'to eur'],
  ['whereabout of', 'where is'],
  ['latest build', 'build'],
  ['did build pass', 'is the build passing'],
  ['build failure', 'failing build'],
  ['email in my email', 'email'],
  ['email in my inbox', 'email'],
  ['got unread email', 'unread email'],
  ['pending todo list', 'todo list'],
  ['open todo list', 'todo list'],
  ['is my battery low', 'what is my battery level'],
  ['is the battery low', 'what is my battery level'],
  ['battery low', 'battery level'],
  ['is my disk full', 'how much disk space is free'],
  ['is the disk full', 'how much disk space is free'],
  ['how full is my disk', 'how much disk space is free'],
  ['how full is the disk', 'how much disk space is free'],
  ['pager duty', 'on call'],
  ['who have on call', 'who is on call'],
  ['is got', 'have'],
  ['clock saying in', 'time in'],
  ['clock say in', 'time in'],
  ['clock at in', 'time in'],
  ...STRANGER_PHRASES,
);
