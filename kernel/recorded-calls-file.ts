// The recorded calls kept across a restart, so a patch proposed after one still has a corpus to be
// verified against: written to $TITAN_HOME/recorded-calls.bin (owner-only; v8 serialisation keeps
// bytes and bigints as they were) every interval and at close, read back at open under the
// recorder's current bounds. Secrets were cut out before a call was recorded; nothing new is kept.
import { chmod, readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { writeFileAtomic } from '../common/atomic-file.ts';
import type { CallRecorder, RecordedCall } from './call-recorder.ts';
import { sleep } from './supervisor.ts';

const FORMAT = 1;

type Saved = { format: number; slots: Record<string, RecordedCall[]> };

/** Reads what an earlier run kept; a missing or unreadable file is an empty record. */
export async function loadRecordedCalls(file: string, recorder: CallRecorder): Promise<number> {
  let saved: Saved;
  try {
    saved = v8.deserialize(await readFile(file)) as Saved;
  } catch {
    return 0;
  }
  if (saved?.format !== FORMAT || typeof saved.slots !== 'object' || saved.slots === null) return 0;
  return recorder.restore(saved.slots);
}

export async function saveRecordedCalls(file: string, recorder: CallRecorder): Promise<void> {
  const saved: Saved = { format: FORMAT, slots: recorder.snapshot() };
  await writeFileAtomic(file, v8.serialize(saved));
  await chmod(file, 0o600);
}

/** Saves every `intervalMs` until stopped (a supervised loop); the kernel saves once more at close. */
export async function keepRecordedCalls(file: string, recorder: CallRecorder, signal: AbortSignal, intervalMs: number): Promise<void> {
  while (!signal.aborted) {
    await sleep(intervalMs, signal);
    if (!signal.aborted) await saveRecordedCalls(file, recorder);
  }
}
