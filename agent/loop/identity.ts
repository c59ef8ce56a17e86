// The system prompt, from the workspace's identity files when present. Assembled once and kept
// until one of those files changes (a directory watch drops the cached prompt), so a turn pays
// nothing for it.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const IDENTITY_FILES = ['AGENTS.md', 'SOUL.md', 'IDENTITY.md', 'USER.md', 'MEMORY.md'];
const BASE =
  "You are Titan, a helpful assistant running on the user's own machine. Use the tools you are given when they help; say plainly when something failed.";
const MAX_FILE_CHARS = 20000;

export class IdentityPrompt {
  readonly #dir: string;
  #cached: Promise<string> | undefined;
  #watcher: FSWatcher | undefined;
  /** How many times the prompt was assembled (tests and metrics: it must not grow per turn). */
  builds = 0;

  constructor(workspace: string) {
    this.#dir = workspace;
  }

  get(): Promise<string> {
    if (!this.#cached) {
      this.#watch();
      this.#cached = this.#assemble();
    }
    return this.#cached;
  }

  #watch(): void {
    if (this.#watcher) return;
    try {
      this.#watcher = watch(this.#dir, { persistent: false }, (_event, file) => {
        if (!file || IDENTITY_FILES.includes(String(file))) this.#cached = undefined;
      });
      this.#watcher.on('error', () => this.#stopWatching());
    } catch {
      // No workspace folder yet: nothing to watch, and nothing to read either.
    }
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#cached = undefined;
  }

  async #assemble(): Promise<string> {
    this.builds++;
    const parts = [BASE];
    for (const name of IDENTITY_FILES) {
      try {
        const text = (await readFile(path.join(this.#dir, name), 'utf8')).trim();
        if (text) parts.push(`## ${name}\n${text.slice(0, MAX_FILE_CHARS)}`);
      } catch {
        // absent files are simply not part of the prompt
      }
    }
    return parts.join('\n\n');
  }

  close(): void {
    this.#stopWatching();
  }
}
