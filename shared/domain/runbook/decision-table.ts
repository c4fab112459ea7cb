import type { Finding, OrderRecord } from '../order-sync.js';
import type { HotwaxOrder } from '../ports.js';
import type { SyncState } from '../states.js';
import type { Situation, SituationKind } from './situations.js';
import { ambiguousOrdersSteps, approvalSteps, hotwaxClosedSteps, refreshOrderSteps } from './words.js';

/**
 * THE decision table: the runbook's branches as rows. A row says, for one situation, the order's next state, the
 * action, who is told and what the timeline says. `decide` applies a row; adding a branch is adding a row (and
 * the situation that selects it in `situations.ts`).
 *
 * | situation                      | next               | action         | tells            |
 * | ------------------------------ | ------------------ | -------------- | ---------------- |
 * | in_sync                        | in_sync            | none           | resolved_if_told |
 * | reimport_verified              | in_sync            | none           | resolved_if_told |
 * | refresh_verified               | in_sync            | none           | resolved_if_told |
 * | left_created                   | in_sync            | none           | resolved_if_told |
 * | ambiguity_resolved             | in_sync            | none           | resolved_if_told |
 * | ambiguous_in_hotwax            | ambiguous          | wait_on_person | person_once      |
 * | closed_by_hotwax               | in_sync            | none           | resolved_if_told |
 * | fulfilled_but_closed_by_hotwax | escalated          | none           | support          |
 * | awaiting_import                | pending_check      | none           | nobody           |
 * | gone_from_shopify              | ignored            | none           | nobody           |
 * | test_order                     | ignored            | none           | nobody           |
 * | cancelled_in_shopify           | ignored            | none           | nobody           |
 * | data_fixed_in_shopify          | reimport_requested | reimport       | nobody           |
 * | data_problem                   | blocked_on_data    | wait_on_person | person_once      |
 * | reimport_not_landed            | reimport_requested | reimport       | nobody           |
 * | import_failed                  | reimport_requested | reimport       | nobody           |
 * | missed_by_import               | reimport_requested | reimport       | nobody           |
 * | pos_fulfilled_stuck            | refresh_requested  | refresh        | nobody           |
 * | refresh_not_verified           | refresh_requested  | refresh        | nobody           |
 * | pos_stuck_reimport             | reimport_requested | reimport       | nobody           |
 * | stuck_reimport_not_verified    | reimport_requested | reimport       | nobody           |
 * | pos_needs_manual_refresh       | stuck_created      | wait_on_person | person_once      |
 * | held_for_approval              | awaiting_approval  | wait_on_person | person_once      |
 * | repairs_exhausted              | escalated          | none           | support          |
 *
 * `missing` (DESIGN.md) is what the absent rows observe, never a `next`: see `states.ts`.
 */

/** What a row's words may use besides its situation. */
export interface RowFacts {
  /** the record as the check read it */
  current: OrderRecord;
  /** the record with Shopify's fresh facts */
  base: OrderRecord;
  versions: readonly HotwaxOrder[];
  now: number;
  /** the order was in the row's state already (a later look) */
  stayed: boolean;
  /** when the next look is due, for rows that wait */
  nextLookAt: number;
}

export interface DecisionRow<S extends Situation = Situation> {
  /** the situation, in the runbook's words */
  readonly when: string;
  readonly next: SyncState;
  /** `wait_on_person`: look again on a backoff; `reimport` / `refresh`: request it, verify it later */
  readonly action: 'none' | 'reimport' | 'refresh' | 'wait_on_person';
  /** `person_once`: a person hears when the order first gets here; `resolved_if_told`: the person who was told
   *  hears it is resolved; `support`: escalation with the support bundle */
  readonly tells: 'nobody' | 'person_once' | 'resolved_if_told' | 'support';
  /** the timeline event's type; rows that wait: [first look, later looks] */
  readonly event: string | readonly [first: string, again: string];
  /** the timeline message; for repairs, why the repair is needed */
  readonly says: (situation: S, facts: RowFacts) => string;
  /** what a person reads and acts on, kept on the record */
  readonly finding?: (situation: S, facts: RowFacts) => Finding | undefined;
  /** the notification's title, for rows that tell someone */
  readonly title?: (situation: S, facts: RowFacts) => string;
  readonly detail?: (situation: S, facts: RowFacts) => Record<string, unknown>;
  /** other record fields the row sets */
  readonly keeps?: (situation: S, facts: RowFacts) => Partial<OrderRecord>;
  /** the row verifies the repair that was requested */
  readonly verifiesRepair?: boolean;
}

export type DecisionTable = { readonly [K in SituationKind]: DecisionRow<Extract<Situation, { kind: K }>> };

const iso = (ms: number) => new Date(ms).toISOString();

/** HotWax's live order, as the record keeps it. */
export const hotwaxSummary = (
  current: OrderRecord,
  live: HotwaxOrder,
  versions: readonly HotwaxOrder[],
  now: number,
) => ({
  orderId: live.orderId,
  statusId: live.statusId,
  ...(live.salesChannelEnumId ? { salesChannelEnumId: live.salesChannelEnumId } : {}),
  versions: versions.length,
  seenAt: current.hotwax?.orderId === live.orderId ? current.hotwax.seenAt : now,
});

type InHotwaxSituation = Extract<Situation, { live: HotwaxOrder }>;

const inSync = (
  says: DecisionRow<InHotwaxSituation>['says'],
  when: string,
): DecisionRow<InHotwaxSituation> => ({
  when,
  next: 'in_sync',
  action: 'none',
  tells: 'resolved_if_told',
  event: 'check.in_sync',
  says,
  title: (_situation, { current }) => `Order ${current.orderName} is now in sync with HotWax`,
  detail: ({ live }) => ({ hotwaxOrderId: live.orderId, statusId: live.statusId }),
});

const ignored = (why: string): DecisionRow => ({
  when: why,
  next: 'ignored',
  action: 'none',
  tells: 'nobody',
  event: 'check.ignored',
  says: () => `${why}; nothing to sync.`,
});

const keepHotwax = (
  { stuck }: { stuck: { live: HotwaxOrder } },
  { current, versions, now }: RowFacts,
): Partial<OrderRecord> => ({ hotwax: hotwaxSummary(current, stuck.live, versions, now) });

/** HotWax's terminal decision in a word: "rejected" or "expired". */
const closedAs = ({ statusId }: HotwaxOrder) => (statusId === 'ORDER_EXPIRED' ? 'expired' : 'rejected');

const listOrders = (orders: readonly HotwaxOrder[]) =>
  orders.map(({ orderId, statusId }) => `${orderId} ${statusId}`).join(', ');

/** Why a re-import did not show, with HotWax's word on its run when it has one. */
const notShownYet = (what: string, runFailed: string | undefined) =>
  runFailed ? `${what}: HotWax's run ${runFailed} of it failed, so the re-import did not happen` : what;

export const decisionTable: DecisionTable = {
  in_sync: inSync(
    ({ live }) => `In HotWax as order ${live.orderId} (${live.statusId}).`,
    'In HotWax as expected',
  ),
  reimport_verified: {
    ...inSync(
      ({ live }) => `Re-import verified: HotWax order ${live.orderId} is ${live.statusId}.`,
      'In HotWax after a re-import',
    ),
    verifiesRepair: true,
  },
  refresh_verified: {
    ...inSync(
      ({ live }) =>
        `Refresh verified: new version ${live.orderId} is ${live.statusId}, the old version is Cancelled.`,
      'After a refresh: the new version is live and the old one Cancelled',
    ),
    verifiesRepair: true,
  },
  left_created: {
    ...inSync(
      ({ live }) => `HotWax order ${live.orderId} is now ${live.statusId}.`,
      'After a refresh request the order left Created without a new version',
    ),
    verifiesRepair: true,
  },
  ambiguity_resolved: inSync(
    ({ live }) => `HotWax holds one live order again: ${live.orderId} (${live.statusId}).`,
    'After an ambiguity: HotWax holds exactly one live order again',
  ),

  ambiguous_in_hotwax: {
    when: 'Several live HotWax orders share the Shopify id (an exchange, a duplicate import): a person decides',
    next: 'ambiguous',
    action: 'wait_on_person',
    tells: 'person_once',
    event: ['check.ambiguous', 'check.still_ambiguous'],
    says: ({ liveOrders: live }, { stayed, nextLookAt }) =>
      stayed
        ? `HotWax still holds ${live.length} live orders for this Shopify order (${listOrders(live)}); next look at ${iso(nextLookAt)}.`
        : `HotWax holds ${live.length} live orders for this Shopify order (${listOrders(live)}): an exchange or a duplicate import. The monitor does not pick one, so it calls nothing in sync and repairs nothing.`,
    finding: ({ liveOrders: live }) => ({
      title: 'Several live HotWax orders for one Shopify order',
      explanation: `HotWax holds ${live.length} orders that are not cancelled with this Shopify order id (${listOrders(live)}), so none of them is known to be the order.`,
      fix: ambiguousOrdersSteps(live.map((order) => order.orderId)),
    }),
    title: ({ liveOrders: live }, { current }) =>
      `Order ${current.orderName} has ${live.length} live orders in HotWax`,
    detail: ({ liveOrders: live }) => ({
      hotwaxOrders: live.map(({ orderId, statusId }) => ({ orderId, statusId })),
    }),
    keeps: ({ liveOrders: live }, { current, versions, now }) => {
      const [newest] = live;
      return newest ? { hotwax: hotwaxSummary(current, newest, versions, now) } : {};
    },
  },
  closed_by_hotwax: {
    ...inSync(
      ({ live }) =>
        `HotWax ${closedAs(live)} order ${live.orderId} (${live.statusId}): the order reached HotWax and HotWax decided on it, so there is nothing to re-import or refresh.`,
      'HotWax rejected or expired the order it imported: its own decision, the order is in HotWax',
    ),
    title: ({ live }, { current }) =>
      `HotWax ${closedAs(live)} order ${current.orderName}: nothing left for the monitor to sync`,
  },
  fulfilled_but_closed_by_hotwax: {
    when: 'Shopify shows the order fulfilled, but HotWax rejected or expired it: HotWax decided, a person reconciles',
    next: 'escalated',
    action: 'none',
    tells: 'support',
    event: 'escalated',
    says: ({ live }) =>
      `Shopify shows the order fulfilled, but HotWax ${closedAs(live)} it (order ${live.orderId}, ${live.statusId}). HotWax decided on this order itself, so the monitor never re-imports or refreshes it — escalated to a person with a support bundle.`,
    finding: ({ live }) => ({
      title: `Fulfilled in Shopify, ${closedAs(live)} in HotWax`,
      explanation: `HotWax ${closedAs(live)} order ${live.orderId} (${live.statusId}) while Shopify shows the order fulfilled.`,
      fix: hotwaxClosedSteps(live.orderId),
    }),
    title: ({ live }, { current }) =>
      `Order ${current.orderName} is fulfilled in Shopify but ${closedAs(live)} in HotWax`,
    detail: ({ live }) => ({ hotwaxOrderId: live.orderId, statusId: live.statusId }),
    keeps: ({ live }, facts) => keepHotwax({ stuck: { live } }, facts),
  },

  awaiting_import: {
    when: 'Not in HotWax yet, but younger than this shop’s imports usually take',
    next: 'pending_check',
    action: 'none',
    tells: 'nobody',
    event: 'check.awaiting_import',
    says: ({ until }) =>
      `Not in HotWax yet; this shop's orders usually arrive later than this, so the order is missing only if it has not arrived by ${iso(until)}.`,
    keeps: ({ until }) => ({ nextCheckAt: until }),
  },
  gone_from_shopify: ignored('The order no longer exists in Shopify'),
  test_order: ignored('Shopify marks it as a test order'),
  cancelled_in_shopify: ignored('It was cancelled in Shopify'),

  data_fixed_in_shopify: {
    when: "Import failed on data, and Shopify's copy changed since: the data was fixed",
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: ({ failure }, { base }) =>
      `Shopify's copy changed at ${iso(base.updatedAt)} after the failed import (${failure.classified.title})`,
    finding: ({ failure }) => failure.finding,
  },
  data_problem: {
    when: 'Import failed on data that must be fixed in Shopify (missing phone, address, …)',
    next: 'blocked_on_data',
    action: 'wait_on_person',
    tells: 'person_once',
    event: ['check.blocked_on_data', 'check.still_blocked'],
    says: ({ failure: { classified } }, { stayed, nextLookAt }) =>
      stayed
        ? `Still waiting for the data fix in Shopify (${classified.title}); next look at ${iso(nextLookAt)}.`
        : `Not in HotWax: the import failed — ${classified.title}. ${classified.explanation} Waiting for the fix in Shopify; no re-import until then.`,
    finding: ({ failure }) => failure.finding,
    title: ({ failure }, { current }) =>
      `Order ${current.orderName} did not reach HotWax: ${failure.classified.title}`,
    detail: ({ failure }) => ({
      mdmLogId: failure.failure.logId,
      cause: failure.classified.cause,
      rawError: failure.failure.errorText,
    }),
    keeps: (_situation, { current, base, stayed }) => ({
      blockedAtShopifyUpdatedAt: stayed
        ? (current.blockedAtShopifyUpdatedAt ?? base.updatedAt)
        : base.updatedAt,
    }),
  },
  reimport_not_landed: {
    when: 'Still not in HotWax after the re-import (HotWax may say its run failed)',
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: ({ runFailed }) => notShownYet('Still not in HotWax after the re-import', runFailed),
    finding: ({ failure }) => failure?.finding,
    detail: ({ runFailed }) => (runFailed ? { failedRunId: runFailed } : {}),
  },
  import_failed: {
    when: 'Not in HotWax: the import failed on something a re-import can get past',
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: ({ failure: { classified } }) =>
      `Not in HotWax: the import failed (${classified.title}${classified.transient ? ', transient' : ''})`,
    finding: ({ failure }) => failure.finding,
  },
  missed_by_import: {
    when: 'Not in HotWax and no failed record names it: the import (New Orders job, order sync) missed it',
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: () => 'Not in HotWax and no failed import record names it',
  },

  pos_fulfilled_stuck: {
    when: 'POS order fulfilled in Shopify, still Created in HotWax: "Refresh order"',
    next: 'refresh_requested',
    action: 'refresh',
    tells: 'nobody',
    event: 'repair.refresh',
    says: ({ stuck: { live, late } }) =>
      `POS order fulfilled in Shopify but HotWax order ${live.orderId} is still ${live.statusId} ${late}`,
    keeps: keepHotwax,
  },
  refresh_not_verified: {
    when: 'The refresh did not show: still Created',
    next: 'refresh_requested',
    action: 'refresh',
    tells: 'nobody',
    event: 'repair.refresh',
    says: ({ stuck: { live } }) =>
      `Refresh not verified: HotWax order ${live.orderId} is still ${live.statusId}`,
    keeps: keepHotwax,
  },
  pos_stuck_reimport: {
    when: 'POS order fulfilled in Shopify, still Created in HotWax, and a re-import updates it in place: re-import it',
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: ({ stuck: { live, late } }) =>
      `POS order fulfilled in Shopify but HotWax order ${live.orderId} is still ${live.statusId} ${late}; a re-import updates it in place (no refresh, no old version)`,
    keeps: keepHotwax,
  },
  stuck_reimport_not_verified: {
    when: 'The re-import of a stuck POS order did not show: still Created (HotWax may say its run failed)',
    next: 'reimport_requested',
    action: 'reimport',
    tells: 'nobody',
    event: 'repair.reimport',
    says: ({ stuck: { live }, runFailed }) =>
      notShownYet(
        `Re-import not verified: HotWax order ${live.orderId} is still ${live.statusId}`,
        runFailed,
      ),
    detail: ({ runFailed }) => (runFailed ? { failedRunId: runFailed } : {}),
    keeps: keepHotwax,
  },
  pos_needs_manual_refresh: {
    when: 'POS order fulfilled in Shopify, still Created, and the tenant cannot refresh by API',
    next: 'stuck_created',
    action: 'wait_on_person',
    tells: 'person_once',
    event: ['check.stuck_created', 'check.still_stuck'],
    says: (situation, facts) =>
      `${decisionTable.pos_needs_manual_refresh.finding?.(situation, facts)?.explanation} No refresh service is configured, so a person must refresh it.`,
    finding: ({ stuck: { live, late } }) => ({
      title: 'POS order fulfilled in Shopify while HotWax imported it',
      explanation: `HotWax order ${live.orderId} is still ${live.statusId} ${late}; Shopify shows it fulfilled.`,
      fix: `${refreshOrderSteps(live.orderId)} The monitor verifies it on its next look.`,
    }),
    title: (_situation, { current }) => `POS order ${current.orderName} is stuck in Created in HotWax`,
    detail: ({ stuck }) => ({ hotwaxOrderId: stuck.live.orderId }),
    keeps: keepHotwax,
  },
  held_for_approval: {
    when: 'Web order held in Created: the Order Approval troubleshooting',
    next: 'awaiting_approval',
    action: 'wait_on_person',
    tells: 'person_once',
    event: ['check.awaiting_approval', 'check.still_awaiting_approval'],
    says: ({ stuck: { live, late }, causes }) =>
      `HotWax order ${live.orderId} is still Created ${late}: ${causes.join('; ')}.`,
    finding: (situation, facts) => ({
      title: 'Order held in Created, not approved',
      explanation: decisionTable.held_for_approval.says(situation, facts),
      fix: approvalSteps[situation.mechanism],
    }),
    title: (_situation, { current }) => `Order ${current.orderName} is waiting for approval in HotWax`,
    detail: ({ stuck, financialStatus, mechanism }) => ({
      hotwaxOrderId: stuck.live.orderId,
      financialStatus,
      approval: mechanism,
    }),
    keeps: keepHotwax,
  },

  repairs_exhausted: {
    when: 'Repairs that do not verify, MAX_REPAIR_ATTEMPTS times: "contact HotWax support"',
    next: 'escalated',
    action: 'none',
    tells: 'support',
    event: 'escalated',
    says: ({ why }, { current }) =>
      `${why}; ${current.repairAttempts} repairs did not fix it — escalated to a person with a support bundle.`,
    finding: ({ finding }) => finding,
    title: (_situation, { current }) => `Order ${current.orderName} could not be repaired automatically`,
    detail: (_situation, { current }) => ({ repairAttempts: current.repairAttempts }),
    keeps: ({ keeps }) => keeps ?? {},
  },
};
