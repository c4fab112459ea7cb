import { describe, expect, it } from 'vitest';
import {
  assessCheck,
  type CheckInputs,
  type CheckSettings,
  decideCheck,
} from '../../shared/domain/decide-check.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import type { HotwaxOrder, ShopifyOrderSnapshot } from '../../shared/domain/ports.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const minute = 60_000;
const t0 = Date.parse('2026-11-29T10:00:00Z');

const settings: CheckSettings = {
  createdStuckAfterMs: 60 * minute,
  fulfilledGraceMs: 5 * minute,
  verifyDelayMs: 5 * minute,
  maxRepairAttempts: 3,
  recheckMs: 15 * minute,
  maxRecheckMs: 6 * 60 * minute,
  canRefresh: true,
  canImportOrder: false,
};

const record = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  ...webOrderFacts(t0, { shop: 'acme.myshopify.com', orderId: '5100' }),
  state: 'pending_check',
  stateSince: t0,
  expectation: 'created',
  nextCheckAt: t0 + 10 * minute,
  repairAttempts: 0,
  version: 1,
  firstSeenAt: t0,
  source: 'webhook',
  ...overrides,
});

const hotwaxOrder = (overrides: Partial<HotwaxOrder> = {}): HotwaxOrder => ({
  orderId: 'HC10041',
  externalId: '5100',
  statusId: 'ORDER_APPROVED',
  salesChannelEnumId: 'WEB_SALES_CHANNEL',
  entryDate: t0 + minute,
  ...overrides,
});

const shopifyCopy = (overrides: Partial<ShopifyOrderSnapshot> = {}): ShopifyOrderSnapshot => {
  const { shop: _shop, ...facts } = record();
  return {
    ...facts,
    displayFinancialStatus: 'PAID',
    displayFulfillmentStatus: 'UNFULFILLED',
    ...overrides,
  } as ShopifyOrderSnapshot;
};

const decide = (
  current: OrderRecord,
  inputs: Omit<CheckInputs, 'now'> & { now?: number },
  custom = settings,
) => {
  const now = inputs.now ?? t0 + 10 * minute;
  const { assessment } = assessCheck(current, inputs.versions, now, custom);
  return decideCheck(current, assessment, { ...inputs, now }, custom);
};

describe('decideCheck: the order-sync runbook', () => {
  it('marks an approved order in HotWax in sync and reports its sync lag', () => {
    const decision = decide(record(), { versions: [hotwaxOrder()] });
    expect(decision.record.state).toBe('in_sync');
    expect(decision.record.nextCheckAt).toBeUndefined();
    expect(decision.syncLagSeconds).toBe(600);
    expect(decision.action).toBeUndefined();
    expect(decision.notify).toBeUndefined();
  });

  it('keeps watching an order that is Created but still within its normal time', () => {
    const decision = decide(record(), { versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })] });
    expect(decision.record.state).toBe('in_sync');
    expect(decision.record.nextCheckAt).toBe(t0 + 60 * minute);
  });

  it('re-imports an order the New Orders job missed (no failed record) and schedules the verify', () => {
    const decision = decide(record(), { versions: [], shopify: shopifyCopy() });
    expect(decision.record).toMatchObject({
      state: 'reimport_requested',
      repairAttempts: 1,
      nextCheckAt: t0 + 15 * minute,
    });
    expect(decision.action).toEqual({ kind: 'reimport' });
    expect(decision.record.repairs?.[0]?.kind).toBe('reimport_job');
  });

  it('verifies a re-import once the order is in HotWax', () => {
    const decision = decide(record({ state: 'reimport_requested', repairAttempts: 1, lastRepairAt: t0 }), {
      versions: [hotwaxOrder()],
    });
    expect(decision.record.state).toBe('in_sync');
    expect(decision.repairVerified).toBe(true);
    expect(decision.record.repairAttempts).toBe(0);
  });

  it.each([
    ['cancelled in Shopify before import', shopifyCopy({ cancelledAt: t0 + minute }), /cancelled in Shopify/],
    ['a test order', shopifyCopy({ test: true }), /test order/],
    ['gone from Shopify', null, /no longer exists/],
  ])('ignores an order %s', (_name, shopify, message) => {
    const decision = decide(record(), { versions: [], shopify });
    expect(decision.record.state).toBe('ignored');
    expect(decision.events[0]?.message).toMatch(message);
    expect(decision.action).toBeUndefined();
  });

  it('blocks on data when the failed MDM record says the phone is missing, tells a person, and does not re-import', () => {
    const decision = decide(record(), {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: {
        shopifyOrderId: '5100',
        logId: 'LOG-77',
        createdDate: t0 + 2 * minute,
        errorText: 'Phone number is required for the shipping address',
      },
    });
    expect(decision.record.state).toBe('blocked_on_data');
    expect(decision.action).toBeUndefined();
    expect(decision.record.finding).toMatchObject({
      mdmLogId: 'LOG-77',
      rawError: expect.stringMatching(/Phone/),
    });
    expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 15 * minute);
    expect(decision.notify?.kind).toBe('needs_human');
    expect(decision.notify?.fix).toMatch(/Shopify/);
  });

  it('backs off while the data is not fixed, without telling anyone twice', () => {
    const blocked = record({
      state: 'blocked_on_data',
      blockedAtShopifyUpdatedAt: t0,
      rechecks: 1,
      humanNotifiedAt: t0 + 10 * minute,
    });
    const decision = decide(blocked, {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: {
        shopifyOrderId: '5100',
        logId: 'L',
        createdDate: t0,
        errorText: 'missing phone number',
      },
    });
    expect(decision.record.state).toBe('blocked_on_data');
    expect(decision.record.rechecks).toBe(2);
    expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 60 * minute);
    expect(decision.notify).toBeUndefined();
  });

  it('tells a person again at the next look when their alert could not be sent', () => {
    const untold = record({ state: 'blocked_on_data', blockedAtShopifyUpdatedAt: t0, rechecks: 1 });
    const decision = decide(untold, {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: {
        shopifyOrderId: '5100',
        logId: 'L',
        createdDate: t0,
        errorText: 'missing phone number',
      },
    });
    expect(decision.record.state).toBe('blocked_on_data');
    expect(decision.notify?.kind).toBe('needs_human');
    expect(decision.record.humanNotifiedAt).toBe(t0 + 10 * minute);
  });

  it("re-imports a blocked order once Shopify's copy changed after the failure", () => {
    const blocked = record({ state: 'blocked_on_data', blockedAtShopifyUpdatedAt: t0 });
    const decision = decide(blocked, {
      versions: [],
      shopify: shopifyCopy({
        updatedAt: t0 + 5 * minute,
        flags: { ...record().flags, hasShippingPhone: true },
      }),
      importFailure: {
        shopifyOrderId: '5100',
        logId: 'L',
        createdDate: t0,
        errorText: 'missing phone number',
      },
    });
    expect(decision.record.state).toBe('reimport_requested');
    expect(decision.action).toEqual({ kind: 'reimport' });
    expect(decision.events[0]?.message).toMatch(/changed/);
  });

  it('re-imports when the failed record shows a transient connection timeout', () => {
    const decision = decide(record(), {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: { shopifyOrderId: '5100', logId: 'L', createdDate: t0, errorText: 'Connection timeout' },
    });
    expect(decision.record.state).toBe('reimport_requested');
    expect(decision.notify).toBeUndefined();
  });

  it('escalates with a support bundle after the maximum number of repairs', () => {
    const exhausted = record({
      state: 'reimport_requested',
      repairAttempts: 3,
      lastRepairAt: t0,
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'New Orders job' }],
    });
    const decision = decide(exhausted, {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: {
        shopifyOrderId: '5100',
        logId: 'LOG-9',
        createdDate: t0 + minute,
        errorText: 'Service [createShopifyOrder] target threw an unexpected exception (null)',
      },
    });
    expect(decision.record.state).toBe('escalated');
    expect(decision.action).toBeUndefined();
    expect(decision.notify?.kind).toBe('escalated');
    expect(decision.notify?.rawError).toMatch(/createShopifyOrder/);
    expect(decision.notify?.bundle).toMatchObject({ repairAttempts: 3, repairs: [{ kind: 'reimport_job' }] });
  });

  it('refreshes a POS order stuck in Created that Shopify shows fulfilled', () => {
    const pos = record({ channel: 'pos', expectation: 'fulfilled', fulfilledSeenAt: t0 + minute });
    const decision = decide(pos, {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' })],
      shopify: shopifyCopy({
        channel: 'pos',
        displayFulfillmentStatus: 'FULFILLED',
        fulfillmentStatus: 'fulfilled',
      }),
    });
    expect(decision.record.state).toBe('refresh_requested');
    expect(decision.action).toEqual({ kind: 'refresh', hotwaxOrderId: 'HC10041' });
  });

  it('verifies a refresh: the new version Completed and the old one Cancelled', () => {
    const pos = record({
      channel: 'pos',
      expectation: 'fulfilled',
      state: 'refresh_requested',
      repairAttempts: 1,
    });
    const decision = decide(pos, {
      versions: [
        hotwaxOrder({ statusId: 'ORDER_CANCELLED', entryDate: t0 + minute }),
        hotwaxOrder({ orderId: 'HC10077', statusId: 'ORDER_COMPLETED', entryDate: t0 + 8 * minute }),
      ],
    });
    expect(decision.record.state).toBe('in_sync');
    expect(decision.record.hotwax?.orderId).toBe('HC10077');
    expect(decision.events[0]?.message).toMatch(/Refresh verified/);
    expect(decision.repairVerified).toBe(true);
  });

  it('tells a person the exact refresh steps when no refresh service is configured', () => {
    const pos = record({ channel: 'pos', expectation: 'fulfilled', fulfilledSeenAt: t0 });
    const decision = decide(
      pos,
      {
        versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
        shopify: shopifyCopy({ channel: 'pos', displayFulfillmentStatus: 'FULFILLED' }),
      },
      { ...settings, canRefresh: false },
    );
    expect(decision.record.state).toBe('stuck_created');
    expect(decision.action).toBeUndefined();
    expect(decision.notify?.fix).toMatch(/Refresh order/);
  });

  it('diagnoses a web order held in Created: payment pending and approval job not scheduled', () => {
    const decision = decide(record(), {
      now: t0 + 61 * minute,
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: shopifyCopy({ displayFinancialStatus: 'PENDING' }),
      approvalJob: { scheduled: false, recentRunStatuses: [] },
    });
    expect(decision.record.state).toBe('awaiting_approval');
    expect(decision.record.finding?.explanation).toMatch(/payment is pending/);
    expect(decision.record.finding?.explanation).toMatch(/not scheduled/);
    expect(decision.notify?.kind).toBe('needs_human');
  });

  it('reports "resolved" when an order a person was told about reaches HotWax', () => {
    const decision = decide(record({ state: 'awaiting_approval' }), { versions: [hotwaxOrder()] });
    expect(decision.record.state).toBe('in_sync');
    expect(decision.notify?.kind).toBe('resolved');
  });

  it('treats a Created POS order as stuck once the fulfilment grace has passed, even if young', () => {
    const pos = record({ channel: 'pos', expectation: 'fulfilled', fulfilledSeenAt: t0 });
    const { assessment } = assessCheck(
      pos,
      [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      t0 + 6 * minute,
      settings,
    );
    expect(assessment).toMatchObject({ kind: 'stuck', because: 'fulfilled' });
  });
});
