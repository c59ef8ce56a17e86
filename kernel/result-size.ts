// How much a lifted result weighs, counted before it is posted from a worker to the kernel (the
// copy that would stall the kernel's thread): each string is already bounded by the decoder, but
// a list of many may add up. The walk stops as soon as the limit is passed.

/** Approximate bytes of a value made of WIT-lifted parts (strings, numbers, bytes, lists, records). */
export function weighResult(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= limit) {
    const item = stack.pop();
    if (typeof item === 'string') total += item.length;
    else if (ArrayBuffer.isView(item)) total += item.byteLength;
    else if (Array.isArray(item)) {
      total += 8;
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, field] of Object.entries(item)) {
        total += key.length;
        stack.push(field);
      }
    } else total += 8;
  }
  return total;
}
