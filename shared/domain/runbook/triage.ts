import type { CheckMessage, OrderRecord } from '../order-sync.js';
import { orderKey } from '../order-sync.js';
import { inGroup } from '../states.js';

/** Messages may arrive a little early (clock skew, SQS delay rounding); this much early still counts as due. */
export const dueSkewMs = 5_000;

export type TriageOutcome = 'unknown_order' | 'early' | 'settled' | 'stale' | 'due';

/**
 * Each schedule of a check has its own due time, kept on the record: a message is the order's scheduled check only
 * if its `dueAt` is the record's `nextCheckAt`. Redeliveries and duplicates of a check that already ran (or was
 * superseded by a later schedule) are recognised exactly, however the delays line up.
 */
export const isScheduledCheck = (message: CheckMessage, record: OrderRecord, now: number): boolean =>
  record.nextCheckAt !== undefined &&
  record.nextCheckAt <= now + dueSkewMs &&
  message.dueAt === record.nextCheckAt;

/**
 * Triage of one check message: the order is unknown; the message is early (a delay beyond SQS's 15 minutes, to
 * be re-queued); the order is settled (ignored or escalated: nothing runs unless a person asks, `manual`); the
 * message is stale (a duplicate, or a newer check is scheduled); or the check is due.
 */
export const triageCheck = (
  message: CheckMessage,
  record: OrderRecord | undefined,
  now: number,
): TriageOutcome => {
  if (!record) return 'unknown_order';
  if (message.dueAt > now + dueSkewMs) return 'early';
  if (message.reason === 'manual') return 'due';
  if (inGroup(record.state, 'settled')) return 'settled';
  return isScheduledCheck(message, record, now) ? 'due' : 'stale';
};

export interface DueCheck {
  record: OrderRecord;
  /** positions of the batch's messages this check answers (duplicates within a batch share one check) */
  indexes: number[];
}

/** The batch sorted out: every message's triage, the due checks once per order, the early messages to re-queue. */
export const triageChecks = (
  messages: readonly CheckMessage[],
  records: readonly OrderRecord[],
  now: number,
): {
  outcomes: TriageOutcome[];
  due: Map<string, DueCheck>;
  early: Array<{ index: number; message: CheckMessage }>;
} => {
  const byKey = new Map(records.map((record) => [orderKey(record), record]));
  const due = new Map<string, DueCheck>();
  const early: Array<{ index: number; message: CheckMessage }> = [];
  const outcomes = messages.map((message, index) => {
    const key = orderKey(message);
    const record = byKey.get(key);
    const outcome = triageCheck(message, record, now);
    if (outcome === 'early') early.push({ index, message });
    if (outcome === 'due' && record) {
      const entry = due.get(key) ?? { record, indexes: [] };
      entry.indexes.push(index);
      due.set(key, entry);
    }
    return outcome;
  });
  return { outcomes, due, early };
};
