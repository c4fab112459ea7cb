import { pickLiveVersion } from '../hotwax-versions.js';
import type { OrderRecord } from '../order-sync.js';
import type { HotwaxOrder } from '../ports.js';
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
  /** live but still Created (or a fulfilled POS order not Completed) past its time */
  | { kind: 'stuck'; live: HotwaxOrder; because: 'age' | 'fulfilled' };

/** The evidence the decision needs beyond HotWax's orders. */
export interface EvidenceNeeds {
  /** "confirm the order exists in Shopify" */
  shopify: boolean;
  /** "match the Shopify order ID in the failed-record JSON" */
  importFailures: boolean;
  /** web order held in Created: how approval works and whether it runs */
  approval: boolean;
}

const nothingMore: EvidenceNeeds = { shopify: false, importFailures: false, approval: false };

export const assessOrder = (
  record: OrderRecord,
  versions: readonly HotwaxOrder[],
  now: number,
  settings: RunbookSettings,
): { assessment: Assessment; needs: EvidenceNeeds } => {
  const live = pickLiveVersion(versions);
  if (!live)
    return { assessment: { kind: 'absent' }, needs: { ...nothingMore, shopify: true, importFailures: true } };

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
      needs: { ...nothingMore, shopify: true, approval: record.channel !== 'pos' },
    };
  }
  const dues = [fulfilledDue, created ? createdDue : undefined].filter(
    (due): due is number => due !== undefined,
  );
  return { assessment: { kind: 'in_sync', live, watchUntil: Math.min(...dues) }, needs: nothingMore };
};
