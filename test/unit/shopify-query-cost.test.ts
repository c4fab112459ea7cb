import { describe, expect, it } from 'vitest';
import { createCostBudget, readQueryCost, throttledDelay } from '../../shared/adapters/shopify/query-cost.js';

const cost = (requested: number, currentlyAvailable: number, maximumAvailable = 2000, restoreRate = 100) => ({
  requested,
  actual: requested,
  throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
});

describe('pacing queries by the leaky bucket', () => {
  it('sends right away while it knows nothing about the bucket', () => {
    expect(createCostBudget(() => 0).waitBefore('OrdersUpdated:250')).toBe(0);
  });

  it('sends right away when the bucket holds the cost of the last query of that kind', () => {
    const budget = createCostBudget(() => 0);
    budget.observe('OrdersUpdated:250', cost(1502, 1600));
    expect(budget.waitBefore('OrdersUpdated:250')).toBe(0);
  });

  it('waits until the bucket has restored enough for the next page', () => {
    const budget = createCostBudget(() => 0);
    budget.observe('OrdersUpdated:250', cost(1502, 498));
    // 1004 points missing at 100 points per second
    expect(budget.waitBefore('OrdersUpdated:250')).toBe(10_040);
  });

  it('counts what the bucket restored since the last answer', () => {
    let now = 0;
    const budget = createCostBudget(() => now);
    budget.observe('OrdersUpdated:250', cost(1502, 498));
    now = 10_000;
    expect(budget.waitBefore('OrdersUpdated:250')).toBe(40);
    now = 11_000;
    expect(budget.waitBefore('OrdersUpdated:250')).toBe(0);
  });

  it('uses the newest bucket for every kind of query', () => {
    const budget = createCostBudget(() => 0);
    budget.observe('OrderSnapshot', cost(6, 2000));
    budget.observe('OrdersUpdated:250', cost(1502, 498));
    expect(budget.waitBefore('OrderSnapshot')).toBe(0);
    budget.observe('OrderSnapshot', cost(6, 0));
    expect(budget.waitBefore('OrderSnapshot')).toBe(60);
  });

  it('does not wait for a query larger than the whole bucket: Shopify refuses it anyway', () => {
    const budget = createCostBudget(() => 0);
    budget.observe('Huge', cost(5000, 0));
    expect(budget.waitBefore('Huge')).toBe(0);
  });
});

describe('waiting after THROTTLED', () => {
  const noJitter = () => 0;

  it('backs off exponentially when the bucket looks full enough', () => {
    const delays = [0, 1, 2, 3].map((attempt) =>
      throttledDelay({
        attempt,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        random: noJitter,
        cost: cost(6, 2000),
      }),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });

  it('waits for the missing points when that takes longer than the backoff', () => {
    expect(
      throttledDelay({
        attempt: 0,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        random: noJitter,
        cost: cost(1502, 2),
      }),
    ).toBe(15_000);
  });

  it('never waits longer than the ceiling', () => {
    expect(throttledDelay({ attempt: 10, baseDelayMs: 500, maxDelayMs: 30_000, random: () => 1 })).toBe(
      30_000,
    );
  });
});

describe("reading Shopify's cost extension", () => {
  it('reads requested, actual and the throttle status', () => {
    expect(
      readQueryCost({
        cost: {
          requestedQueryCost: 752,
          actualQueryCost: 12,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1988, restoreRate: 100 },
        },
      }),
    ).toEqual({
      requested: 752,
      actual: 12,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1988, restoreRate: 100 },
    });
  });

  it('reads a THROTTLED answer as not run', () => {
    expect(
      readQueryCost({
        cost: {
          requestedQueryCost: 752,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 10, restoreRate: 100 },
        },
      })?.actual,
    ).toBeNull();
  });

  it('ignores a missing or malformed extension', () => {
    expect(readQueryCost(undefined)).toBeUndefined();
    expect(readQueryCost({ cost: { requestedQueryCost: 1 } })).toBeUndefined();
  });
});
