import { setTimeout as sleep } from 'node:timers/promises';
import { applyOrderSeen } from '../domain/apply-order-seen.js';
import { classifyImportError } from '../domain/classify-import-error.js';
import {
  type Assessment,
  assessCheck,
  type CheckSettings,
  type Decision,
  decideCheck,
  type RepairAction,
} from '../domain/decide-check.js';
import { pickLiveVersion } from '../domain/hotwax-versions.js';
import type { OrderRecord, RepairRecord, SyncState } from '../domain/order-sync.js';
import type {
  Clock,
  HotwaxJobStatus,
  HotwaxOrder,
  HotwaxPort,
  MdmFailure,
  ShopifyOrderSnapshot,
  ShopifyPort,
} from '../domain/ports.js';

export interface DiagnoseOrderDeps {
  /** `<name>.myshopify.com`: the shop the order belongs to */
  shop: string;
  hotwax: HotwaxPort;
  shopify: ShopifyPort;
  /** `canRefresh` / `canImportOrder` are taken from the HotWax client itself, whatever is passed here */
  settings: CheckSettings;
  clock?: Clock;
  /** told what the verification is waiting for, so a person at a terminal sees progress */
  onProgress?: (message: string) => void;
}

export interface DiagnoseOrderInput {
  /** the numeric Shopify order id */
  orderId: string;
  /** perform the repair the runbook calls for, then verify it */
  repair: boolean;
  /** the time the order is judged at (epoch ms) */
  now: number;
  /** how long to wait for HotWax to show the repair, default `settings.verifyDelayMs` */
  verifyTimeoutMs?: number;
  /** longest pause between two looks at HotWax while verifying, default 5 s */
  pollIntervalMs?: number;
}

export interface ShopifyView {
  orderName: string;
  channel: OrderRecord['channel'];
  sourceName: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  test: boolean;
  financialStatus: string;
  fulfillmentStatus: string;
  fulfilled: boolean;
  /** presence only: which contact data the order has, never the data */
  flags: OrderRecord['flags'];
  url: string;
}

export interface HotwaxView {
  /** the live version, or the newest one when every version is cancelled */
  orderId: string;
  statusId: string;
  live: boolean;
  salesChannelEnumId?: string;
  versions: Array<{ orderId: string; statusId: string }>;
  url: string;
}

export interface RepairReport {
  kind: RepairRecord['kind'];
  /** what was (or would be) triggered, in words */
  description: string;
  performed: boolean;
  requestedAt?: string;
  verified?: boolean;
  /** the state after the repair: `in_sync` when verified */
  state?: SyncState;
  /** what the verification saw last, in words */
  outcome?: string;
  /** the repair could not be triggered */
  error?: string;
  waitedSeconds?: number;
}

/** The runbook's answer for one order, in the words a person acts on. Holds no personal data. */
export interface Diagnosis {
  shop: string;
  orderId: string;
  checkedAt: string;
  /** nothing needs a person: in sync with HotWax, or nothing to sync (after the repair, when one was made) */
  healthy: boolean;
  /** null: Shopify has no such order */
  shopify: ShopifyView | null;
  /** null: HotWax has no order with this Shopify id */
  hotwax: HotwaxView | null;
  /** the state the monitor would put the order in; null when Shopify has no such order */
  state: SyncState | null;
  /** one line: that all is well, or what is wrong */
  summary: string;
  cause?: { title: string; explanation: string; rawError?: string; mdmLogId?: string };
  fix?: string;
  /** the repair the runbook calls for; `performed` only with `repair: true` */
  repair?: RepairReport;
}

const iso = (ms: number) => new Date(ms).toISOString();
const healthyStates: ReadonlySet<SyncState> = new Set(['in_sync', 'ignored']);
/** The MDM log's clock and ours may disagree a little; the checker allows the same. */
const clockSlackMs = 60_000;

const isFulfilled = (snapshot: ShopifyOrderSnapshot) =>
  snapshot.fulfillmentStatus === 'fulfilled' ||
  snapshot.displayFulfillmentStatus.toUpperCase() === 'FULFILLED';

const shopifyView = (shopify: ShopifyPort, snapshot: ShopifyOrderSnapshot): ShopifyView => ({
  orderName: snapshot.orderName,
  channel: snapshot.channel,
  sourceName: snapshot.sourceName,
  createdAt: iso(snapshot.createdAt),
  updatedAt: iso(snapshot.updatedAt),
  cancelledAt: snapshot.cancelledAt === null ? null : iso(snapshot.cancelledAt),
  test: snapshot.test,
  financialStatus: snapshot.displayFinancialStatus,
  fulfillmentStatus: snapshot.displayFulfillmentStatus,
  fulfilled: isFulfilled(snapshot),
  flags: snapshot.flags,
  url: shopify.orderUrl(snapshot.orderId),
});

const hotwaxView = (hotwax: HotwaxPort, versions: readonly HotwaxOrder[]): HotwaxView | null => {
  const live = pickLiveVersion(versions);
  const shown = live ?? versions[0];
  if (!shown) return null;
  return {
    orderId: shown.orderId,
    statusId: shown.statusId,
    live: live !== undefined,
    ...(shown.salesChannelEnumId ? { salesChannelEnumId: shown.salesChannelEnumId } : {}),
    versions: versions.map(({ orderId, statusId }) => ({ orderId, statusId })),
    url: hotwax.orderUrl(shown.orderId),
  };
};

/**
 * A record as if the monitor had just heard of the order from Shopify. Its timestamps come from Shopify's copy, so
 * the decision depends only on the order and `now`: fulfilled since Shopify's last update (the snapshot carries no
 * fulfilment time), created at Shopify's creation time.
 */
const recordFromSnapshot = (shop: string, snapshot: ShopifyOrderSnapshot, now: number): OrderRecord => {
  const { displayFinancialStatus: _financial, displayFulfillmentStatus: _fulfillment, ...facts } = snapshot;
  const fulfilled = isFulfilled(snapshot);
  const { record } = applyOrderSeen(undefined, {
    facts: { ...facts, shop },
    expectation: fulfilled ? 'fulfilled' : 'created',
    via: fulfilled ? 'orders/fulfilled' : 'orders/create',
    at: now,
    checkDelayMs: 0,
  });
  const { lastWebhookAt: _webhook, nextCheckAt: _next, ...rest } = record;
  return { ...rest, source: 'cli', ...(fulfilled ? { fulfilledSeenAt: snapshot.updatedAt } : {}) };
};

const repairKind = (action: RepairAction, hotwax: HotwaxPort): RepairReport['kind'] =>
  action.kind === 'refresh' ? 'refresh' : hotwax.importOrder ? 'reimport_order' : 'reimport_job';

const describeRepair = (action: RepairAction, hotwax: HotwaxPort, orderId: string): string =>
  action.kind === 'refresh'
    ? `refresh HotWax order ${action.hotwaxOrderId} ("Refresh order" on View Sales Order)`
    : hotwax.importOrder
      ? `import Shopify order ${orderId} into HotWax (per-order import service)`
      : 'run the New Orders job (JOB_IMP_ORD) now';

const repairFix = (action: RepairAction, hotwax: HotwaxPort, orderId: string): string =>
  action.kind === 'refresh'
    ? `In HotWax open View Sales Order for ${action.hotwaxOrderId} and click "Refresh order": HotWax creates a new version and cancels the old one (tagged "old version"). Check the new version is Completed.`
    : hotwax.importOrder
      ? `Re-import the order: "Import Shopify Orders" for order ID ${orderId} in HotWax, then check it appears.`
      : 'Re-import the order: run the New Orders job now in HotWax Job Manager, then check the order appears. If it does not, read the Shopify Order MDM logs (EXIM › Shopify Jobs › MDM › Shopify Order MDM).';

/** One line: that all is well, or what is wrong. */
const summarize = (decision: Decision, assessment: Assessment, fixedSince: boolean): string => {
  const { record, events, action, notify } = decision;
  if (healthyStates.has(record.state)) return events.at(-1)?.message ?? record.state;
  if (notify) return notify.title;
  const finding = record.finding;
  if (action?.kind === 'reimport') {
    if (!finding)
      return 'Not in HotWax, and no Shopify Order MDM failed record names it: the New Orders job probably missed it.';
    return fixedSince
      ? `Not in HotWax: the import failed (${finding.cause}), and the order changed in Shopify since, so it can be re-imported.`
      : `Not in HotWax: the import failed (${finding.cause}).`;
  }
  if (assessment.kind === 'stuck')
    return `POS order fulfilled in Shopify, but HotWax order ${assessment.live.orderId} is still ${assessment.live.statusId}.`;
  return events.at(-1)?.message ?? record.state;
};

/**
 * Runs the "Order Sync" runbook for ONE order, against HotWax and Shopify only (no monitor table needed), and
 * says where the order is, what is wrong, why, and what to do.
 *
 * 1. "Confirm the order exists in Shopify": re-read it (gone, cancelled, test, fulfilled?) and look it up in HotWax.
 * 2. Judge it as the checker would, as of `now` (`assessCheck`): in sync, absent, or stuck in Created.
 * 3. Absent: "match the Shopify order ID in the failed-record JSON" of the Shopify Order MDM logs. A data problem
 *    fixed in Shopify since the failed import can be re-imported. Stuck web order: read the approval job.
 * 4. Decide (`decideCheck`): the state, the cause in plain words, the fix, the repair.
 * 5. With `repair`: trigger it (New Orders job, per-order import, or refresh), then verify by looking at HotWax
 *    every few seconds until the order is there in the expected state, a fresh MDM failure names it, or time is up.
 */
export const diagnoseOrder = async (
  deps: DiagnoseOrderDeps,
  input: DiagnoseOrderInput,
): Promise<Diagnosis> => {
  const { hotwax, shopify, shop } = deps;
  const { orderId, now } = input;
  const settings: CheckSettings = {
    ...deps.settings,
    canRefresh: Boolean(hotwax.refreshOrder),
    canImportOrder: Boolean(hotwax.importOrder),
  };
  const [snapshot, found] = await Promise.all([
    shopify.getOrder(orderId),
    hotwax.findOrdersByShopifyIds([orderId]),
  ]);
  const versions = found.get(orderId) ?? [];
  const base = { shop, orderId, checkedAt: iso(now), hotwax: hotwaxView(hotwax, versions) };

  if (!snapshot) {
    const inHotwax = base.hotwax
      ? ` HotWax still holds it as order ${base.hotwax.orderId} (${base.hotwax.statusId}).`
      : '';
    return {
      ...base,
      healthy: false,
      shopify: null,
      state: null,
      summary: `Order ${orderId} was not found in Shopify (${shop}).${inHotwax}`,
      fix: "Check the id: it is the number at the end of the order's Shopify admin URL (…/orders/<id>), not the order name (#1001). An order deleted in Shopify has nothing to sync.",
    };
  }

  let record = recordFromSnapshot(shop, snapshot, now);
  const { assessment, needs } = assessCheck(record, versions, now, settings);
  const ignored = snapshot.cancelledAt !== null || snapshot.test;

  let importFailure: MdmFailure | undefined;
  if (needs.importFailures && !ignored) {
    const failures = await hotwax.findImportFailures({
      since: record.createdAt - 3_600_000,
      shopifyOrderIds: [orderId],
    });
    importFailure = failures.get(orderId);
  }
  // The runbook's "fix the data in Shopify, then import": a change in Shopify after the failed import is the fix.
  const fixedSince =
    importFailure !== undefined &&
    classifyImportError(importFailure.errorText).fixInShopify &&
    snapshot.updatedAt > importFailure.createdDate;
  if (fixedSince && importFailure) {
    record = { ...record, state: 'blocked_on_data', blockedAtShopifyUpdatedAt: importFailure.createdDate };
  }

  let approvalJob: HotwaxJobStatus | undefined;
  if (needs.approvalJob && !ignored) {
    // Without it the diagnosis still names the payment; the job's state is a second opinion.
    approvalJob = await hotwax.approvalJobStatus().catch(() => undefined);
  }

  const decision = decideCheck(
    record,
    assessment,
    { now, versions, shopify: snapshot, importFailure, approvalJob },
    settings,
  );
  const finding = decision.record.finding;
  const action = decision.action;
  const diagnosis: Diagnosis = {
    ...base,
    healthy: healthyStates.has(decision.record.state),
    shopify: shopifyView(shopify, snapshot),
    state: decision.record.state,
    summary: summarize(decision, assessment, fixedSince),
    ...(finding
      ? {
          cause: {
            title: finding.cause,
            explanation: finding.explanation,
            ...(finding.rawError !== undefined ? { rawError: finding.rawError } : {}),
            ...(finding.mdmLogId !== undefined ? { mdmLogId: finding.mdmLogId } : {}),
          },
        }
      : {}),
  };
  const fix =
    finding?.fix ?? decision.notify?.fix ?? (action ? repairFix(action, hotwax, orderId) : undefined);
  if (fix) diagnosis.fix = fix;
  if (!action) return diagnosis;

  const report: RepairReport = {
    kind: repairKind(action, hotwax),
    description: describeRepair(action, hotwax, orderId),
    performed: false,
  };
  diagnosis.repair = report;
  if (!input.repair) return diagnosis;

  const clock = deps.clock ?? { now: () => Date.now() };
  const requestedAt = clock.now();
  try {
    if (action.kind === 'refresh') await hotwax.refreshOrder?.(action.hotwaxOrderId);
    else if (hotwax.importOrder) await hotwax.importOrder(orderId);
    else await hotwax.runNewOrdersJob();
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    report.verified = false;
    diagnosis.healthy = false;
    return diagnosis;
  }
  Object.assign(report, { performed: true, requestedAt: iso(requestedAt) });
  deps.onProgress?.(`Requested: ${report.description}. Waiting for HotWax to show it…`);

  // The record as the checker keeps it after requesting the repair, judged again on every look at HotWax.
  const requested: OrderRecord = { ...decision.record, lastRepairAt: requestedAt };
  const verification = await verify(deps, {
    record: requested,
    action,
    snapshot,
    settings,
    clock,
    previousFailure: importFailure,
    timeoutMs: input.verifyTimeoutMs ?? settings.verifyDelayMs,
    pollIntervalMs: input.pollIntervalMs ?? 5_000,
  });
  Object.assign(report, {
    verified: verification.verified,
    state: verification.state,
    outcome: verification.outcome,
    waitedSeconds: Math.round((clock.now() - requestedAt) / 1000),
  });
  if (verification.versions) diagnosis.hotwax = hotwaxView(hotwax, verification.versions);
  if (verification.cause) diagnosis.cause = verification.cause;
  if (verification.fix) diagnosis.fix = verification.fix;
  diagnosis.healthy = verification.verified;
  return diagnosis;
};

interface Verification {
  verified: boolean;
  state: SyncState;
  outcome: string;
  versions?: readonly HotwaxOrder[];
  cause?: Diagnosis['cause'];
  fix?: string;
}

const verify = async (
  deps: DiagnoseOrderDeps,
  params: {
    record: OrderRecord;
    action: RepairAction;
    snapshot: ShopifyOrderSnapshot;
    settings: CheckSettings;
    clock: Clock;
    previousFailure: MdmFailure | undefined;
    timeoutMs: number;
    pollIntervalMs: number;
  },
): Promise<Verification> => {
  const { hotwax } = deps;
  const { record, action, settings, clock } = params;
  const deadline = clock.now() + params.timeoutMs;
  const repairedAt = record.lastRepairAt ?? clock.now();
  let last: { assessment: Assessment; versions: readonly HotwaxOrder[] } | undefined;
  let lastError: string | undefined;

  for (let attempt = 0; ; attempt++) {
    // Repairs often land within seconds: look early, then settle to the interval.
    const pause = Math.min(params.pollIntervalMs, 1000 * 2 ** attempt, Math.max(0, deadline - clock.now()));
    await sleep(pause);
    const at = clock.now();
    try {
      const versions = (await hotwax.findOrdersByShopifyIds([record.orderId])).get(record.orderId) ?? [];
      const { assessment } = assessCheck(record, versions, at, settings);
      last = { assessment, versions };
      lastError = undefined;
      if (assessment.kind === 'in_sync') {
        const done = decideCheck(record, assessment, { now: at, versions }, settings);
        return {
          verified: true,
          state: done.record.state,
          outcome: done.events.at(-1)?.message ?? 'In HotWax as expected.',
          versions,
        };
      }
      if (assessment.kind === 'absent' && action.kind === 'reimport') {
        // A new failed record naming the order means this import failed too: waiting longer will not help.
        const failure = (
          await hotwax.findImportFailures({
            since: repairedAt - clockSlackMs,
            shopifyOrderIds: [record.orderId],
          })
        ).get(record.orderId);
        const fresh =
          failure &&
          failure.createdDate >= repairedAt - clockSlackMs &&
          failure.logId !== params.previousFailure?.logId;
        if (failure && fresh) {
          const next = decideCheck(
            record,
            assessment,
            { now: at, versions, shopify: params.snapshot, importFailure: failure },
            settings,
          );
          const finding = next.record.finding;
          return {
            verified: false,
            state: next.record.state,
            outcome: `The re-import failed again (MDM log ${failure.logId}).`,
            versions,
            ...(finding
              ? {
                  cause: {
                    title: finding.cause,
                    explanation: finding.explanation,
                    rawError: failure.errorText,
                    mdmLogId: failure.logId,
                  },
                  fix: finding.fix,
                }
              : {}),
          };
        }
      }
      deps.onProgress?.(
        assessment.kind === 'absent'
          ? 'Not in HotWax yet…'
          : `HotWax order ${assessment.live.orderId} is ${assessment.live.statusId}…`,
      );
    } catch (error) {
      // One failed look is no verdict; HotWax may answer the next one.
      lastError = error instanceof Error ? error.message : String(error);
      deps.onProgress?.(`HotWax did not answer (${lastError}); trying again…`);
    }
    if (clock.now() >= deadline) break;
  }

  const waited = Math.round(params.timeoutMs / 1000);
  const seen = lastError
    ? `HotWax did not answer the last look (${lastError})`
    : !last || last.assessment.kind === 'absent'
      ? 'the order is still not in HotWax'
      : `HotWax order ${last.assessment.live.orderId} is still ${last.assessment.live.statusId}`;
  return {
    verified: false,
    state: record.state,
    outcome: `Not verified within ${waited} s: ${seen}. The repair may still land; run the diagnosis again later.`,
    ...(last ? { versions: last.versions } : {}),
  };
};
