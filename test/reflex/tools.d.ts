export function weather(args: { city: string }): { city: string; temp_c: number; sky: string };
export function notes(args: { op: string; title: string }): { title: string; text: string };
export function quote(args: { symbol: string }): { symbol: string; price: string };
