import { describe, expect, it } from 'vitest';
import { applyOrderSeen } from '../../shared/domain/apply-order-seen.js';
import type { OrderFacts, OrderRecord } from '../../shared/domain/order-sync.js';

const t0 = Date.parse('2026-11-29T10:00:00Z');
const facts = (overrides: Partial<OrderFacts> = {}): OrderFacts => ({
  shop: 'acme.myshopify.com',
  orderId: '5100',
  orderName: '#1042',
  channel: 'pos',
  sourceName: 'pos',
  createdAt: t0,
  updatedAt: t0,
  cancelledAt: null,
  test: false,
  financialStatus: 'paid',
  fulfillmentStatus: null,
  flags: {
    hasCustomer: false,
    hasEmail: false,
    hasPhone: false,
    hasShippingAddress: false,
    hasShippingPhone: false,
    hasBillingAddress: false,
  },
  ...overrides,
});
const seen = (
  via: 'orders/create' | 'orders/fulfilled' | 'sweep',
  at: number,
  overrides: Partial<OrderFacts> = {},
) => ({
  facts: facts(overrides),
  expectation: via === 'orders/fulfilled' ? ('fulfilled' as const) : ('created' as const),
  via,
  at,
  checkDelayMs: via === 'orders/fulfilled' ? 300_000 : 600_000,
});

describe('applyOrderSeen', () => {
  it('creates a pending record and schedules the first check after the delay', () => {
    const outcome = applyOrderSeen(undefined, seen('orders/create', t0));
    expect(outcome.record).toMatchObject({
      state: 'pending_check',
      expectation: 'created',
      nextCheckAt: t0 + 600_000,
    });
    expect(outcome.check).toEqual({
      v: 1,
      shop: 'acme.myshopify.com',
      orderId: '5100',
      reason: 'created',
      dueAt: t0 + 600_000,
    });
  });

  it('keeps newer facts and the fulfilled expectation when orders/create arrives after orders/fulfilled', () => {
    const first = applyOrderSeen(
      undefined,
      seen('orders/fulfilled', t0, { updatedAt: t0 + 5, fulfillmentStatus: 'fulfilled' }),
    );
    const second = applyOrderSeen(first.record, seen('orders/create', t0 + 1_000, { updatedAt: t0 }));
    expect(second.record).toMatchObject({
      expectation: 'fulfilled',
      fulfillmentStatus: 'fulfilled',
      nextCheckAt: t0 + 300_000,
    });
    expect(second.check).toBeUndefined();
    expect(second.event.detail).toMatchObject({ outOfOrder: true });
  });

  it('re-opens an in-sync order when it is fulfilled', () => {
    const inSync: OrderRecord = {
      ...applyOrderSeen(undefined, seen('orders/create', t0)).record,
      state: 'in_sync',
    };
    delete inSync.nextCheckAt;
    const outcome = applyOrderSeen(inSync, seen('orders/fulfilled', t0 + 3_600_000));
    expect(outcome.record.state).toBe('pending_check');
    expect(outcome.check?.reason).toBe('fulfilled');
  });

  it('leaves an escalated order to its person', () => {
    const escalated: OrderRecord = {
      ...applyOrderSeen(undefined, seen('orders/create', t0)).record,
      state: 'escalated',
    };
    delete escalated.nextCheckAt;
    const outcome = applyOrderSeen(escalated, seen('orders/fulfilled', t0 + 1_000));
    expect(outcome.record.state).toBe('escalated');
    expect(outcome.check).toBeUndefined();
  });

  it('schedules again when the pending check is long overdue (it was lost)', () => {
    const stranded = { ...applyOrderSeen(undefined, seen('orders/create', t0)).record, nextCheckAt: 0 };
    const outcome = applyOrderSeen(stranded, seen('orders/create', t0 + 1_000));
    expect(outcome.check?.dueAt).toBe(t0 + 1_000 + 600_000);
  });

  it('records an order found by the sweep as such', () => {
    const outcome = applyOrderSeen(undefined, seen('sweep', t0));
    expect(outcome.record.source).toBe('sweep');
    expect(outcome.event.message).toMatch(/no webhook received/);
    expect(outcome.check?.reason).toBe('sweep');
  });
});
