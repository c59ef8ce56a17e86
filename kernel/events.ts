// The kernel's typed event bus: synchronous delivery in emit order, so subscribers see a
// component's events in the order they happened. A failing subscriber never breaks the emitter.

// An interface, not a type: the parts around the kernel add their own events to it by declaration
// merging (the agent adds 'turn.event'), so the kernel never imports them.
export interface KernelEvents {
  'component.deployed': { slot: string; version: string; digest: string; previous?: string; ms: number };
  'component.swap_failed': { slot: string; version: string; code: string; message: string };
  'component.rolled_back': { slot: string; from: string; to: string };
  /** A canary saw the new version fail its thresholds: every call goes back to the old one, then it is rolled back. */
  'component.canary_failed': { slot: string; patch: string; version: string; reason: string };
  /** The kernel withdrew an inline grant after repeated stops; `isolation` is where the slot serves after the move. */
  'component.grant_withdrawn': { slot: string; grant: string; version: string; reason: string; at: string; isolation: string | null };
  'instance.replaced': { slot: string; version: string; reason: string };
  'component.event': { slot: string; version: string; callId?: string; kind: string; data: string };
  'component.log': { slot: string; version: string; level: string; message: string; fields?: Record<string, string> };
  'patch.changed': { id: string; slot: string; state: string; by: string; why: string };
  /** A report (verification, canary) was attached to a patch; its state is unchanged. */
  'patch.reported': { id: string; slot: string; state: string };
  'supervisor.restarted': { loop: string; attempt: number; delayMs: number; error: string };
  'kernel.warning': { message: string };
  /** The monitor found a slot its telemetry says to change, and starts a proposal (kernel/optimiser.ts). */
  'optimiser.detected': { id: string; slot: string; strategy: string; reason: string };
  /** A monitor's proposal reached a state: proposed, refused (with its report), deployed or failed. */
  'optimiser.proposal': { id: string; slot: string; strategy: string; state: string; patchId?: string };
  /** The leak guard cut a stored secret or a known key format out of text from `source`. */
  'secret.redacted': { source: string; kinds: string[]; count: number };
  /** A component's outbound request ended (titan:host/http); outcome is "ok" or its TITAN_E_ code. */
  'http.request': { slot: string; version: string; host: string; method: string; status: number; outcome: string; ms: number; bytes: number };
}

type Handler<T> = (payload: T) => void;
type AnyHandler<E> = <K extends keyof E>(type: K, payload: E[K]) => void;

export class EventBus<E extends object = KernelEvents> {
  readonly #handlers = new Map<keyof E, Set<Handler<never>>>();
  readonly #any = new Set<AnyHandler<E>>();
  readonly #onHandlerError: (error: unknown) => void;

  constructor(onHandlerError: (error: unknown) => void = () => {}) {
    this.#onHandlerError = onHandlerError;
  }

  on<K extends keyof E>(type: K, handler: Handler<E[K]>): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  onAny(handler: AnyHandler<E>): () => void {
    this.#any.add(handler);
    return () => this.#any.delete(handler);
  }

  /** Resolves with the next event of this type that passes the filter. */
  once<K extends keyof E>(type: K, filter: (payload: E[K]) => boolean = () => true): Promise<E[K]> {
    return new Promise((resolve) => {
      const off = this.on(type, (payload) => {
        if (!filter(payload)) return;
        off();
        resolve(payload);
      });
    });
  }

  emit<K extends keyof E>(type: K, payload: E[K]): void {
    for (const handler of this.#handlers.get(type) ?? []) {
      try {
        (handler as Handler<E[K]>)(payload);
      } catch (error) {
        this.#onHandlerError(error);
      }
    }
    for (const handler of this.#any) {
      try {
        handler(type, payload);
      } catch (error) {
        this.#onHandlerError(error);
      }
    }
  }
}
