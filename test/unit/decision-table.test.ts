import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import type { HotwaxCapabilities, HotwaxOrder, ShopifyOrderSnapshot } from '../../shared/domain/ports.js';
import { assessOrder } from '../../shared/domain/runbook/assess.js';
import { type Decision, decide } from '../../shared/domain/runbook/decide.js';
import { decisionTable } from '../../shared/domain/runbook/decision-table.js';
import type { Evidence } from '../../shared/domain/runbook/evidence.js';
import type { RunbookSettings } from '../../shared/domain/runbook/settings.js';
import type { SituationKind } from '../../shared/domain/runbook/situations.js';
import { inGroup, syncStates } from '../../shared/domain/states.js';
import { maargCapabilities, ofbizCapabilities } from '../support/fake-ports.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const minute = 60_000;
const t0 = Date.parse('2026-11-29T10:00:00Z');

const settings: RunbookSettings = {
  createdStuckAfterMs: 60 * minute,
  fulfilledGraceMs: 5 * minute,
  verifyDelayMs: 5 * minute,
  maxRepairAttempts: 3,
  recheckMs: 15 * minute,
  maxRecheckMs: 6 * 60 * minute,
};
/** The New Orders job re-imports, and a refresh service is configured. */
const refreshable: HotwaxCapabilities = { ...ofbizCapabilities, canRefresh: true };

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

const failure = (errorText: string, overrides: { logId?: string; createdDate?: number } = {}) => ({
  shopifyOrderId: '5100',
  logId: overrides.logId ?? 'L',
  createdDate: overrides.createdDate ?? t0,
  errorText,
});

const pos = (overrides: Partial<OrderRecord> = {}) =>
  record({ channel: 'pos', expectation: 'fulfilled', fulfilledSeenAt: t0 + minute, ...overrides });
const fulfilledPosCopy = shopifyCopy({
  channel: 'pos',
  displayFulfillmentStatus: 'FULFILLED',
  fulfillmentStatus: 'fulfilled',
});

interface Scenario {
  /** the runbook's situation, in its words */
  runbook: string;
  given: OrderRecord;
  evidence: Evidence;
  now?: number;
  capabilities?: HotwaxCapabilities;
  /** the row that applies */
  row: SituationKind;
  state: OrderRecord['state'];
  /** who is told: a notification kind, or nobody */
  tells?: 'needs_human' | 'resolved' | 'escalated';
  action?: Decision['action'];
  /** the timeline says */
  says?: RegExp;
  /** more of the runbook's expectations */
  and?: (decision: Decision) => void;
}

const scenarios: Scenario[] = [
  {
    runbook: 'marks an approved order in HotWax in sync and reports its sync lag',
    given: record(),
    evidence: { versions: [hotwaxOrder()] },
    row: 'in_sync',
    state: 'in_sync',
    and: (decision) => {
      expect(decision.record.nextCheckAt).toBeUndefined();
      expect(decision.syncLagSeconds).toBe(600);
    },
  },
  {
    runbook: 'keeps watching an order that is Created but still within its normal time',
    given: record(),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })] },
    row: 'in_sync',
    state: 'in_sync',
    says: /Created is normal for now/,
    and: (decision) => expect(decision.record.nextCheckAt).toBe(t0 + 60 * minute),
  },
  {
    runbook: 're-imports an order the New Orders job missed (no failed record) and schedules the verify',
    given: record(),
    evidence: { versions: [], shopify: shopifyCopy() },
    row: 'missed_by_import',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /New Orders job \(JOB_IMP_ORD\) run now requested \(attempt 1 of 3\)/,
    and: (decision) => {
      expect(decision.record).toMatchObject({ repairAttempts: 1, nextCheckAt: t0 + 15 * minute });
      expect(decision.record.repairs?.[0]?.kind).toBe('reimport_job');
      expect(decision.events[0]?.detail).toMatchObject({ observed: 'missing' });
    },
  },
  {
    runbook: 're-imports with the per-order import service when the tenant has one',
    given: record(),
    evidence: { versions: [], shopify: shopifyCopy() },
    capabilities: { ...ofbizCapabilities, reimportScope: 'order' },
    row: 'missed_by_import',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /per-order import service requested/,
    and: (decision) => expect(decision.record.repairs?.[0]?.kind).toBe('reimport_order'),
  },
  {
    runbook: 'verifies a re-import once the order is in HotWax',
    given: record({ state: 'reimport_requested', repairAttempts: 1, lastRepairAt: t0 }),
    evidence: { versions: [hotwaxOrder()] },
    row: 'reimport_verified',
    state: 'in_sync',
    says: /Re-import verified/,
    and: (decision) => {
      expect(decision.repairVerified).toBe(true);
      expect(decision.record.repairAttempts).toBe(0);
    },
  },
  ...(
    [
      [
        'cancelled in Shopify before import',
        shopifyCopy({ cancelledAt: t0 + minute }),
        'cancelled_in_shopify',
        /cancelled in Shopify/,
      ],
      ['a test order', shopifyCopy({ test: true }), 'test_order', /test order/],
      ['gone from Shopify', null, 'gone_from_shopify', /no longer exists/],
    ] as const
  ).map(
    ([name, shopify, row, says]): Scenario => ({
      runbook: `ignores an order ${name}`,
      given: record(),
      evidence: { versions: [], shopify },
      row,
      state: 'ignored',
      says,
    }),
  ),
  {
    runbook:
      'blocks on data when the failed MDM record says the phone is missing, tells a person, and does not re-import',
    given: record(),
    evidence: {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: failure('Phone number is required for the shipping address', {
        logId: 'LOG-77',
        createdDate: t0 + 2 * minute,
      }),
    },
    row: 'data_problem',
    state: 'blocked_on_data',
    tells: 'needs_human',
    says: /the import failed — Phone number missing or invalid/,
    and: (decision) => {
      expect(decision.record.finding).toMatchObject({
        mdmLogId: 'LOG-77',
        rawError: expect.stringMatching(/Phone/),
      });
      expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 15 * minute);
      expect(decision.notify?.fix).toMatch(/Shopify/);
    },
  },
  {
    runbook: 'backs off while the data is not fixed, without telling anyone twice',
    given: record({
      state: 'blocked_on_data',
      blockedAtShopifyUpdatedAt: t0,
      rechecks: 1,
      humanNotifiedAt: t0 + 10 * minute,
    }),
    evidence: { versions: [], shopify: shopifyCopy(), importFailure: failure('missing phone number') },
    row: 'data_problem',
    state: 'blocked_on_data',
    says: /Still waiting for the data fix/,
    and: (decision) => {
      expect(decision.record.rechecks).toBe(2);
      expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 60 * minute);
    },
  },
  {
    runbook: 'tells a person again at the next look when their alert could not be sent',
    given: record({ state: 'blocked_on_data', blockedAtShopifyUpdatedAt: t0, rechecks: 1 }),
    evidence: { versions: [], shopify: shopifyCopy(), importFailure: failure('missing phone number') },
    row: 'data_problem',
    state: 'blocked_on_data',
    tells: 'needs_human',
    and: (decision) => expect(decision.record.humanNotifiedAt).toBe(t0 + 10 * minute),
  },
  {
    runbook: "re-imports a blocked order once Shopify's copy changed after the failure",
    given: record({ state: 'blocked_on_data', blockedAtShopifyUpdatedAt: t0 }),
    evidence: {
      versions: [],
      shopify: shopifyCopy({
        updatedAt: t0 + 5 * minute,
        flags: { ...record().flags, hasShippingPhone: true },
      }),
      importFailure: failure('missing phone number'),
    },
    row: 'data_fixed_in_shopify',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /changed/,
  },
  {
    runbook: 're-imports when the failed record shows a transient connection timeout',
    given: record(),
    evidence: { versions: [], shopify: shopifyCopy(), importFailure: failure('Connection timeout') },
    row: 'import_failed',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /the import failed \(.*, transient\)/,
  },
  {
    runbook: 're-imports again when the re-import did not land',
    given: record({ state: 'reimport_requested', repairAttempts: 1, lastRepairAt: t0 }),
    evidence: { versions: [], shopify: shopifyCopy() },
    row: 'reimport_not_landed',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /Still not in HotWax after the re-import; .* \(attempt 2 of 3\)/,
  },
  {
    runbook: 'escalates with a support bundle after the maximum number of repairs',
    given: record({
      state: 'reimport_requested',
      repairAttempts: 3,
      lastRepairAt: t0,
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'New Orders job' }],
    }),
    evidence: {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: failure('Service [createShopifyOrder] target threw an unexpected exception (null)', {
        logId: 'LOG-9',
        createdDate: t0 + minute,
      }),
    },
    row: 'repairs_exhausted',
    state: 'escalated',
    tells: 'escalated',
    says: /3 repairs did not fix it/,
    and: (decision) => {
      expect(decision.notify?.rawError).toMatch(/createShopifyOrder/);
      expect(decision.notify?.bundle).toMatchObject({
        repairAttempts: 3,
        repairs: [{ kind: 'reimport_job' }],
      });
    },
  },
  {
    runbook: 'refreshes a POS order stuck in Created that Shopify shows fulfilled',
    given: pos(),
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' })],
      shopify: fulfilledPosCopy,
    },
    row: 'pos_fulfilled_stuck',
    state: 'refresh_requested',
    action: { kind: 'refresh', hotwaxOrderId: 'HC10041' },
    says: /refresh of HotWax order HC10041 requested/,
    and: (decision) => expect(decision.record.hotwax?.orderId).toBe('HC10041'),
  },
  {
    runbook: 'verifies a refresh: the new version Completed and the old one Cancelled',
    given: pos({ state: 'refresh_requested', repairAttempts: 1, fulfilledSeenAt: undefined }),
    evidence: {
      versions: [
        hotwaxOrder({ statusId: 'ORDER_CANCELLED', entryDate: t0 + minute }),
        hotwaxOrder({ orderId: 'HC10077', statusId: 'ORDER_COMPLETED', entryDate: t0 + 8 * minute }),
      ],
    },
    row: 'refresh_verified',
    state: 'in_sync',
    says: /Refresh verified/,
    and: (decision) => {
      expect(decision.record.hotwax?.orderId).toBe('HC10077');
      expect(decision.repairVerified).toBe(true);
    },
  },
  {
    runbook: 'tells a person the exact refresh steps when no refresh service is configured',
    given: pos({ fulfilledSeenAt: t0 }),
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: shopifyCopy({ channel: 'pos', displayFulfillmentStatus: 'FULFILLED' }),
    },
    capabilities: ofbizCapabilities,
    row: 'pos_needs_manual_refresh',
    state: 'stuck_created',
    tells: 'needs_human',
    says: /a person must refresh it/,
    and: (decision) => expect(decision.notify?.fix).toMatch(/Refresh order/),
  },
  {
    runbook: 'diagnoses a web order held in Created: payment pending and approval job not scheduled',
    given: record(),
    now: t0 + 61 * minute,
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: shopifyCopy({ displayFinancialStatus: 'PENDING' }),
      approval: { mechanism: 'job', enabled: false, recentRunStatuses: [] },
    },
    row: 'held_for_approval',
    state: 'awaiting_approval',
    tells: 'needs_human',
    and: (decision) => {
      expect(decision.record.finding?.explanation).toMatch(/payment is pending/);
      expect(decision.record.finding?.explanation).toMatch(/not scheduled/);
    },
  },
  {
    runbook: 'reports "resolved" when an order a person was told about reaches HotWax',
    given: record({ state: 'awaiting_approval' }),
    evidence: { versions: [hotwaxOrder()] },
    row: 'in_sync',
    state: 'in_sync',
    tells: 'resolved',
  },

  // --- several live orders with one externalId (exchanges, duplicates): a person decides ------------------------
  {
    runbook:
      'reports two live HotWax orders with one Shopify id (an exchange) to a person, calling nothing in sync and repairing nothing',
    given: record(),
    evidence: { versions: [hotwaxOrder(), hotwaxOrder({ orderId: 'HC10099', statusId: 'ORDER_CREATED' })] },
    row: 'ambiguous_in_hotwax',
    state: 'ambiguous',
    tells: 'needs_human',
    says: /HotWax holds 2 live orders for this Shopify order \(HC10099 ORDER_CREATED, HC10041 ORDER_APPROVED\)/,
    and: (decision) => {
      expect(decision.record.inSyncAt).toBeUndefined();
      expect(decision.syncLagSeconds).toBeUndefined();
      expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 15 * minute);
      expect(decision.notify?.fix).toMatch(/HC10099, HC10041/);
      expect(decision.events[0]?.detail).toMatchObject({
        hotwaxOrders: [{ orderId: 'HC10099' }, { orderId: 'HC10041' }],
      });
    },
  },
  {
    runbook:
      'looks again on the waiting backoff while HotWax still holds several live orders, telling nobody twice',
    given: record({ state: 'ambiguous', rechecks: 1, humanNotifiedAt: t0 + 10 * minute }),
    evidence: { versions: [hotwaxOrder(), hotwaxOrder({ orderId: 'HC10099' })] },
    row: 'ambiguous_in_hotwax',
    state: 'ambiguous',
    says: /still holds 2 live orders/,
    and: (decision) => {
      expect(decision.record.rechecks).toBe(2);
      expect(decision.record.nextCheckAt).toBe(t0 + 10 * minute + 60 * minute);
    },
  },
  {
    runbook:
      'never refreshes a fulfilled POS order that HotWax holds twice live: the ambiguity goes to a person',
    given: pos(),
    evidence: {
      versions: [
        hotwaxOrder({ statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' }),
        hotwaxOrder({ orderId: 'HC10099', statusId: 'ORDER_CREATED' }),
      ],
      shopify: fulfilledPosCopy,
    },
    row: 'ambiguous_in_hotwax',
    state: 'ambiguous',
    tells: 'needs_human',
  },
  {
    runbook:
      'resolves an ambiguity once HotWax holds exactly one live order, and tells the person it is resolved',
    given: record({ state: 'ambiguous', humanNotifiedAt: t0 + minute }),
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CANCELLED' }), hotwaxOrder({ orderId: 'HC10099' })],
    },
    row: 'ambiguity_resolved',
    state: 'in_sync',
    tells: 'resolved',
    says: /HotWax holds one live order again: HC10099/,
    and: (decision) => expect(decision.record.hotwax?.orderId).toBe('HC10099'),
  },
  {
    runbook: 'is not ambiguous after an OFBiz refresh: the old version Cancelled and the new one live',
    given: pos(),
    evidence: {
      versions: [
        hotwaxOrder({ statusId: 'ORDER_CANCELLED' }),
        hotwaxOrder({ orderId: 'HC10077', statusId: 'ORDER_COMPLETED', entryDate: t0 + 8 * minute }),
      ],
    },
    row: 'in_sync',
    state: 'in_sync',
  },

  // --- HotWax's own terminal decisions: the order reached HotWax, it is never re-imported ----------------------
  ...(['ORDER_REJECTED', 'ORDER_EXPIRED'] as const).map(
    (statusId): Scenario => ({
      runbook: `records an order HotWax holds as ${statusId} as in sync, with a timeline note and no repair`,
      given: record(),
      evidence: { versions: [hotwaxOrder({ statusId })] },
      row: 'closed_by_hotwax',
      state: 'in_sync',
      says: new RegExp(
        `HotWax ${statusId === 'ORDER_REJECTED' ? 'rejected' : 'expired'} order HC10041 \\(${statusId}\\).*nothing to re-import or refresh`,
      ),
      and: (decision) => expect(decision.record.hotwax?.statusId).toBe(statusId),
    }),
  ),
  {
    runbook:
      'escalates a POS order fulfilled in Shopify that HotWax rejected, with a support bundle, never refreshing it',
    given: pos(),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_REJECTED' })], shopify: fulfilledPosCopy },
    row: 'fulfilled_but_closed_by_hotwax',
    state: 'escalated',
    tells: 'escalated',
    says: /Shopify shows the order fulfilled, but HotWax rejected it/,
    and: (decision) => {
      expect(decision.notify?.title).toMatch(/fulfilled in Shopify but rejected in HotWax/);
      expect(decision.notify?.bundle).toMatchObject({ hotwaxVersions: [{ statusId: 'ORDER_REJECTED' }] });
      expect(decision.record.finding?.fix).toMatch(/never re-imports or refreshes/);
      expect(decision.record.nextCheckAt).toBeUndefined();
    },
  },
  {
    runbook: 'escalates a web order fulfilled in Shopify that HotWax let expire',
    given: record({ expectation: 'fulfilled', fulfilledSeenAt: t0 }),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_EXPIRED' })] },
    capabilities: maargCapabilities,
    row: 'fulfilled_but_closed_by_hotwax',
    state: 'escalated',
    tells: 'escalated',
    says: /HotWax expired it/,
  },

  // --- a tenant where a re-import updates an order in place (Maarg) ---------------------------------------------
  {
    runbook:
      'repairs a POS order fulfilled in Shopify but Created in HotWax by re-importing it where a re-import updates it in place',
    given: pos(),
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' })],
      shopify: fulfilledPosCopy,
    },
    capabilities: maargCapabilities,
    row: 'pos_stuck_reimport',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /HotWax order HC10041 is still ORDER_CREATED .*updates it in place.*order sync run now from the order's last update requested \(attempt 1 of 3\)/,
    and: (decision) => {
      expect(decision.record.repairs?.[0]?.kind).toBe('reimport_job');
      expect(decision.record.hotwax?.orderId).toBe('HC10041');
    },
  },
  {
    runbook: 'verifies the re-import of a stuck POS order once HotWax shows it Completed',
    given: pos({ state: 'reimport_requested', repairAttempts: 1, lastRepairAt: t0 }),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_COMPLETED' })] },
    capabilities: maargCapabilities,
    row: 'reimport_verified',
    state: 'in_sync',
    says: /Re-import verified: HotWax order HC10041 is ORDER_COMPLETED/,
    and: (decision) => expect(decision.repairVerified).toBe(true),
  },
  {
    runbook: 're-imports a stuck POS order again when it is still Created after the re-import',
    given: pos({ state: 'reimport_requested', repairAttempts: 1, lastRepairAt: t0 }),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })], shopify: fulfilledPosCopy },
    capabilities: maargCapabilities,
    row: 'stuck_reimport_not_verified',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /Re-import not verified: HotWax order HC10041 is still ORDER_CREATED; .*\(attempt 2 of 3\)/,
  },
  {
    runbook: 'says the re-import of a stuck POS order did not happen when HotWax reports its run failed',
    given: pos({
      state: 'reimport_requested',
      repairAttempts: 1,
      lastRepairAt: t0,
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'order sync', runId: 'JR100042' }],
    }),
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: fulfilledPosCopy,
      reimportRun: { runId: 'JR100042', outcome: 'failed' },
    },
    capabilities: maargCapabilities,
    row: 'stuck_reimport_not_verified',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /HotWax's run JR100042 of it failed, so the re-import did not happen/,
    and: (decision) => expect(decision.events[0]?.detail).toMatchObject({ failedRunId: 'JR100042' }),
  },
  {
    runbook:
      'says a missing order was not re-imported when HotWax reports the run failed, and re-imports again',
    given: record({
      state: 'reimport_requested',
      repairAttempts: 1,
      lastRepairAt: t0,
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'order sync', runId: 'JR7' }],
    }),
    evidence: { versions: [], shopify: shopifyCopy(), reimportRun: { runId: 'JR7', outcome: 'failed' } },
    capabilities: maargCapabilities,
    row: 'reimport_not_landed',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /^Still not in HotWax after the re-import: HotWax's run JR7 of it failed/,
  },
  {
    runbook: 'words the re-import of a missing order as an order sync where a re-import updates in place',
    given: record(),
    evidence: { versions: [], shopify: shopifyCopy() },
    capabilities: maargCapabilities,
    row: 'missed_by_import',
    state: 'reimport_requested',
    action: { kind: 'reimport' },
    says: /order sync run now from the order's last update requested/,
  },
  {
    runbook: 'escalates a stuck POS order whose re-imports are used up',
    given: pos({ state: 'reimport_requested', repairAttempts: 3, lastRepairAt: t0 }),
    evidence: { versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })], shopify: fulfilledPosCopy },
    capabilities: maargCapabilities,
    row: 'repairs_exhausted',
    state: 'escalated',
    tells: 'escalated',
    says: /Re-import not verified.*3 repairs did not fix it/,
  },
  {
    runbook:
      'still sends a web order held in Created to the approval diagnosis there, naming "Approve imported orders" instead of the approval job',
    given: record(),
    now: t0 + 61 * minute,
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: shopifyCopy(),
      approval: { mechanism: 'store_setting', enabled: false, recentRunStatuses: [] },
    },
    capabilities: maargCapabilities,
    row: 'held_for_approval',
    state: 'awaiting_approval',
    tells: 'needs_human',
    and: (decision) => {
      expect(decision.record.finding?.explanation).toMatch(
        /"Approve imported orders" setting \(autoApproveOrder\) is off/,
      );
      expect(decision.notify?.fix).toMatch(/Company › Product stores/);
      expect(`${decision.notify?.explanation} ${decision.notify?.fix}`).not.toMatch(/JOB_APR_ORD/);
      expect(decision.events[0]?.detail).toMatchObject({ approval: 'store_setting' });
    },
  },
  {
    runbook: 'says it does not know whether "Approve imported orders" is on when HotWax does not say',
    given: record(),
    now: t0 + 61 * minute,
    evidence: {
      versions: [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      shopify: shopifyCopy({ displayFinancialStatus: 'PENDING' }),
      approval: { mechanism: 'store_setting', enabled: undefined, recentRunStatuses: [] },
    },
    capabilities: maargCapabilities,
    row: 'held_for_approval',
    state: 'awaiting_approval',
    tells: 'needs_human',
    and: (decision) => {
      expect(decision.record.finding?.explanation).toMatch(/payment is pending/);
      expect(decision.record.finding?.explanation).toMatch(/did not say whether .*autoApproveOrder/);
    },
  },
  {
    runbook:
      'notes the alert of an order a person muted from Slack on its timeline instead of telling anyone',
    given: record({ byPerson: { mutedUntil: t0 + 24 * 60 * minute, mutedBy: 'U0PERSON' } }),
    evidence: {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: failure('Phone number is required for the shipping address', {
        createdDate: t0 + minute,
      }),
    },
    row: 'data_problem',
    state: 'blocked_on_data',
    tells: undefined,
    and: (decision) => {
      expect(decision.events[0]?.detail).toMatchObject({
        alertMuted: { until: t0 + 24 * 60 * minute, by: 'U0PERSON' },
      });
      expect(decision.record.humanNotifiedAt).toBeUndefined();
      // The checks go on while muted.
      expect(decision.record.nextCheckAt).toBeGreaterThan(t0);
    },
  },
  {
    runbook: 'tells the resolution of a muted order: only alerts are muted',
    given: record({
      state: 'blocked_on_data',
      humanNotifiedAt: t0,
      byPerson: { mutedUntil: t0 + 24 * 60 * minute, mutedBy: 'U0PERSON' },
    }),
    evidence: { versions: [hotwaxOrder()] },
    row: 'in_sync',
    state: 'in_sync',
    tells: 'resolved',
  },
  {
    runbook: 'does not send support the same bundle again when a person re-checks an escalated order',
    given: record({
      state: 'escalated',
      repairAttempts: 3,
      humanNotifiedAt: t0,
      lastRepairAt: t0,
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'New Orders job' }],
    }),
    evidence: {
      versions: [],
      shopify: shopifyCopy(),
      importFailure: failure('Service [createShopifyOrder] target threw an unexpected exception (null)', {
        createdDate: t0 + minute,
      }),
    },
    row: 'repairs_exhausted',
    state: 'escalated',
    tells: undefined,
  },
];

describe('the decision table: the order-sync runbook', () => {
  it.each(scenarios)('$runbook', (scenario) => {
    const now = scenario.now ?? t0 + 10 * minute;
    const { assessment } = assessOrder(scenario.given, scenario.evidence.versions, now, settings);
    const decision = decide(scenario.given, assessment, scenario.evidence, {
      now,
      settings,
      capabilities: scenario.capabilities ?? refreshable,
    });

    expect(decision.situation).toBe(scenario.row);
    expect(decision.record.state).toBe(scenario.state);
    expect(decision.record.state).toBe(decisionTable[scenario.row].next);
    expect(decision.notify?.kind).toBe(scenario.tells);
    expect(decision.action).toEqual(scenario.action);
    if (scenario.says) expect(decision.events[0]?.message).toMatch(scenario.says);
    scenario.and?.(decision);
  });

  it('treats a Created POS order as stuck once the fulfilment grace has passed, even if young', () => {
    const { assessment } = assessOrder(
      pos({ fulfilledSeenAt: t0 }),
      [hotwaxOrder({ statusId: 'ORDER_CREATED' })],
      t0 + 6 * minute,
      settings,
    );
    expect(assessment).toMatchObject({ kind: 'stuck', because: 'fulfilled' });
  });

  it('asks how the re-import run went only while a re-import HotWax named is being verified', () => {
    const verifying = record({
      state: 'reimport_requested',
      repairs: [{ at: t0, kind: 'reimport_job', detail: 'order sync', runId: 'JR1' }],
    });
    expect(assessOrder(verifying, [], t0, settings).needs.reimportRun).toBe(true);
    expect(assessOrder({ ...verifying, repairs: [] }, [], t0, settings).needs.reimportRun).toBe(false);
    expect(assessOrder({ ...verifying, state: 'pending_check' }, [], t0, settings).needs.reimportRun).toBe(
      false,
    );
    expect(assessOrder(verifying, [hotwaxOrder()], t0, settings).needs.reimportRun).toBe(false);
  });

  it('is summarised truthfully in the table at the top of decision-table.ts', () => {
    const source = readFileSync(
      new URL('../../shared/domain/runbook/decision-table.ts', import.meta.url),
      'utf8',
    );
    const documented = [...source.matchAll(/^ \* \| (\w+)\s+\| (\w+)\s+\| (\w+)\s+\| (\w+)\s+\|$/gm)]
      .map((match) => match.slice(1, 5).join(' '))
      .filter((line) => !line.startsWith('situation '));
    const rows = Object.entries(decisionTable).map(([situation, row]) =>
      [situation, row.next, row.action, row.tells].join(' '),
    );
    expect(documented).toEqual(rows);
  });

  it('has a row for every situation, each ending in a state a record can rest in', () => {
    for (const [situation, row] of Object.entries(decisionTable)) {
      expect(syncStates, situation).toContain(row.next);
      // A row that tells a person must leave the order where the state table says a person is needed.
      if (row.tells === 'person_once') expect(inGroup(row.next, 'needsPerson'), situation).toBe(true);
    }
  });
});
