// The deterministic tools the reflex tests and the benchmark use, shared by the host-side
// measurement (support.ts) and the tool components under fixtures/ (which import this file).
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const SKIES = ['sunny', 'cloudy', 'rainy', 'windy', 'foggy'];

export function weather(args) {
  const h = hash(String(args.city).toLowerCase());
  return { city: args.city, temp_c: (h % 35) - 5, sky: SKIES[h % SKIES.length] };
}

export function notes(args) {
  if (args.op !== 'show') throw { tag: 'invalid-input', val: `op "${args.op}" is not supported here` };
  return { title: args.title, text: `remember ${hash(String(args.title)) % 97} things about ${args.title}` };
}

export function quote(args) {
  const cents = 1000 + (hash(String(args.symbol).toUpperCase()) % 90000);
  return { symbol: args.symbol, price: (cents / 100).toFixed(2) };
}
