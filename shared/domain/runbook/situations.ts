import { wasRefreshed } from '../hotwax-versions.js';
import type { Finding, OrderRecord } from '../order-sync.js';
import type { ApprovalStatus, HotwaxCapabilities, HotwaxOrder } from '../ports.js';
import type { Assessment } from './assess.js';
import {
  type ClassifiedFailure,
  classifyFailure,
  type Evidence,
  isFulfilledInShopify,
  isSince,
} from './evidence.js';
import { approveImportedOrders } from './words.js';

/**
 * The situations of the runbook: which row of the decision table applies to an order. One situation per row;
 * `situationOf` picks it from the assessment and the evidence, the table says what follows.
 */

/** A live HotWax order that should have left Created by now. */
export interface Stuck {
  live: HotwaxOrder;
  /** "after it was fulfilled in Shopify" or "past the normal time" */
  late: string;
}

type InHotwax = { live: HotwaxOrder; watchUntil?: number };

/** The re-import run HotWax reported failed: the re-import did not happen (its id, for people). */
type RunFailed = { runFailed?: string | undefined };

export type Situation =
  | ({ kind: 'in_sync' } & InHotwax)
  | ({ kind: 'reimport_verified' } & InHotwax)
  | ({ kind: 'refresh_verified' } & InHotwax)
  | ({ kind: 'left_created' } & InHotwax)
  | ({ kind: 'ambiguity_resolved' } & InHotwax)
  | { kind: 'ambiguous_in_hotwax'; liveOrders: readonly HotwaxOrder[] }
  | { kind: 'closed_by_hotwax'; live: HotwaxOrder }
  | { kind: 'fulfilled_but_closed_by_hotwax'; live: HotwaxOrder }
  | { kind: 'awaiting_import'; until: number }
  | { kind: 'gone_from_shopify' }
  | { kind: 'test_order' }
  | { kind: 'cancelled_in_shopify' }
  | { kind: 'data_fixed_in_shopify'; failure: ClassifiedFailure }
  | { kind: 'data_problem'; failure: ClassifiedFailure }
  | ({ kind: 'reimport_not_landed'; failure?: ClassifiedFailure | undefined } & RunFailed)
  | { kind: 'import_failed'; failure: ClassifiedFailure }
  | { kind: 'missed_by_import' }
  | { kind: 'pos_fulfilled_stuck'; stuck: Stuck }
  | { kind: 'refresh_not_verified'; stuck: Stuck }
  | { kind: 'pos_stuck_reimport'; stuck: Stuck }
  | ({ kind: 'stuck_reimport_not_verified'; stuck: Stuck } & RunFailed)
  | { kind: 'pos_needs_manual_refresh'; stuck: Stuck }
  | {
      kind: 'held_for_approval';
      stuck: Stuck;
      financialStatus: string;
      causes: string[];
      /** how the tenant approves orders, so the fix names the job or the store setting */
      mechanism: ApprovalStatus['mechanism'];
    }
  /** a repair row applied, but the repairs are used up */
  | { kind: 'repairs_exhausted'; why: string; finding?: Finding | undefined; keeps?: Partial<OrderRecord> };

export type SituationKind = Situation['kind'];

const paidStatuses = new Set([
  'PAID',
  'AUTHORIZED',
  'PARTIALLY_PAID',
  'PARTIALLY_REFUNDED',
  'paid',
  'authorized',
]);
const failedRunStatuses = new Set(['SERVICE_FAILED', 'SERVICE_CRASHED']);

/**
 * The likely reasons a web order is held in Created: payment first, then how approval works on the tenant — the
 * approval job (JOB_APR_ORD) or the product store's "Approve imported orders" setting (`autoApproveOrder`).
 */
export const approvalCauses = (
  financialStatus: string,
  approval: ApprovalStatus | undefined,
  mechanism: ApprovalStatus['mechanism'] = approval?.mechanism ?? 'job',
): string[] => {
  const causes: string[] = [];
  if (!paidStatuses.has(financialStatus)) {
    causes.push(
      `the payment is ${financialStatus.toLowerCase()} in Shopify — HotWax approves only authorised or paid orders`,
    );
  }
  if (mechanism === 'store_setting') {
    // Unknown matters here: with the setting unset nothing approves imported orders on its own.
    if (approval?.enabled === false)
      causes.push(`${approveImportedOrders} is off, so HotWax leaves imported orders Created`);
    // Not read (or the read failed) is no finding; read but unset is one.
    if (approval && approval.enabled === undefined)
      causes.push(
        `HotWax did not say whether ${approveImportedOrders} is on: it is not set on the product store`,
      );
  } else if (approval?.enabled === false) {
    causes.push('the approval job (Approve orders, JOB_APR_ORD) is not scheduled in Job Manager');
  }
  const failedRuns = approval?.recentRunStatuses.filter((status) => failedRunStatuses.has(status)) ?? [];
  if (failedRuns.length > 0) causes.push(`the approval job's recent runs failed (${failedRuns.join(', ')})`);
  if (causes.length === 0) {
    causes.push(
      `payment and ${mechanism === 'store_setting' ? approveImportedOrders : 'the approval job'} look fine; the order may be on hold for review`,
    );
  }
  return causes;
};

/** "Fix the data in Shopify, then import": Shopify's copy changed after the data problem was found. */
export const dataFixedSince = (current: OrderRecord, shopifyUpdatedAt: number): boolean =>
  current.state === 'blocked_on_data' &&
  current.blockedAtShopifyUpdatedAt !== undefined &&
  shopifyUpdatedAt > current.blockedAtShopifyUpdatedAt;

/**
 * Which row applies. `base` is the record with Shopify's fresh facts; `current` the record as the check read it.
 *
 * 1. In HotWax as expected: in sync, or the verification of the repair that was requested.
 * 2. Otherwise "confirm the order exists in Shopify": deleted, test and cancelled orders have nothing to sync.
 * 3. Not in HotWax: "match the Shopify order ID in the failed-record JSON" — a data problem waits for its fix in
 *    Shopify; anything else is re-imported.
 * 4. Stuck in Created: a POS order fulfilled in Shopify is re-imported where a re-import updates it in place, else
 *    refreshed (by the monitor or, without a refresh service, by a person); any other order gets the Order
 *    Approval troubleshooting.
 * Before all that, what HotWax holds may end the runbook: several live orders are an ambiguity for a person, and an
 * order HotWax rejected or expired is its own decision (never re-imported or refreshed).
 */
export const situationOf = (params: {
  current: OrderRecord;
  base: OrderRecord;
  assessment: Assessment;
  evidence: Evidence;
  capabilities: HotwaxCapabilities;
}): Situation => {
  const { current, base, assessment, evidence, capabilities } = params;
  if (assessment.kind === 'awaiting_import') return { kind: 'awaiting_import', until: assessment.until };
  if (assessment.kind === 'ambiguous')
    return { kind: 'ambiguous_in_hotwax', liveOrders: assessment.liveOrders };
  if (assessment.kind === 'decided_by_hotwax') {
    return {
      kind: base.expectation === 'fulfilled' ? 'fulfilled_but_closed_by_hotwax' : 'closed_by_hotwax',
      live: assessment.live,
    };
  }
  if (assessment.kind === 'in_sync') {
    const inHotwax: InHotwax = {
      live: assessment.live,
      ...(assessment.watchUntil !== undefined ? { watchUntil: assessment.watchUntil } : {}),
    };
    if (current.state === 'refresh_requested') {
      return { kind: wasRefreshed(evidence.versions) ? 'refresh_verified' : 'left_created', ...inHotwax };
    }
    if (current.state === 'ambiguous') return { kind: 'ambiguity_resolved', ...inHotwax };
    return { kind: current.state === 'reimport_requested' ? 'reimport_verified' : 'in_sync', ...inHotwax };
  }
  const runFailed = evidence.reimportRun?.outcome === 'failed' ? evidence.reimportRun.runId : undefined;

  const { shopify } = evidence;
  if (shopify === null) return { kind: 'gone_from_shopify' };
  if (shopify?.test) return { kind: 'test_order' };
  if (shopify?.cancelledAt) return { kind: 'cancelled_in_shopify' };

  if (assessment.kind === 'absent') {
    const failure =
      evidence.importFailure && isSince(evidence.importFailure, current.lastRepairAt)
        ? classifyFailure(evidence.importFailure)
        : undefined;
    if (failure?.classified.fixInShopify) {
      return {
        kind: dataFixedSince(current, base.updatedAt) ? 'data_fixed_in_shopify' : 'data_problem',
        failure,
      };
    }
    if (current.state === 'reimport_requested') return { kind: 'reimport_not_landed', failure, runFailed };
    return failure ? { kind: 'import_failed', failure } : { kind: 'missed_by_import' };
  }

  const stuck: Stuck = {
    live: assessment.live,
    late: assessment.because === 'fulfilled' ? 'after it was fulfilled in Shopify' : 'past the normal time',
  };
  if (base.channel === 'pos' && isFulfilledInShopify(base, shopify)) {
    // Maarg: no refresh and no "old version"; a re-import updates the order in place.
    if (capabilities.reimportRepairsStuck) {
      return current.state === 'reimport_requested'
        ? { kind: 'stuck_reimport_not_verified', stuck, runFailed }
        : { kind: 'pos_stuck_reimport', stuck };
    }
    if (!capabilities.canRefresh) return { kind: 'pos_needs_manual_refresh', stuck };
    return {
      kind: current.state === 'refresh_requested' ? 'refresh_not_verified' : 'pos_fulfilled_stuck',
      stuck,
    };
  }
  const financialStatus = shopify?.displayFinancialStatus ?? base.financialStatus ?? 'unknown';
  return {
    kind: 'held_for_approval',
    stuck,
    financialStatus,
    causes: approvalCauses(financialStatus, evidence.approval, capabilities.approval),
    mechanism: capabilities.approval,
  };
};
