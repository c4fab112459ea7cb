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
import { ofbizCapabilities } from '../support/fake-ports.js';
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
