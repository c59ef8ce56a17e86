// Member names of each language's built-in types. A call `x.name()` on a value of unknown type is
// linked to the only method so named in the index, unless a built-in type has a member of that name
// too (`set.has()`, `list.append()`, `v.iter()`): then the call is far more likely to be the built-in's.
import { EventEmitter } from 'node:events';
import { Duplex, Readable, Writable } from 'node:stream';
import type { Language } from './facts.ts';

function javascriptMembers(): Set<string> {
  const names = new Set<string>();
  const owners: object[] = [Object, Function, Array, String, Number, Boolean, Symbol, Map, Set, WeakMap, WeakSet, Promise, RegExp, Date, Error];
  owners.push(ArrayBuffer, DataView, Uint8Array, Object.getPrototypeOf(Uint8Array), JSON, Math, Reflect, Atomics, console, Buffer);
  owners.push(EventEmitter, Readable, Writable, Duplex);
  for (const owner of owners) {
    for (let o: object | null = owner; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) names.add(n);
    const proto = (owner as { prototype?: object }).prototype;
    for (let o: object | null = proto ?? null; o; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  }
  return names;
}

// str, bytes, list, dict, set, tuple, object and file methods.
const PYTHON =
  'append extend insert remove pop clear index count sort reverse copy get items keys values update setdefault popitem fromkeys ' +
  'add discard union intersection difference symmetric_difference issubset issuperset isdisjoint join split rsplit splitlines strip ' +
  'lstrip rstrip startswith endswith find rfind replace format format_map lower upper title capitalize casefold encode decode ' +
  'isdigit isalpha isalnum isspace zfill center ljust rjust partition rpartition translate maketrans read write readline readlines ' +
  'close flush seek tell __init__ __str__ __repr__ __eq__ __hash__ __len__ __iter__ __next__ __enter__ __exit__ __getitem__ __setitem__';

// Methods of std's most used types and traits (Option, Result, Vec, String, slices, iterators, maps, Clone, Into...).
const RUST =
  'new default clone to_owned to_string into from as_ref as_mut borrow borrow_mut unwrap expect unwrap_or unwrap_or_else ' +
  'unwrap_or_default map map_err and_then or_else ok err is_some is_none is_ok is_err ok_or ok_or_else take replace iter ' +
  'iter_mut into_iter collect filter filter_map for_each fold any all find position count sum max min rev zip enumerate chain ' +
  'skip next push pop insert remove get get_mut contains contains_key len is_empty clear extend sort sort_by dedup retain join ' +
  'split trim starts_with ends_with as_str as_bytes chars bytes lines parse fmt eq cmp partial_cmp hash lock read write send recv ' +
  'entry or_insert or_insert_with keys values drain truncate with_capacity capacity reserve flatten cloned copied';

const cache = new Map<string, ReadonlySet<string>>();

/** Member names of the built-in types of a language. */
export function builtinMembers(language: Language): ReadonlySet<string> {
  const family = language === 'python' ? 'python' : language === 'rust' ? 'rust' : 'javascript';
  let found = cache.get(family);
  if (!found) {
    found = family === 'javascript' ? javascriptMembers() : new Set((family === 'python' ? PYTHON : RUST).split(/\s+/));
    cache.set(family, found);
  }
  return found;
}
