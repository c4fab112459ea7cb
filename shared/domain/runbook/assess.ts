import { isHotwaxDecision, liveVersions } from '../hotwax-versions.js';
import type { OrderRecord } from '../order-sync.js';
import type { HotwaxOrder } from '../ports.js';
import { lastRepairRunId } from './evidence.js';
import type { RunbookSettings } from './settings.js';

/**
 * The runbook's first look: what HotWax holds for the order, judged against what it must show by now. A batch
 * costs one HotWax lookup, and the assessment says what else must be read for this order alone.
 */
export type Assessment =
  /** HotWax holds a live order in the expected state; `watchUntil` = re-check then that it left Created */
  | { kind: 'in_sync'; live: HotwaxOrder; watchUntil?: number }
  /** no live order in HotWax */
  | { kind: 'absent' }
  /** not in HotWax yet, but younger than the shop's import usually takes: looked at again `until` */
  | { kind: 'awaiting_import'; until: number }
  /** live but still Created (or a fulfilled POS order not Completed) past its time */
  | { kind: 'stuck'; live: HotwaxOrder; because: 'age' | 'fulfilled' }
  /** several live orders share the Shopify id (an exchange, a duplicate import): none of them is "the" order */
  | { kind: 'ambiguous'; liveOrders: readonly HotwaxOrder[] }
  /** the one live order ended in HotWax's own terminal decision (ORDER_REJECTED, ORDER_EXPIRED) */
  | { kind: 'decided_by_hotwax'; live: HotwaxOrder };

/** The evidence the decision needs beyond HotWax's orders. */
export interface EvidenceNeeds {
  /** "confirm the order exists in Shopify" */
  shopify: boolean;
  /** "match the Shopify order ID in the failed-record JSON" */
  importFailures: boolean;
  /** web order held in Created: how approval works and whether it runs */
  approval: boolean;
  /** a re-import did not show yet: did HotWax's run of it fail? (only when HotWax named the run) */
  reimportRun: boolean;
}

const nothingMore: EvidenceNeeds = {
  shopify: false,
  importFailures: false,
  approval: false,
  reimportRun: false,
};

/** The verify of a re-import that has not shown: HotWax's run of it may say it failed. */
const awaitsReimportRun = (record: OrderRecord) =>
  record.state === 'reimport_requested' && lastRepairRunId(record) !== undefined;

export const assessOrder = (
  record: OrderRecord,
  versions: readonly HotwaxOrder[],
  now: number,
  settings: RunbookSettings,
): { assessment: Assessment; needs: EvidenceNeeds } => {
  const [live, ...others] = liveVersions(versions);
  // A first look that comes before the shop's import usually lands: re-importing now could be needless.
  const awaitUntil =
    settings.awaitImportMs === undefined ? undefined : record.createdAt + settings.awaitImportMs;
  if (
    !live &&
    awaitUntil !== undefined &&
    now < awaitUntil &&
    record.state === 'pending_check' &&
    record.expectation === 'created' &&
    record.repairAttempts === 0
  )
    return { assessment: { kind: 'awaiting_import', until: awaitUntil }, needs: nothingMore };
  if (!live)
    return {
      assessment: { kind: 'absent' },
      needs: { ...nothingMore, shopify: true, importFailures: true, reimportRun: awaitsReimportRun(record) },
    };
  // "Newest non-cancelled is the live version only when exactly one non-cancelled order exists" (hotwax-api.md).
  if (others.length > 0)
    return { assessment: { kind: 'ambiguous', liveOrders: [live, ...others] }, needs: nothingMore };
  if (isHotwaxDecision(live)) return { assessment: { kind: 'decided_by_hotwax', live }, needs: nothingMore };

  const fulfilledDue =
    record.expectation === 'fulfilled'
      ? (record.fulfilledSeenAt ?? now) + settings.fulfilledGraceMs
      : undefined;
  const createdDue = record.createdAt + settings.createdStuckAfterMs;
  const created = live.statusId === 'ORDER_CREATED';
  const posNotCompleted =
    record.channel === 'pos' && record.expectation === 'fulfilled' && live.statusId !== 'ORDER_COMPLETED';
  if (!created && !posNotCompleted) return { assessment: { kind: 'in_sync', live }, needs: nothingMore };

  const byFulfilment = fulfilledDue !== undefined && now >= fulfilledDue;
  const byAge = created && now >= createdDue;
  if (byFulfilment || byAge) {
    return {
      assessment: { kind: 'stuck', live, because: byFulfilment ? 'fulfilled' : 'age' },
      needs: {
        ...nothingMore,
        shopify: true,
        approval: record.channel !== 'pos',
        reimportRun: awaitsReimportRun(record),
      },
    };
  }
  const dues = [fulfilledDue, created ? createdDue : undefined].filter(
    (due): due is number => due !== undefined,
  );
  return { assessment: { kind: 'in_sync', live, watchUntil: Math.min(...dues) }, needs: nothingMore };
};
