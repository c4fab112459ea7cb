import { describe, expect, it } from 'vitest';
import { defaultSweepSettings } from '../../shared/config/settings.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import type { ShopifyOrderSnapshot } from '../../shared/domain/ports.js';
import {
  compareWithRecord,
  factsFromSnapshot,
  InvalidDurationError,
  missingSubscriptions,
  nextMissedStreak,
  parseDuration,
  planSweepWindows,
  splitWindow,
  sweepCheckDelayMs,
} from '../../shared/domain/sweep-window.js';

const minute = 60_000;
const now = Date.parse('2026-03-01T12:00:00Z');
const settings = { ...defaultSweepSettings, settleMs: minute };

const snapshot = (overrides: Partial<ShopifyOrderSnapshot> = {}): ShopifyOrderSnapshot => ({
  orderId: '5000000000001',
  orderName: '#1001',
  channel: 'pos',
  sourceName: 'pos',
  createdAt: now - 30 * minute,
  updatedAt: now - 20 * minute,
  cancelledAt: null,
  test: false,
  financialStatus: 'paid',
  fulfillmentStatus: null,
  displayFinancialStatus: 'PAID',
  displayFulfillmentStatus: 'UNFULFILLED',
  flags: {
    hasCustomer: true,
    hasEmail: true,
    hasPhone: false,
    hasShippingAddress: true,
    hasShippingPhone: false,
    hasBillingAddress: true,
  },
  ...overrides,
});
const fulfilled = snapshot({ fulfillmentStatus: 'fulfilled', displayFulfillmentStatus: 'FULFILLED' });

describe('planning the sweep windows', () => {
  it('looks back the lookback period on the first sweep, up to a minute ago', () => {
    expect(planSweepWindows({ progress: {}, now, settings })).toEqual([
      { from: now - 60 * minute, to: now - minute, cursor: null },
    ]);
  });

  it('starts the overlap before where the last sweep ended', () => {
    const progress = { lastCompletedEnd: now - 16 * minute };
    expect(planSweepWindows({ progress, now, settings })).toEqual([
      { from: now - 21 * minute, to: now - minute, cursor: null },
    ]);
  });

  it('splits a long gap (sweeper paused) into windows of at most the maximum', () => {
    const progress = { lastCompletedEnd: now - 3 * 60 * minute };
    const windows = planSweepWindows({ progress, now, settings: { ...settings, maxWindowMs: 60 * minute } });
    expect(windows.map(({ from, to }) => [(from - now) / minute, (to - now) / minute])).toEqual([
      [-185, -125],
      [-125, -65],
      [-65, -5],
      [-5, -1],
    ]);
  });

  it('finishes the window a cut-off run stopped in, from its cursor, then sweeps on seamlessly', () => {
    const current = { from: now - 40 * minute, to: now - 20 * minute, cursor: 'abc' };
    expect(
      planSweepWindows({ progress: { lastCompletedEnd: now - 40 * minute, current }, now, settings }),
    ).toEqual([current, { from: now - 20 * minute, to: now - minute, cursor: null }]);
  });

  it('sweeps exactly the period asked for on demand, whatever the checkpoint says', () => {
    const progress = { lastCompletedEnd: now - 2 * minute, current: { from: 0, to: 1, cursor: 'x' } };
    expect(planSweepWindows({ progress, now, settings, sinceMs: 30 * minute })).toEqual([
      { from: now - 30 * minute, to: now - minute, cursor: null },
    ]);
  });

  it('plans nothing when the checkpoint is already at the settle line and there is no overlap', () => {
    const progress = { lastCompletedEnd: now - minute };
    expect(planSweepWindows({ progress, now, settings: { ...settings, overlapMs: 0 } })).toEqual([]);
    expect(splitWindow(10, 10, minute)).toEqual([]);
  });
});

describe('comparing Shopify with our record', () => {
  const record = (expectation: OrderRecord['expectation']) => ({ expectation });

  it.each([
    [
      'no record of an unfulfilled order: its orders/create webhook was missed',
      snapshot(),
      undefined,
      { kind: 'found', expectation: 'created' },
    ],
    [
      'no record of a fulfilled order: both webhooks were missed',
      fulfilled,
      undefined,
      { kind: 'found', expectation: 'fulfilled' },
    ],
    [
      'fulfilled in Shopify while we expect created: the orders/fulfilled webhook was missed',
      fulfilled,
      record('created'),
      { kind: 'fulfilled' },
    ],
    ['fulfilled and already expected fulfilled', fulfilled, record('fulfilled'), { kind: 'none' }],
    ['unfulfilled and recorded', snapshot(), record('created'), { kind: 'none' }],
    [
      'partially fulfilled: orders/fulfilled has not fired yet',
      snapshot({ fulfillmentStatus: 'partial' }),
      record('created'),
      { kind: 'none' },
    ],
  ] as const)('%s', (_name, order, current, expected) => {
    expect(compareWithRecord(order, current)).toEqual(expected);
  });

  it('keeps the facts a webhook carries and drops the display-only fields', () => {
    const facts = factsFromSnapshot('acme.myshopify.com', snapshot());
    expect(facts).toMatchObject({ shop: 'acme.myshopify.com', orderId: '5000000000001', channel: 'pos' });
    expect(facts).not.toHaveProperty('displayFulfillmentStatus');
    expect(facts).not.toHaveProperty('displayFinancialStatus');
  });
});

describe('when the check of an order found by the sweep is due', () => {
  const delays = { checkDelayMs: 10 * minute, fulfilledCheckDelayMs: 5 * minute };

  it('is when the webhook check would have been due', () => {
    const order = snapshot({ createdAt: now - 2 * minute });
    expect(sweepCheckDelayMs({ snapshot: order, expectation: 'created', at: now, ...delays })).toBe(
      8 * minute,
    );
  });

  it('is now for an order older than the delay', () => {
    expect(sweepCheckDelayMs({ snapshot: snapshot(), expectation: 'created', at: now, ...delays })).toBe(0);
  });

  it('counts a fulfilled expectation from the last update in Shopify', () => {
    const order = snapshot({ updatedAt: now - minute });
    expect(sweepCheckDelayMs({ snapshot: order, expectation: 'fulfilled', at: now, ...delays })).toBe(
      4 * minute,
    );
  });
});

describe('the missed-webhooks streak', () => {
  it('alarms once, on the second sweep in a row that missed webhooks', () => {
    const runs = [3, 2, 5, 0, 1, 1];
    let streak = 0;
    const alarms = runs.map((missed) => {
      const next = nextMissedStreak(streak, missed);
      streak = next.streak;
      return next.alarm;
    });
    expect(alarms).toEqual([false, true, false, false, false, true]);
  });
});

describe('the webhook subscription watchdog', () => {
  const url = 'https://hooks.example.com/webhooks/shopify';
  const wanted = ['ORDERS_CREATE', 'ORDERS_FULFILLED'] as const;

  it('finds nothing missing when both topics deliver to the callback URL', () => {
    const subscriptions = [
      { topic: 'ORDERS_CREATE', callbackUrl: url },
      { topic: 'ORDERS_FULFILLED', callbackUrl: `${url}/` },
    ];
    expect(missingSubscriptions(wanted, subscriptions, url)).toEqual([]);
  });

  it('reports a deleted subscription and one pointing at an old endpoint', () => {
    const subscriptions = [{ topic: 'ORDERS_CREATE', callbackUrl: 'https://old.example.com/hooks' }];
    expect(missingSubscriptions(wanted, subscriptions, url)).toEqual(['ORDERS_CREATE', 'ORDERS_FULFILLED']);
  });

  it('checks only that each topic has a subscription when no callback URL is configured', () => {
    const subscriptions = [{ topic: 'orders/create', callbackUrl: 'https://anywhere.example.com' }];
    expect(missingSubscriptions(wanted, subscriptions)).toEqual(['ORDERS_FULFILLED']);
  });
});

describe('durations for --since', () => {
  it.each([
    ['30m', 30 * minute],
    ['2h', 120 * minute],
    ['1d', 1440 * minute],
    ['90s', 90_000],
    ['1h30m', 90 * minute],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '2', 'soon', '2 hours', '0m', '-1h'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidDurationError);
  });
});
