import {
  type CheckMessage,
  type Expectation,
  type OrderFacts,
  type OrderRecord,
  pickFacts,
  type SyncState,
  type TimelineEvent,
} from './order-sync.js';
import { inGroup } from './states.js';

export interface OrderSeen {
  facts: OrderFacts;
  expectation: Expectation;
  /** what told us: a webhook topic, or the sweep finding an order no webhook announced */
  via: 'orders/create' | 'orders/fulfilled' | 'sweep';
  at: number;
  checkDelayMs: number;
}

export interface OrderSeenOutcome {
  record: OrderRecord;
  event: TimelineEvent;
  /** the check to queue; absent when an earlier check is already scheduled or none is needed */
  check?: CheckMessage;
}

/** A scheduled check older than this is presumed lost (never queued, or dropped) and is scheduled again. */
export const overdueAfterMs = 15 * 60_000;

const mergeFacts = (current: OrderRecord | undefined, facts: OrderFacts): OrderFacts =>
  // An out-of-order (older) delivery keeps the newer facts already recorded.
  !current || facts.updatedAt >= current.updatedAt ? facts : { shop: current.shop, ...pickFacts(current) };

const isoTime = (ms: number) => new Date(ms).toISOString();

/**
 * Records that Shopify told us about an order (a webhook, or the sweep) and decides whether a check must be queued.
 *
 * 1. Merge the facts; an older delivery never overwrites newer ones (out-of-order deliveries).
 * 2. `fulfilled` is sticky: once Shopify said fulfilled, HotWax owes a non-Created order.
 * 3. An `in_sync` order whose expectation just rose is re-opened; ignored and escalated orders stay as they are.
 * 4. Queue a check after the delay, unless an earlier healthy one is already scheduled (one chain per order).
 */
export const applyOrderSeen = (current: OrderRecord | undefined, seen: OrderSeen): OrderSeenOutcome => {
  const facts = mergeFacts(current, seen.facts);
  const expectation: Expectation =
    current?.expectation === 'fulfilled' || seen.expectation === 'fulfilled' ? 'fulfilled' : 'created';
  const raised = current !== undefined && current.expectation !== expectation;

  let state: SyncState = current?.state ?? 'pending_check';
  let stateSince = current?.stateSince ?? seen.at;
  if (current && state === 'in_sync' && raised) {
    state = 'pending_check';
    stateSince = seen.at;
  }

  const record: OrderRecord = {
    ...current,
    ...facts,
    state,
    stateSince,
    expectation,
    repairAttempts: current?.repairAttempts ?? 0,
    version: current?.version ?? 0,
    firstSeenAt: current?.firstSeenAt ?? seen.at,
    source: current?.source ?? (seen.via === 'sweep' ? 'sweep' : 'webhook'),
  };
  if (seen.via !== 'sweep') record.lastWebhookAt = seen.at;
  if (expectation === 'fulfilled' && record.fulfilledSeenAt === undefined) record.fulfilledSeenAt = seen.at;

  const due = seen.at + seen.checkDelayMs;
  const pending = current?.nextCheckAt;
  const pendingHealthy = pending !== undefined && pending >= seen.at - overdueAfterMs;
  // Settled orders (a person owns them, or they need nothing) are left alone; in-sync ones owe no check.
  const needsCheck = inGroup(state, 'checkOwed');
  let check: CheckMessage | undefined;
  if (needsCheck && !(pendingHealthy && pending <= due)) {
    record.nextCheckAt = due;
    check = {
      v: 1,
      shop: facts.shop,
      orderId: facts.orderId,
      reason: seen.via === 'sweep' ? 'sweep' : expectation === 'fulfilled' ? 'fulfilled' : 'created',
      dueAt: due,
    };
  }

  const heard =
    seen.via === 'sweep'
      ? 'Found by the reconciliation sweep — no webhook received'
      : `Shopify ${seen.via} webhook received`;
  const next = check
    ? `check scheduled for ${isoTime(due)}`
    : record.nextCheckAt !== undefined && needsCheck
      ? `check already scheduled for ${isoTime(record.nextCheckAt)}`
      : record.byPerson?.ignoredBy && state === 'ignored'
        ? `no check: ignored by Slack user ${record.byPerson.ignoredBy} (${record.byPerson.ignoredReason ?? 'no reason'})`
        : `no check needed (${state})`;
  return {
    record,
    check,
    event: {
      at: seen.at,
      type: seen.via === 'sweep' ? 'sweep.found' : `webhook.${seen.via}`,
      state,
      message: `${heard}; ${next}.`,
      detail: {
        expectation,
        financialStatus: facts.financialStatus,
        fulfillmentStatus: facts.fulfillmentStatus,
        ...(facts !== seen.facts ? { outOfOrder: true } : {}),
      },
    },
  };
};
