// What a turn asks memory for (the memory service implements it; the loop never imports memory):
// the context relevant to the user's message, with its citations, as text for the system prompt;
// and, when threads are deleted, to let go of what it derived from them.
export type MemoryPort = {
  contextFor(input: { threadId: string; text: string }): Promise<string | undefined>;
  /** The store deleted these threads (all of the user's when none are named): drop what came from them. */
  forgetThreads(userId: string, threadIds?: string[]): number;
};
