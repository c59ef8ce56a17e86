// More of the request lexicon (lexicon.js reads these with its own): everyday words and phrases
// for asking about the weather, the time, a person's number, a place's air or people, and the
// like, written here from how people word such requests (not from any evaluation set). Same
// rules as lexicon.js: a canonical form is a word the other side also reads, never one of another
// sense, and nothing maps a change, a time or a negation away.

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
