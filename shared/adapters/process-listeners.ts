/**
 * The listeners of one kind of news in this process. The local runtime runs every function in one process and hears
 * them all through these (nobody listens in Lambda). A listener that throws fails neither the others nor the work
 * that told them.
 */
export const processListeners = <Args extends unknown[]>() => {
  const listeners = new Set<(...args: Args) => void>();
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
