/**
 * The listeners of one kind of news (`kind` names it) in this process. The local runtime runs every function in one
 * process and hears them all through these (nobody listens in Lambda). They are the process's, not a module's: the
 * webhook function runs there from its own bundle (`local/webhook-function.ts`), with its own copy of every module,
 * and its saves are heard like the others'. A listener that throws fails neither the others nor the work that told
 * them.
 */
export const processListeners = <Args extends unknown[]>(kind: string) => {
  const registry = globalThis as typeof globalThis & Record<symbol, Set<(...args: Args) => void> | undefined>;
  const key = Symbol.for(`order-sync-monitor.listeners.${kind}`);
  const listeners = registry[key] ?? new Set();
  registry[key] = listeners;
  return {
    /** Returns the unsubscribe. */
    on(listener: (...args: Args) => void): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    tell(...args: Args): void {
      for (const listener of listeners) {
        try {
          listener(...args);
        } catch {
          // The listener's own trouble.
        }
      }
    },
  };
};
