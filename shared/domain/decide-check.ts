import { classifyImportError } from './classify-import-error.js';
import { pickLiveVersion, wasRefreshed } from './hotwax-versions.js';
import {
  type Finding,
  type OrderRecord,
  pickFacts,
  type SyncState,
  type TimelineEvent,
} from './order-sync.js';
import type { HotwaxJobStatus, HotwaxOrder, MdmFailure, ShopifyOrderSnapshot } from './ports.js';

/**
 * The runbook as a decision table. A check looks at what HotWax holds for the order and decides, in two steps:
 * `assessCheck` says what else must be read (Shopify's copy, the MDM failed records, the approval job), and
 * `decideCheck` turns all of it into the order's next state, its timeline events, the repair to trigger and who
 * must hear about it. Pure: no I/O, time comes in as `now`.
 */

export interface CheckSettings {
  createdStuckAfterMs: number;
  /** how long after Shopify's fulfilment HotWax may still show Created */
  fulfilledGraceMs: number;
  verifyDelayMs: number;
  maxRepairAttempts: number;
  /** first re-check of an order waiting on a person; doubles up to `maxRecheckMs` */
  recheckMs: number;
  maxRecheckMs: number;
  canRefresh: boolean;
  canImportOrder: boolean;
}

export type Assessment =
  /** HotWax holds a live order in the expected state; `watchUntil` = re-check then that it left Created */
  | { kind: 'in_sync'; live: HotwaxOrder; watchUntil?: number }
  /** no live order in HotWax */
  | { kind: 'absent' }
  /** live but still Created (or a fulfilled POS order not Completed) past its time */
  | { kind: 'stuck'; live: HotwaxOrder; because: 'age' | 'fulfilled' };

export interface Needs {
  shopify: boolean;
  importFailures: boolean;
  approvalJob: boolean;
}

export const assessCheck = (
  record: OrderRecord,
  versions: readonly HotwaxOrder[],
  now: number,
  settings: CheckSettings,
): { assessment: Assessment; needs: Needs } => {
  const live = pickLiveVersion(versions);
  if (!live)
    return {
      assessment: { kind: 'absent' },
      needs: { shopify: true, importFailures: true, approvalJob: false },
    };

  const fulfilledDue =
    record.expectation === 'fulfilled'
      ? (record.fulfilledSeenAt ?? now) + settings.fulfilledGraceMs
      : undefined;
  const createdDue = record.createdAt + settings.createdStuckAfterMs;
  const posNotCompleted =
    record.channel === 'pos' && record.expectation === 'fulfilled' && live.statusId !== 'ORDER_COMPLETED';
  if (live.statusId === 'ORDER_CREATED' || posNotCompleted) {
    const byFulfilment = fulfilledDue !== undefined && now >= fulfilledDue;
    const byAge = live.statusId === 'ORDER_CREATED' && now >= createdDue;
    if (byFulfilment || byAge) {
      const web = record.channel !== 'pos';
      return {
        assessment: { kind: 'stuck', live, because: byFulfilment ? 'fulfilled' : 'age' },
        needs: { shopify: true, importFailures: false, approvalJob: web },
      };
    }
    const candidates = [fulfilledDue, live.statusId === 'ORDER_CREATED' ? createdDue : undefined].filter(
      (due): due is number => due !== undefined,
    );
    return {
      assessment: { kind: 'in_sync', live, watchUntil: Math.min(...candidates) },
      needs: { shopify: false, importFailures: false, approvalJob: false },
    };
  }
  return {
    assessment: { kind: 'in_sync', live },
    needs: { shopify: false, importFailures: false, approvalJob: false },
  };
};

export interface CheckInputs {
  now: number;
  versions: readonly HotwaxOrder[];
  /** Shopify's copy; null = Shopify has no such order; undefined = not read */
  shopify?: ShopifyOrderSnapshot | null;
  importFailure?: MdmFailure | undefined;
  approvalJob?: HotwaxJobStatus | undefined;
}

export type RepairAction = { kind: 'reimport' } | { kind: 'refresh'; hotwaxOrderId: string };

export interface NotificationIntent {
  kind: 'needs_human' | 'resolved' | 'escalated';
  title: string;
  cause?: string;
  fix?: string;
  rawError?: string;
  bundle?: Record<string, unknown>;
}

export interface Decision {
  record: OrderRecord;
  events: TimelineEvent[];
  action?: RepairAction;
  notify?: NotificationIntent;
  /** first time the order reached HotWax in the expected state: seconds since its creation in Shopify */
  syncLagSeconds?: number;
  /** whether the decision verified an earlier repair */
  repairVerified?: boolean;
}

const humanStates: ReadonlySet<SyncState> = new Set([
  'blocked_on_data',
  'awaiting_approval',
  'stuck_created',
  'escalated',
]);

const paidStatuses = new Set([
  'PAID',
  'AUTHORIZED',
  'PARTIALLY_PAID',
  'PARTIALLY_REFUNDED',
  'paid',
  'authorized',
]);
const iso = (ms: number) => new Date(ms).toISOString();

const backoff = (
  record: OrderRecord,
  settings: CheckSettings,
  stayed: boolean,
): { delay: number; rechecks: number } => {
  const rechecks = stayed ? (record.rechecks ?? 0) + 1 : 0;
  return { delay: Math.min(settings.maxRecheckMs, settings.recheckMs * 2 ** rechecks), rechecks };
};

/** Shopify's fresh copy updates the facts the monitor keeps (never the monitor's own bookkeeping). */
const withFacts = (record: OrderRecord, shopify: ShopifyOrderSnapshot | null | undefined): OrderRecord =>
  !shopify || shopify.updatedAt < record.updatedAt
    ? record
    : { ...record, ...pickFacts(shopify), orderId: record.orderId };

const hotwaxSummary = (
  record: OrderRecord,
  live: HotwaxOrder,
  versions: readonly HotwaxOrder[],
  now: number,
) => ({
  orderId: live.orderId,
  statusId: live.statusId,
  ...(live.salesChannelEnumId ? { salesChannelEnumId: live.salesChannelEnumId } : {}),
  versions: versions.length,
  seenAt: record.hotwax?.orderId === live.orderId ? record.hotwax.seenAt : now,
});

const supportBundle = (record: OrderRecord, versions: readonly HotwaxOrder[], finding?: Finding) => ({
  shop: record.shop,
  shopifyOrderId: record.orderId,
  orderName: record.orderName,
  channel: record.channel,
  state: record.state,
  expectation: record.expectation,
  repairAttempts: record.repairAttempts,
  repairs: record.repairs ?? [],
  hotwaxVersions: versions.map(({ orderId, statusId, entryDate }) => ({ orderId, statusId, entryDate })),
  ...(finding ? { finding } : {}),
});

/**
 * Decides the order's next step from what HotWax, Shopify and the MDM logs show.
 *
 * - In HotWax as expected: `in_sync` (verifying a repair when one was requested); Created still within its time is
 *   in sync but watched until it must have left Created.
 * - Not in HotWax: "confirm the order exists in Shopify" — cancelled, test or gone orders are `ignored`. Otherwise
 *   "match the Shopify order ID in the failed-record JSON": a data problem is `blocked_on_data` until Shopify's copy
 *   changes; a transient error or no failed record is re-imported (`reimport_requested`) and verified later.
 * - Stuck in Created: a POS order fulfilled in Shopify is refreshed (`refresh_requested`) — or, with no refresh
 *   service, a person is told the exact steps; a web order is `awaiting_approval` with the likely cause.
 * - A repair that does not verify is retried up to `maxRepairAttempts`, then `escalated` with a support bundle.
 */
const decideCheckRaw = (
  current: OrderRecord,
  assessment: Assessment,
  inputs: CheckInputs,
  settings: CheckSettings,
): Decision => {
  const { now, versions } = inputs;
  const base = withFacts(current, inputs.shopify);
  const events: TimelineEvent[] = [];
  const move = (state: SyncState, changes: Partial<OrderRecord> = {}): OrderRecord => {
    const changed = state !== current.state;
    const next: OrderRecord = { ...base, ...changes, state, stateSince: changed ? now : current.stateSince };
    if (!('nextCheckAt' in changes)) delete next.nextCheckAt;
    if (changed && !('rechecks' in changes)) delete next.rechecks;
    return next;
  };
  const event = (type: string, state: SyncState, message: string, detail?: Record<string, unknown>) =>
    events.push({ at: now, type, state, message, ...(detail ? { detail } : {}) });

  // A repair that was requested and has not shown up is a failed attempt: try again, or hand it to a person.
  const repairOrEscalate = (
    action: RepairAction,
    state: 'reimport_requested' | 'refresh_requested',
    why: string,
    finding?: Finding,
  ): Decision => {
    if (current.repairAttempts >= settings.maxRepairAttempts) {
      const escalated = move('escalated', { ...(finding ? { finding } : {}) });
      const text = `${why}; ${current.repairAttempts} repairs did not fix it — escalated to a person with a support bundle.`;
      event('escalated', 'escalated', text, { repairAttempts: current.repairAttempts });
      return {
        record: escalated,
        events,
        notify: {
          kind: 'escalated',
          title: `Order ${current.orderName} could not be repaired automatically`,
          cause: finding?.explanation ?? why,
          fix: 'Contact HotWax support with the support bundle below (timeline, HotWax findings, MDM log and job runs).',
          ...(finding?.rawError ? { rawError: finding.rawError } : {}),
          bundle: supportBundle(escalated, versions, finding),
        },
      };
    }
    const repair =
      action.kind === 'refresh'
        ? { kind: 'refresh' as const, detail: `refresh of HotWax order ${action.hotwaxOrderId}` }
        : settings.canImportOrder
          ? { kind: 'reimport_order' as const, detail: 'per-order import service' }
          : { kind: 'reimport_job' as const, detail: 'New Orders job (JOB_IMP_ORD) run now' };
    const record = move(state, {
      repairAttempts: current.repairAttempts + 1,
      lastRepairAt: now,
      repairs: [...(current.repairs ?? []), { at: now, ...repair }].slice(-10),
      nextCheckAt: now + settings.verifyDelayMs,
      ...(finding ? { finding } : {}),
    });
    event(
      action.kind === 'refresh' ? 'repair.refresh' : 'repair.reimport',
      state,
      `${why}; ${repair.detail} requested (attempt ${record.repairAttempts} of ${settings.maxRepairAttempts}), verify at ${iso(record.nextCheckAt ?? now)}.`,
    );
    return { record, events, action };
  };

  // A person must act: stay in `state`, look again on a backoff, and tell them only when the order first gets there.
  const waitOnPerson = (wait: {
    state: 'blocked_on_data' | 'stuck_created' | 'awaiting_approval';
    eventTypes: [first: string, again: string];
    finding: Finding;
    changes?: Partial<OrderRecord>;
    message: (stayed: boolean, nextLookAt: number) => string;
    detail: Record<string, unknown>;
    title: string;
  }): Decision => {
    const stayed = current.state === wait.state;
    const { delay, rechecks } = backoff(current, settings, stayed);
    const record = move(wait.state, {
      ...wait.changes,
      finding: wait.finding,
      nextCheckAt: now + delay,
      rechecks,
    });
    event(
      stayed ? wait.eventTypes[1] : wait.eventTypes[0],
      wait.state,
      wait.message(stayed, now + delay),
      wait.detail,
    );
    // Told already: look again quietly. Not told (the alert could not be queued): tell them now.
    if (stayed && current.humanNotifiedAt !== undefined) return { record, events };
    const { explanation: cause, fix, rawError } = wait.finding;
    return {
      record,
      events,
      notify: {
        kind: 'needs_human',
        title: wait.title,
        cause,
        fix,
        ...(rawError !== undefined ? { rawError } : {}),
      },
    };
  };

  if (assessment.kind === 'in_sync') {
    const { live } = assessment;
    const verifying = current.state === 'reimport_requested' || current.state === 'refresh_requested';
    const refreshed = current.state === 'refresh_requested' ? wasRefreshed(versions) : false;
    const firstTime = current.inSyncAt === undefined;
    const record = move('in_sync', {
      hotwax: hotwaxSummary(current, live, versions, now),
      repairAttempts: 0,
      ...(assessment.watchUntil !== undefined ? { nextCheckAt: assessment.watchUntil } : {}),
      ...(firstTime ? { inSyncAt: now } : {}),
    });
    delete record.finding;
    delete record.humanNotifiedAt;
    const what =
      current.state === 'refresh_requested'
        ? refreshed
          ? `Refresh verified: new version ${live.orderId} is ${live.statusId}, the old version is Cancelled.`
          : `HotWax order ${live.orderId} is now ${live.statusId}.`
        : verifying
          ? `Re-import verified: HotWax order ${live.orderId} is ${live.statusId}.`
          : `In HotWax as order ${live.orderId} (${live.statusId}).`;
    const watch =
      assessment.watchUntil !== undefined
        ? ` Created is normal for now; re-checking at ${iso(assessment.watchUntil)}.`
        : '';
    event('check.in_sync', 'in_sync', what + watch, { hotwaxOrderId: live.orderId, statusId: live.statusId });
    return {
      record,
      events,
      ...(firstTime ? { syncLagSeconds: Math.max(0, Math.round((now - current.createdAt) / 1000)) } : {}),
      ...(verifying ? { repairVerified: true } : {}),
      ...(current.humanNotifiedAt !== undefined || humanStates.has(current.state)
        ? {
            notify: {
              kind: 'resolved' as const,
              title: `Order ${current.orderName} is now in sync with HotWax`,
            },
          }
        : {}),
    };
  }

  // Both other branches start with the runbook's first step: what does Shopify say about the order?
  const shopify = inputs.shopify;
  if (shopify === null || shopify?.cancelledAt || shopify?.test) {
    const why =
      shopify === null
        ? 'The order no longer exists in Shopify'
        : shopify?.test
          ? 'Shopify marks it as a test order'
          : 'It was cancelled in Shopify';
    const record = move('ignored');
    event('check.ignored', 'ignored', `${why}; nothing to sync.`);
    return { record, events };
  }

  if (assessment.kind === 'absent') {
    const failure = inputs.importFailure;
    const relevant =
      failure && (current.lastRepairAt === undefined || failure.createdDate >= current.lastRepairAt - 60_000);
    const classified = relevant ? classifyImportError(failure.errorText) : undefined;
    const finding: Finding | undefined =
      failure && classified
        ? {
            cause: classified.title,
            explanation: classified.explanation,
            fix: classified.fix,
            rawError: failure.errorText,
            mdmLogId: failure.logId,
          }
        : undefined;

    if (classified?.fixInShopify && finding) {
      const fixedSince =
        current.state === 'blocked_on_data' &&
        current.blockedAtShopifyUpdatedAt !== undefined &&
        base.updatedAt > current.blockedAtShopifyUpdatedAt;
      if (fixedSince) {
        return repairOrEscalate(
          { kind: 'reimport' },
          'reimport_requested',
          `Shopify's copy changed at ${iso(base.updatedAt)} after the failed import (${classified.title})`,
          finding,
        );
      }
      const stayed = current.state === 'blocked_on_data';
      return waitOnPerson({
        state: 'blocked_on_data',
        eventTypes: ['check.blocked_on_data', 'check.still_blocked'],
        finding,
        changes: {
          blockedAtShopifyUpdatedAt: stayed
            ? (current.blockedAtShopifyUpdatedAt ?? base.updatedAt)
            : base.updatedAt,
        },
        message: (again, nextLookAt) =>
          again
            ? `Still waiting for the data fix in Shopify (${classified.title}); next look at ${iso(nextLookAt)}.`
            : `Not in HotWax: the import failed — ${classified.title}. ${classified.explanation} Waiting for the fix in Shopify; no re-import until then.`,
        detail: { mdmLogId: failure?.logId, cause: classified.cause, rawError: failure?.errorText },
        title: `Order ${current.orderName} did not reach HotWax: ${classified.title}`,
      });
    }

    const why =
      current.state === 'reimport_requested'
        ? 'Still not in HotWax after the re-import'
        : classified
          ? `Not in HotWax: the import failed (${classified.title}${classified.transient ? ', transient' : ''})`
          : 'Not in HotWax and no failed import record names it';
    return repairOrEscalate({ kind: 'reimport' }, 'reimport_requested', why, finding);
  }

  // Stuck in Created.
  const { live, because } = assessment;
  const late = because === 'fulfilled' ? 'after it was fulfilled in Shopify' : 'past the normal time';
  const fulfilledInShopify =
    base.fulfillmentStatus === 'fulfilled' ||
    shopify?.displayFulfillmentStatus?.toUpperCase() === 'FULFILLED';
  const hotwax = hotwaxSummary(current, live, versions, now);

  if (base.channel === 'pos' && fulfilledInShopify) {
    if (!settings.canRefresh) {
      const finding: Finding = {
        cause: 'POS order fulfilled in Shopify while HotWax imported it',
        explanation: `HotWax order ${live.orderId} is still ${live.statusId} ${late}; Shopify shows it fulfilled.`,
        fix: `In HotWax open View Sales Order for ${live.orderId} and click "Refresh order". HotWax creates a new version and cancels the old one (tagged "old version"); check the new version is Completed. The monitor verifies it on its next look.`,
      };
      return waitOnPerson({
        state: 'stuck_created',
        eventTypes: ['check.stuck_created', 'check.still_stuck'],
        finding,
        changes: { hotwax },
        message: () =>
          `${finding.explanation} No refresh service is configured, so a person must refresh it.`,
        detail: { hotwaxOrderId: live.orderId },
        title: `POS order ${current.orderName} is stuck in Created in HotWax`,
      });
    }
    const why =
      current.state === 'refresh_requested'
        ? `Refresh not verified: HotWax order ${live.orderId} is still ${live.statusId}`
        : `POS order fulfilled in Shopify but HotWax order ${live.orderId} is still ${live.statusId} ${late}`;
    const decision = repairOrEscalate(
      { kind: 'refresh', hotwaxOrderId: live.orderId },
      'refresh_requested',
      why,
    );
    decision.record.hotwax = hotwax;
    return decision;
  }

  // Web (and other channels): the approval troubleshooting.
  const causes: string[] = [];
  const financial = shopify?.displayFinancialStatus ?? base.financialStatus ?? 'unknown';
  if (!paidStatuses.has(financial)) {
    causes.push(
      `the payment is ${financial.toLowerCase()} in Shopify — HotWax approves only authorised or paid orders`,
    );
  }
  if (inputs.approvalJob && !inputs.approvalJob.scheduled) {
    causes.push('the approval job (Approve orders, JOB_APR_ORD) is not scheduled in Job Manager');
  }
  const failedRuns = inputs.approvalJob?.recentRunStatuses.filter((status) =>
    ['SERVICE_FAILED', 'SERVICE_CRASHED'].includes(status),
  );
  if (failedRuns?.length) causes.push(`the approval job's recent runs failed (${failedRuns.join(', ')})`);
  if (causes.length === 0)
    causes.push('payment and the approval job look fine; the order may be on hold for review');
  const finding: Finding = {
    cause: 'Order held in Created, not approved',
    explanation: `HotWax order ${live.orderId} is still Created ${late}: ${causes.join('; ')}.`,
    fix: 'Follow the Order Approval troubleshooting: confirm the payment is authorised or captured in Shopify, check that the "Approve orders" job is scheduled and its last runs succeeded in Job Manager, then run it for this order. The monitor re-checks and reports when it is approved.',
  };
  return waitOnPerson({
    state: 'awaiting_approval',
    eventTypes: ['check.awaiting_approval', 'check.still_awaiting_approval'],
    finding,
    changes: { hotwax },
    message: () => finding.explanation,
    detail: { hotwaxOrderId: live.orderId, financialStatus: financial },
    title: `Order ${current.orderName} is waiting for approval in HotWax`,
  });
};

/** See {@link decideCheckRaw}; also remembers when a person was told, so they hear when it is resolved. */
export const decideCheck = (
  current: OrderRecord,
  assessment: Assessment,
  inputs: CheckInputs,
  settings: CheckSettings,
): Decision => {
  const decision = decideCheckRaw(current, assessment, inputs, settings);
  if (decision.notify && decision.notify.kind !== 'resolved') decision.record.humanNotifiedAt = inputs.now;
  return decision;
};
