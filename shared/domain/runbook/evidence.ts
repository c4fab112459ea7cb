import { classifyImportError, type ImportErrorClassification } from '../classify-import-error.js';
import type { Finding, OrderRecord } from '../order-sync.js';
import type {
  ApprovalStatus,
  HotwaxOrder,
  ImportFailure,
  ReimportRunOutcome,
  ShopifyOrderSnapshot,
} from '../ports.js';
import { safeErrorText } from '../safe-error-text.js';

/** What the decision reads: HotWax's orders and, when the assessment asked for them, the rest. */
export interface Evidence {
  versions: readonly HotwaxOrder[];
  /** Shopify's copy; null = Shopify has no such order; undefined = not read */
  shopify?: ShopifyOrderSnapshot | null;
  /** the newest failed import record naming the order */
  importFailure?: ImportFailure | undefined;
  approval?: ApprovalStatus | undefined;
  /** how HotWax says the last re-import run went, when it names its runs (Maarg's fallback sync) */
  reimportRun?: { runId: string; outcome: ReimportRunOutcome } | undefined;
}

/** The HotWax run of the order's last repair, when HotWax gave it an id. */
export const lastRepairRunId = (record: Pick<OrderRecord, 'repairs'>): string | undefined =>
  record.repairs?.at(-1)?.runId;

/** Failed import records are looked for from this long before the order's creation (an import run's window). */
export const failedRecordLookBackMs = 3_600_000;

/** HotWax's log clock and ours may disagree a little. */
export const clockSlackMs = 60_000;

/** Where to start reading the failed-record logs for these orders. */
export const failedRecordsSince = (records: ReadonlyArray<Pick<OrderRecord, 'createdAt'>>): number =>
  Math.min(...records.map((record) => record.createdAt)) - failedRecordLookBackMs;

/** A failed record older than the last repair is not that repair's outcome. */
export const isSince = (failure: ImportFailure, since: number | undefined): boolean =>
  since === undefined || failure.createdDate >= since - clockSlackMs;

/** Shopify's answer ends the runbook: nothing to sync for a deleted, test or cancelled order. */
export const nothingToSync = (shopify: ShopifyOrderSnapshot | null | undefined): boolean =>
  shopify === null || Boolean(shopify?.cancelledAt) || Boolean(shopify?.test);

/** Fulfilled as Shopify's REST status or its GraphQL display status says. */
export const isFulfilledInShopify = (
  facts: Pick<OrderRecord, 'fulfillmentStatus'>,
  shopify: Pick<ShopifyOrderSnapshot, 'displayFulfillmentStatus'> | null | undefined,
): boolean =>
  facts.fulfillmentStatus === 'fulfilled' || shopify?.displayFulfillmentStatus?.toUpperCase() === 'FULFILLED';

/** A failed record read in plain language, with the finding a person acts on. */
export interface ClassifiedFailure {
  failure: ImportFailure;
  classified: ImportErrorClassification;
  finding: Finding;
}

/**
 * Classifies HotWax's text as written, then keeps only its reduced form (`safeErrorText`): from here on every
 * finding, timeline event, notification and support bundle quotes the reduced text, never the raw one.
 */
export const classifyFailure = (raw: ImportFailure): ClassifiedFailure => {
  const classified = classifyImportError(raw.errorText);
  const failure = { ...raw, errorText: safeErrorText(raw.errorText) };
  return {
    failure,
    classified,
    finding: {
      title: classified.title,
      explanation: classified.explanation,
      fix: classified.fix,
      rawError: failure.errorText,
      mdmLogId: failure.logId,
    },
  };
};

/**
 * A one-off diagnosis has no history. Had the monitor seen this failed import it would be waiting for the data fix
 * since then, so a data problem makes the record `blocked_on_data` as of the failure: a later change in Shopify is
 * then the runbook's "fix the data in Shopify, then import".
 */
export const asIfWaitingSinceFailure = (
  record: OrderRecord,
  failure: ImportFailure | undefined,
): OrderRecord =>
  failure && classifyImportError(failure.errorText).fixInShopify
    ? { ...record, state: 'blocked_on_data', blockedAtShopifyUpdatedAt: failure.createdDate }
    : record;
