// A process's descendants and their resident memory, from /proc (Linux): what a server costs the
// machine when it runs helpers in child processes (as OpenClaw does), and what is left to stop.
import { readdirSync, readFileSync } from 'node:fs';

export function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0; // exited between listing and reading
  }
}

/** Every process under `pid` (children, their children, ...), whatever their process group. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/** RSS of `pid` and all its descendants (MB). */
export function treeRssMb(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + rssMb(p), 0);
}

/** When `pid` started (clock ticks since boot), to tell it from a later process given the same id. */
export function startedAt(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
