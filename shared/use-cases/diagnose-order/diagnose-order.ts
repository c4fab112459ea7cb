import type { OrderRecord } from '../../domain/order-sync.js';
import type { Clock, ShopContext, ShopifyOrderSnapshot } from '../../domain/ports.js';
import { type Decision, decide } from '../../domain/runbook/decide.js';
import { asIfWaitingSinceFailure, type Evidence } from '../../domain/runbook/evidence.js';
import { type RepairAction, repairFor } from '../../domain/runbook/repairs.js';
import { gatherEvidenceFor } from '../runbook/gather-evidence.js';
import { performRepair, withRunId } from '../runbook/perform-repair.js';
import {
  type Diagnosis,
  findingView,
  hotwaxView,
  isHealthy,
  iso,
  type RepairReport,
  recordFromSnapshot,
  shopifyView,
  summarize,
} from './diagnosis.js';
import { verifyRepair } from './verify-repair.js';

export type { Diagnosis, HotwaxView, RepairReport, ShopifyView } from './diagnosis.js';

export interface DiagnoseOrderDeps {
  /** the order's shop, with its HotWax, Shopify and timings */
  shop: ShopContext;
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
  /** how long to wait for HotWax to show the repair, default the shop's VERIFY_DELAY_SECONDS */
  verifyTimeoutMs?: number;
  /** longest pause between two looks at HotWax while verifying, default 5 s */
  pollIntervalMs?: number;
}

/**
 * Runs the "Order Sync" runbook for ONE order, against HotWax and Shopify only (no monitor table needed), and
 * says where the order is, what is wrong, why, and what to do. The same stages as the checker, for one order:
 *
 * 1. "Confirm the order exists in Shopify": re-read it (gone, cancelled, test, fulfilled?) and look it up in HotWax.
 * 2. Gather evidence as the checker would, as of `now`: assess, then "match the Shopify order ID in the
 *    failed-record JSON" for an absent order, the approval job for a web order held in Created.
 * 3. Decide with the decision table: the state, the cause in plain words, the fix, the repair. With no history, a
 *    data problem counts as waiting for its fix since the failed import, so a change in Shopify since is the fix.
 * 4. With `repair`: trigger it (New Orders job, per-order import, or refresh), then verify it by looking at HotWax
 *    every few seconds until the order is there in the expected state, a fresh failed record names it, or time is
 *    up.
 */
export const diagnoseOrder = async (
  deps: DiagnoseOrderDeps,
  input: DiagnoseOrderInput,
): Promise<Diagnosis> => {
  const { shop } = deps;
  const { hotwax, shopify, settings } = shop;
  const { orderId, now } = input;

  // 1. Both sides at once.
  const [snapshot, found] = await Promise.all([
    shopify.getOrder(orderId),
    hotwax.findOrdersByShopifyIds([orderId]),
  ]);
  const versions = found.get(orderId) ?? [];
  const base = { shop: shop.shop, orderId, checkedAt: iso(now), hotwax: hotwaxView(hotwax, versions) };
  if (!snapshot) {
    const inHotwax = base.hotwax
      ? ` HotWax still holds it as order ${base.hotwax.orderId} (${base.hotwax.statusId}).`
      : '';
    return {
      ...base,
      healthy: false,
      shopify: null,
      state: null,
      summary: `Order ${orderId} was not found in Shopify (${shop.shop}).${inHotwax}`,
      fix: "Check the id: it is the number at the end of the order's Shopify admin URL (…/orders/<id>), not the order name (#1001). An order deleted in Shopify has nothing to sync.",
    };
  }

  // 2. The rest of the evidence, as the checker gathers it.
  const heard = recordFromSnapshot(shop.shop, snapshot, now);
  const { assessment, evidence } = await gatherEvidenceFor(
    shop,
    { key: orderId, record: heard, versions, shopify: snapshot },
    { now },
  );

  // 3. Decide.
  const record = asIfWaitingSinceFailure(heard, evidence.importFailure);
  const decision = decide(record, assessment, evidence, { now, settings, capabilities: hotwax.capabilities });
  const { finding } = decision.record;
  const { action } = decision;
  const repair = action ? repairFor(action, hotwax.capabilities, orderId) : undefined;
  const diagnosis: Diagnosis = {
    ...base,
    healthy: isHealthy(decision.record.state),
    shopify: shopifyView(shopify, snapshot),
    state: decision.record.state,
    summary: summarize(decision),
    ...(finding ? { finding: findingView(finding) } : {}),
  };
  const fix = finding?.fix ?? decision.notify?.fix ?? repair?.fix;
  if (fix) diagnosis.fix = fix;
  if (!action || !repair) return diagnosis;

  const report: RepairReport = { kind: repair.kind, description: repair.description, performed: false };
  diagnosis.repair = report;
  if (!input.repair) return diagnosis;

  // 4. Repair, then verify.
  return repairAndVerify(deps, input, { diagnosis, report, decision, action, record, snapshot, evidence });
};

/** Step 4: trigger the repair the table chose, then verify it the way the checker's verify check would. */
const repairAndVerify = async (
  deps: DiagnoseOrderDeps,
  input: DiagnoseOrderInput,
  found: {
    diagnosis: Diagnosis;
    report: RepairReport;
    decision: Decision;
    action: RepairAction;
    record: OrderRecord;
    snapshot: ShopifyOrderSnapshot;
    evidence: Evidence;
  },
): Promise<Diagnosis> => {
  const { shop } = deps;
  const { diagnosis, report, decision, action, record } = found;
  const clock = deps.clock ?? { now: () => Date.now() };
  const requestedAt = clock.now();
  let runId: string | undefined;
  try {
    runId = (await performRepair(shop.hotwax, action, record))?.runId;
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    report.verified = false;
    diagnosis.healthy = false;
    return diagnosis;
  }
  Object.assign(report, { performed: true, requestedAt: iso(requestedAt) });
  deps.onProgress?.(`Requested: ${report.description}. Waiting for HotWax to show it…`);

  const verification = await verifyRepair(shop, {
    // The record as the checker keeps it after requesting the repair (with HotWax's id of the run, if any).
    record: withRunId({ ...decision.record, lastRepairAt: requestedAt }, runId),
    action,
    snapshot: found.snapshot,
    clock,
    previousFailure: found.evidence.importFailure,
    timeoutMs: input.verifyTimeoutMs ?? shop.settings.verifyDelayMs,
    pollIntervalMs: input.pollIntervalMs ?? 5_000,
    onProgress: deps.onProgress,
  });
  Object.assign(report, {
    verified: verification.verified,
    state: verification.state,
    outcome: verification.outcome,
    waitedSeconds: Math.round((clock.now() - requestedAt) / 1000),
  });
  if (verification.versions) diagnosis.hotwax = hotwaxView(shop.hotwax, verification.versions);
  if (verification.finding) diagnosis.finding = verification.finding;
  if (verification.fix) diagnosis.fix = verification.fix;
  diagnosis.healthy = verification.verified;
  return diagnosis;
};
