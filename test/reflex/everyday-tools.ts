// The everyday evaluation set's tools: deterministic stand-ins that answer in realistic shapes
// (lists of objects, numbers with units, times with UTC offsets, nested fields), so the set tests
// what a real assistant's tools return rather than flat strings.
type Args = Record<string, unknown>;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const pick = <T>(items: T[], key: string, salt = ''): T => items[hash(key.toLowerCase() + salt) % items.length];
const num = (key: string, lo: number, hi: number, salt = ''): number => lo + (hash(key.toLowerCase() + salt) % (hi - lo + 1));
const hhmm = (key: string, salt = ''): string =>
  `${String(num(key, 5, 22, salt)).padStart(2, '0')}:${String(num(key, 0, 11, `${salt}m`) * 5).padStart(2, '0')}`;
const OFFSETS = ['+01:00', '+09:00', '-05:00', '+05:30', '+00:00', '-08:00', '+10:00', '+02:00'];
const TITLES = ['Standup', 'Dentist', 'Lunch with Kim', 'Gym', '1:1 with Sam', 'Design review', 'Pick up kids', 'Dinner'];

/** A list of 1..max items from a key (its length varies with the key). */
function listOf<T>(key: string, max: number, make: (i: number) => T): T[] {
  return Array.from({ length: 1 + (hash(`${key.toLowerCase()}#n`) % max) }, (_, i) => make(i));
}

export const EVERYDAY_TOOLS: Record<string, (args: Args) => unknown> = {
  weather: ({ city }) => ({
    location: { city, country: pick(['DE', 'FR', 'JP', 'US'], String(city)) },
    current: {
      temp_c: num(String(city), -5, 34),
      condition: pick(['sunny', 'cloudy', 'light rain', 'fog'], String(city)),
      wind_kmh: num(String(city), 0, 60, 'w'),
    },
  }),
  clock: ({ city }) => ({ city, local_time: hhmm(String(city)), utc_offset: pick(OFFSETS, String(city)) }),
  calendar: ({ day }) => ({
    day,
    events: listOf(String(day), 4, (i) => ({ title: TITLES[(hash(String(day)) + i) % TITLES.length], start: `${String(8 + 2 * i).padStart(2, '0')}:30` })),
  }),
  notes: ({ op, title }) =>
    op === 'show'
      ? { title, body: `${num(String(title), 2, 9)} things about ${title}`, updated: `2026-11-${String(num(String(title), 10, 28)).padStart(2, '0')}` }
      : { error: 'unsupported' },
  stock: ({ symbol }) => ({
    symbol,
    quote: { price: (num(String(symbol), 1000, 90000) / 100).toFixed(2), currency: 'USD', change_pct: (num(String(symbol), 0, 80, 'c') / 10 - 4).toFixed(1) },
  }),
  fx: ({ from, to }) => ({ pair: `${from}/${to}`, rate: (num(String(from), 50, 2000) / 1000).toFixed(3) }),
  distance: ({ to }) => ({ to, km: num(String(to), 3, 900), mode: 'road' }),
  parcel: ({ tracking }) => ({
    tracking,
    status: pick(['in transit', 'out for delivery', 'delivered', 'at the depot'], String(tracking)),
    eta: `Dec ${num(String(tracking), 6, 12)}`,
  }),
  invoice: ({ name }) => ({
    invoice: { name, amount: num(String(name), 50, 5000), currency: 'EUR', due: `2026-12-${String(num(String(name), 10, 31)).padStart(2, '0')}` },
  }),
  contacts: ({ name, field }) => ({ name, [String(field)]: `+49 151 ${num(String(name), 1000000, 9999999)}` }),
  flight: ({ flight }) => ({
    flight,
    status: pick(['on time', 'delayed 25 min', 'boarding', 'cancelled'], String(flight)),
    gate: `${pick(['A', 'B', 'C'], String(flight))}${num(String(flight), 1, 40)}`,
    departs: hhmm(String(flight)),
  }),
  dictionary: ({ word }) => ({ word, senses: [{ pos: 'noun', gloss: `a kind of ${pick(['thing', 'feeling', 'place', 'tool'], String(word))} (${word})` }] }),
  recipe: ({ dish }) => ({
    dish,
    minutes: num(String(dish), 10, 90),
    ingredients: listOf(String(dish), 5, (i) => pick(['flour', 'eggs', 'tomatoes', 'garlic', 'rice', 'basil', 'cheese', 'onion'], String(dish), String(i))),
  }),
  population: ({ country }) => ({ country, population_m: (num(String(country), 10, 14000) / 10).toFixed(1), year: 2025 }),
  departures: ({ station }) => ({
    station,
    departures: listOf(String(station), 4, (i) => ({
      time: hhmm(String(station), String(i)),
      to: pick(['Berlin', 'Köln', 'Hamburg', 'Basel', 'Leipzig'], String(station), String(i)),
      platform: num(String(station), 1, 12, String(i)),
    })),
  }),
  air: ({ city }) => ({ city, aqi: num(String(city), 5, 180, 'aqi'), level: pick(['good', 'moderate', 'unhealthy'], String(city), 'aqi') }),
  sun: ({ city }) => ({ city, sunrise: hhmm(String(city), 'r'), sunset: hhmm(String(city), 's'), utc_offset: pick(OFFSETS, String(city)) }),
  showtimes: ({ movie }) => ({ movie, times: listOf(String(movie), 4, (i) => `${16 + 2 * i}:${pick(['00', '15', '30', '45'], String(movie), String(i))}`) }),
  transit: ({ line }) => ({ line, next_in_min: num(String(line), 1, 25), stop: 'Hauptstraße' }),
  crypto: ({ coin }) => ({ coin, usd: num(String(coin), 1, 90000) }),
  rooms: ({ room }) => ({ room, free: num(String(room), 0, 1) === 1, until: hhmm(String(room)) }),
  tracker: ({ ticket }) => ({
    key: ticket,
    fields: { status: pick(['In Progress', 'To Do', 'In Review', 'Done'], String(ticket)), assignee: pick(['Ana', 'Ben', 'Chen', 'Dee'], String(ticket)) },
  }),
  files: ({ op, path }) => (op === 'stat' ? { path, words: num(String(path), 100, 20000), pages: num(String(path), 1, 40) } : { error: 'unsupported' }),
  ci: () => ({ pipeline: 'main', status: 'passed', duration_s: 412, failed: 0 }),
  device: () => ({ battery: { percent: 63, charging: false } }),
  mail: () => ({ unread: 3, latest: [{ from: 'Kim' }, { from: 'GitHub' }, { from: 'Bank' }] }),
  todo: ({ list }) => ({ list, items: [{ text: 'call the plumber' }, { text: 'renew passport' }] }),
  disk: () => ({ mount: '/', free_gb: 41.5, total_gb: 256 }),
  oncall: () => ({ person: 'Dee', until: '18:00', utc_offset: '+01:00' }),
  health: () => ({ steps: 6412, km: 4.8 }),
};

export function runEverydayTool(name: string, input: string): string {
  const tool = EVERYDAY_TOOLS[name];
  if (!tool) throw new Error(`no tool ${name}`);
  return JSON.stringify(tool(JSON.parse(input) as Args));
}
