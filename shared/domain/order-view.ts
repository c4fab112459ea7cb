import type { Channel, Finding, OrderKey, OrderRecord, TimelineEvent } from './order-sync.js';
import { actionsFor, alertsMuted, type PersonActionKind } from './person-actions.js';
import { inGroup, type SyncState, stateLabel } from './states.js';

/**
 * An order as a person reads it anywhere outside the runbook (the Slack card, `/ordersync`, the timeline page):
 * state in words, the finding, the timeline, what they can do and where to look. No customer data: the record holds
 * none, and the finding's raw error is already reduced.
 */
export interface OrderView {
  key: OrderKey;
  orderName: string;
  channel: Channel;
  state: SyncState;
  stateLabel: string;
  stateSince: number;
  needsPerson: boolean;
  repairAttempts: number;
  finding?: Finding;
  /** oldest first */
  timeline: readonly TimelineEvent[];
  actions: PersonActionKind[];
  mutedUntil?: number;
  mutedBy?: string;
  ignoredBy?: string;
  ignoredReason?: string;
  hotwaxOrderId?: string;
  links: { shopify: string; hotwax?: string; timeline?: string };
}

export const orderView = (
  record: OrderRecord,
  timeline: readonly TimelineEvent[],
  links: OrderView['links'],
  now: number,
): OrderView => {
  const marks = record.byPerson;
  return {
    key: { shop: record.shop, orderId: record.orderId },
    orderName: record.orderName,
    channel: record.channel,
    state: record.state,
    stateLabel: stateLabel(record.state),
    stateSince: record.stateSince,
    needsPerson: inGroup(record.state, 'needsPerson'),
    repairAttempts: record.repairAttempts,
    ...(record.finding ? { finding: record.finding } : {}),
    timeline,
    actions: actionsFor(record, now),
    ...(alertsMuted(record, now) && marks?.mutedUntil
      ? { mutedUntil: marks.mutedUntil, ...(marks.mutedBy ? { mutedBy: marks.mutedBy } : {}) }
      : {}),
    ...(record.state === 'ignored' && marks?.ignoredBy
      ? { ignoredBy: marks.ignoredBy, ...(marks.ignoredReason ? { ignoredReason: marks.ignoredReason } : {}) }
      : {}),
    ...(record.hotwax ? { hotwaxOrderId: record.hotwax.orderId } : {}),
    links,
  };
};

/** The counts by state and the orders that need a person (`/ordersync status`). */
export interface StatusSummary {
  counts: Array<{ state: SyncState; label: string; count: number }>;
  needPerson: Array<{ key: OrderKey; orderName: string; state: SyncState; label: string; since: number }>;
  /** more orders need a person than are listed */
  moreNeedPerson: number;
}
