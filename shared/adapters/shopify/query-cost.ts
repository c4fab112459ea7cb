/** `extensions.cost.throttleStatus` of an Admin GraphQL answer: the app's leaky bucket on this shop. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  /** points restored per second */
  restoreRate: number;
}

export interface QueryCost {
  requested: number;
  /** null when the query did not run (THROTTLED) */
  actual: number | null;
  throttleStatus: ThrottleStatus;
}

/** Reads `extensions.cost`; undefined when Shopify sent none (or something else). */
export const readQueryCost = (extensions: unknown): QueryCost | undefined => {
  const cost = (extensions as { cost?: Record<string, unknown> } | undefined)?.cost;
  const status = cost?.throttleStatus as Record<string, unknown> | undefined;
  if (typeof cost?.requestedQueryCost !== 'number' || !status) return undefined;
  const { maximumAvailable, currentlyAvailable, restoreRate } = status;
  if (
    typeof maximumAvailable !== 'number' ||
    typeof currentlyAvailable !== 'number' ||
    typeof restoreRate !== 'number'
  ) {
    return undefined;
  }
  return {
    requested: cost.requestedQueryCost,
    actual: typeof cost.actualQueryCost === 'number' ? cost.actualQueryCost : null,
    throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
  };
};

/**
 * Tracks the bucket from the last answer so a query is only sent once the bucket should hold its cost: Shopify
 * refuses (THROTTLED) a query whose requested cost exceeds what is available, and a refused query still counts as
 * a call. Other clients of the same app share the bucket, so this is an estimate; THROTTLED answers remain possible.
 */
export const createCostBudget = (clock: () => number = Date.now) => {
  let last: { status: ThrottleStatus; at: number } | undefined;
  const expectedCost = new Map<string, number>();

  const availableNow = (): number | undefined => {
    if (!last) return undefined;
    const { maximumAvailable, currentlyAvailable, restoreRate } = last.status;
    const restored = ((clock() - last.at) / 1000) * restoreRate;
    return Math.min(maximumAvailable, currentlyAvailable + restored);
  };

  return {
    /** Remembers the bucket and what a query of this kind (`key`) asks for. */
    observe(key: string, cost: QueryCost): void {
      last = { status: cost.throttleStatus, at: clock() };
      expectedCost.set(key, cost.requested);
    },

    /** Milliseconds to wait before sending a query of this kind; 0 when unknown or affordable. */
    waitBefore(key: string): number {
      const cost = expectedCost.get(key);
      const available = availableNow();
      if (cost === undefined || available === undefined || !last) return 0;
      const { maximumAvailable, restoreRate } = last.status;
      // A query larger than the whole bucket is refused whatever we wait; let Shopify say so.
      if (cost > maximumAvailable || available >= cost || restoreRate <= 0) return 0;
      return Math.ceil(((cost - available) / restoreRate) * 1000);
    },
  };
};

export type CostBudget = ReturnType<typeof createCostBudget>;

/**
 * How long to wait after a THROTTLED answer: long enough for the bucket to hold the query's cost, and never less
 * than an exponential backoff (another client may be draining the same bucket). Jitter spreads Lambda retries.
 */
export const throttledDelay = (params: {
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  cost?: QueryCost;
  random?: () => number;
}): number => {
  const { attempt, baseDelayMs, maxDelayMs, cost } = params;
  const random = params.random ?? Math.random;
  const backoff = baseDelayMs * 2 ** attempt;
  const refill =
    cost && cost.throttleStatus.restoreRate > 0
      ? ((cost.requested - cost.throttleStatus.currentlyAvailable) / cost.throttleStatus.restoreRate) * 1000
      : 0;
  const delay = Math.max(backoff, refill) + random() * backoff * 0.2;
  return Math.ceil(Math.min(maxDelayMs, delay));
};
