// Closed kinds of value a slot can take, told by the value itself: a weekday, a month, a currency
// code (ISO 4217), a precious metal's code, a cryptocurrency (its name or ticker), a unit of
// measure, a holiday, a country, a meal, a number or an ordinal in words, a pronoun, a group of
// people, a planet, a continent, a state of things ("disaster"), a manner ("slowly"), a document's state ("overdue"), a file name. A slot whose source values were all of one kind takes only that
// kind ("fri" or "later" is no weekday the calendar was asked with; "rent" or "gold" is no coin a
// crypto reflex learned from "bitcoin"); one whose source values were of none takes none of them
// ("SEK" is a currency and "LTC" a coin, never the stock symbol a stock reflex learned from
// "AAPL"; "Christmas" is no town; "London" and "Texas" are no country a population reflex learned). Part of the reflex runtime, inlined with it into every generated reflex.

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The active ISO 4217 currency codes. */
const CURRENCIES = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP ' +
    'CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ' +
    'ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN ' +
    'MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL'
  ).split(' '),
);

/** ISO 4217's codes of precious metals: priced as a commodity, never a currency's rate or a stock. */
const METALS = new Set(['XAU', 'XAG', 'XPT', 'XPD']);

/** The most traded cryptocurrencies by name (lower case) and by ticker; names that are common words ("near") are left out. */
const COIN_NAMES = new Set(
  (
    'bitcoin ethereum ether tether solana cardano dogecoin litecoin monero tezos ripple xrp polkadot avalanche chainlink ' +
    'stellar tron polygon cosmos uniswap shiba binance bnb toncoin algorand filecoin aptos arbitrum hedera vechain zcash ' +
    'usdc dai pepe sui kaspa iota eos neo'
  ).split(' '),
);
const COIN_TICKERS = new Set(
  (
    'BTC ETH USDT SOL ADA DOGE LTC XMR XTZ XRP DOT AVAX LINK XLM TRX MATIC POL ATOM UNI SHIB BNB TON ALGO FIL APT ARB ' +
    'HBAR VET ZEC BCH ETC USDC DAI PEPE SUI KAS MIOTA EOS NEO'
  ).split(' '),
);

/** Units of measure a request may name where a place or a thing was asked for ("weather in Celsius"). */
const UNITS = new Set(
  (
    'celsius fahrenheit kelvin metric imperial km kilometers kilometres miles meters metres feet inches kg kilograms ' +
    'pounds lbs grams ounces liters litres gallons mph kmh percent'
  ).split(' '),
);

/** Holidays: a day of the year, never a place, a person or a thing ("how far away is Christmas"). */
const HOLIDAYS = new Set('christmas xmas easter halloween thanksgiving hanukkah chanukah diwali ramadan eid passover carnival pentecost whitsun'.split(' '));

/** The world's countries by their short English names (lower case): a country is no city, person or thing. */
const COUNTRIES = new Set(
  (
    'afghanistan,albania,algeria,andorra,angola,antigua and barbuda,argentina,armenia,australia,austria,azerbaijan,' +
    'bahamas,bahrain,bangladesh,barbados,belarus,belgium,belize,benin,bhutan,bolivia,bosnia and herzegovina,botswana,' +
    'brazil,brunei,bulgaria,burkina faso,burundi,cabo verde,cambodia,cameroon,canada,central african republic,chad,' +
    'chile,china,colombia,comoros,congo,costa rica,croatia,cuba,cyprus,czechia,czech republic,denmark,djibouti,' +
    'dominica,dominican republic,ecuador,egypt,el salvador,equatorial guinea,eritrea,estonia,eswatini,ethiopia,fiji,' +
    'finland,france,gabon,gambia,georgia,germany,ghana,greece,grenada,guatemala,guinea,guinea-bissau,guyana,haiti,' +
    'honduras,hungary,iceland,india,indonesia,iran,iraq,ireland,israel,italy,ivory coast,jamaica,japan,jordan,' +
    'kazakhstan,kenya,kiribati,kosovo,kuwait,kyrgyzstan,laos,latvia,lebanon,lesotho,liberia,libya,liechtenstein,' +
    'lithuania,luxembourg,madagascar,malawi,malaysia,maldives,mali,malta,marshall islands,mauritania,mauritius,' +
    'mexico,micronesia,moldova,monaco,mongolia,montenegro,morocco,mozambique,myanmar,namibia,nauru,nepal,' +
    'netherlands,new zealand,nicaragua,niger,nigeria,north korea,north macedonia,norway,oman,pakistan,palau,' +
    'palestine,panama,papua new guinea,paraguay,peru,philippines,poland,portugal,qatar,romania,russia,rwanda,' +
    'saint lucia,samoa,san marino,saudi arabia,senegal,serbia,seychelles,sierra leone,singapore,slovakia,slovenia,' +
    'solomon islands,somalia,south africa,south korea,south sudan,spain,sri lanka,sudan,suriname,sweden,' +
    'switzerland,syria,taiwan,tajikistan,tanzania,thailand,timor-leste,togo,tonga,trinidad and tobago,tunisia,' +
    'turkey,turkmenistan,tuvalu,uganda,ukraine,united arab emirates,united kingdom,united states,uruguay,' +
    'uzbekistan,vanuatu,vatican city,venezuela,vietnam,yemen,zambia,zimbabwe'
  ).split(','),
);

/** Smaller closed kinds a request may name where a name or a thing was learned ("recipe for dinner", "recipe for two", "define yourself"). */
const SMALL_KINDS = {
  meal: 'breakfast brunch lunch dinner supper dessert snack',
  number: 'zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand dozen couple',
  ordinal: 'first second third fourth fifth sixth seventh eighth ninth tenth latest newest oldest earliest',
  pronoun: 'myself yourself himself herself itself ourselves themselves mine yours ours theirs everyone everybody someone somebody anyone anybody',
  group: 'kids children family friends guests people adults toddlers babies beginners students vegans vegetarians',
  // How a thing is done, not what it is ("read my note loudly", "how do I cook better").
  manner: 'well better worse faster slower cheaper easier harder healthy healthier together alone backwards forwards fully simply cheaply',
  // Which of several by degree, not a name ("the biggest invoice").
  degree: 'biggest largest smallest highest lowest cheapest dearest best worst most least longest shortest fastest nearest closest',
  // A part, a view or a form of a document, not its name ("show invoice summary", "invoice template").
  part: 'summary details overview list table contents attachment preview template sample example format layout form pdf printout',
  // A document's state or place, not its name ("show invoice overdue", "the invoice attached").
  state: 'open closed paid unpaid due overdue pending draft sent new old recent archived deleted shared pinned attached enclosed ' + 'above below following',
  planet: 'mercury venus earth mars jupiter saturn uranus neptune pluto',
  // A state of things or of the mind, as idioms name it ("a recipe for disaster", "the price of fame"), not a thing's name.
  abstract:
    'success failure disaster love happiness sadness life death chaos peace freedom fame trouble luck joy hope fear wisdom greed romance friendship wealth revenge victory glory madness boredom misery anger',
  continent: 'africa antarctica asia europe oceania',
};
const SMALL = new Map(Object.entries(SMALL_KINDS).flatMap(([kind, list]) => list.split(' ').map((w) => [w, kind])));
/** The words of the small closed kinds ("beginners", "summary", "cheapest"): a value typed as one with a slip is none the surer. */
export const KIND_WORDS = [...SMALL.keys()];

/** The everyday names of the most asked currencies, by code. */
const CURRENCY_NAMES = { usd: ['dollar', 'buck'], eur: ['euro'], gbp: ['pound', 'quid'], jpy: ['yen'], chf: ['franc'], inr: ['rupee'], cny: ['yuan'] };

/**
 * The words that name the unit an answer gives a number in: the name of a result field that is a
 * currency code or a unit ("usd" of `{usd}`, "km" of `{km}`), and the currency's everyday name
 * ("dollar"). Asking for the number in that unit ("monero price in usd") asks what the answer says.
 */
export function answerUnits(spec) {
  const units = new Set();
  for (const part of spec.answer ?? []) {
    const key = 'path' in part ? String(part.path.at(-1) ?? '').toLowerCase() : '';
    if (CURRENCIES.has(key.toUpperCase())) for (const w of [key, ...(CURRENCY_NAMES[key] ?? [])]) units.add(w);
    else if (UNITS.has(key)) units.add(key);
  }
  return units;
}

/** The kind a value's text says of itself, or undefined (a name, a word, a code of no closed kind). */
export function kindOf(text) {
  const value = String(text).trim();
  const lower = value.toLowerCase();
  if (WEEKDAYS.includes(lower)) return 'weekday';
  if (MONTHS.includes(lower) && /^\p{Lu}/u.test(value)) return 'month';
  if (/^[A-Z]{3}$/.test(value) && CURRENCIES.has(value)) return 'currency';
  if (METALS.has(value)) return 'metal';
  if (COIN_NAMES.has(lower) || COIN_TICKERS.has(value)) return 'crypto';
  if (UNITS.has(lower)) return 'unit';
  if (HOLIDAYS.has(lower)) return 'holiday';
  if (COUNTRIES.has(lower.replace(/\s+/g, ' '))) return 'country';
  if (SMALL.has(lower)) return SMALL.get(lower);
  // An adverb of manner typed in lower case ("properly", "slowly"): not after a vowel, f, p or b,
  // which end nouns ("family", "butterfly", "supply", "assembly", "anomaly").
  if (/^\p{Ll}{3,}[^aeiouyfpb\P{Ll}]ly$/u.test(value) || /^\p{Ll}{3,}ely$/u.test(value)) return 'manner';
  // "essay.txt", "README.md": a name, a dot and an extension with a letter.
  if (/^[^\s./\\][^\s/\\]*\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$/.test(value)) return 'file';
  return undefined;
}

/** Each slot's kind from its source values: the one kind all had, undefined where none had one, 'any' where they differ. */
export function slotKinds(spec) {
  const kinds = new Map();
  for (const name of spec.slots) {
    const values = (spec.examples ?? []).map((e) => e.slots?.[name]).filter((v) => typeof v === 'string');
    const seen = new Set(values.map(kindOf));
    kinds.set(name, seen.size === 1 ? [...seen][0] : 'any');
  }
  return kinds;
}

/** The span's text is of the kind its slot's source values were. */
export function sameKind(spec, name, text) {
  const want = spec.kinds?.get(name);
  return want === 'any' || kindOf(text) === want;
}
