// Closed kinds of value a slot can take, told by the value itself: a weekday, a month, a currency
// code (ISO 4217), a file name. A slot whose source values were all of one kind takes only that
// kind ("fri" or "later" is no weekday the calendar was asked with); one whose source values were
// of none takes none of them ("SEK" is a currency, never the stock symbol a stock reflex learned
// from "AAPL"). Part of the reflex runtime, inlined with it into every generated reflex.

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

/** The kind a value's text says of itself, or undefined (a name, a word, a code of no closed kind). */
export function kindOf(text) {
  const value = String(text).trim();
  const lower = value.toLowerCase();
  if (WEEKDAYS.includes(lower)) return 'weekday';
  if (MONTHS.includes(lower) && /^\p{Lu}/u.test(value)) return 'month';
  if (/^[A-Z]{3}$/.test(value) && CURRENCIES.has(value)) return 'currency';
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
