import type { OrderRecord } from '../../domain/order-sync.js';
import type {
  ApprovalStatus,
  HotwaxOrder,
  ImportFailure,
  ReimportRunOutcome,
  ShopContext,
  ShopifyOrderSnapshot,
  Telemetry,
} from '../../domain/ports.js';
import { type Assessment, assessOrder, type EvidenceNeeds } from '../../domain/runbook/assess.js';
import {
  type Evidence,
  failedRecordsSince,
  lastRepairRunId,
  nothingToSync,
} from '../../domain/runbook/evidence.js';
import { mapLimit } from '../map-limit.js';

/** A check could not gather what its decision needs; SQS retries it, then dead-letters it. */
export class CheckFailedError extends Error {
  override name = 'CheckFailedError';
}

export interface EvidenceRequest {
  /** the caller's name for the order, echoed in the result */
  key: string;
  record: OrderRecord;
  /** HotWax's orders when the caller looked them up already */
  versions?: readonly HotwaxOrder[];
  /** Shopify's copy when the caller read it already (null: Shopify has no such order) */
  shopify?: ShopifyOrderSnapshot | null;
}

export interface Gathered {
  record: OrderRecord;
  assessment: Assessment;
  evidence: Evidence;
}

export type Gathering = { gathered: Gathered; error?: undefined } | { error: CheckFailedError };

const shopifyReadConcurrency = 5;

/** One order's evidence while it is gathered. */
interface Open {
  request: EvidenceRequest;
  assessment: Assessment;
  needs: EvidenceNeeds;
  versions: readonly HotwaxOrder[];
  shopify?: ShopifyOrderSnapshot | null | undefined;
}

type Fail = (orders: readonly Open[], message: string, cause: unknown) => void;

/** "Confirm the order exists in Shopify": Shopify's copy, a few orders at a time. */
const readShopify = (shop: ShopContext, orders: readonly Open[], fail: Fail) =>
  mapLimit(orders, shopifyReadConcurrency, async (order) => {
    try {
      order.shopify = await shop.shopify.getOrder(order.request.record.orderId);
    } catch (error) {
      fail([order], 'Shopify re-read failed', error);
    }
  });

/** "Match the Shopify order ID in the failed-record JSON": one read for every absent order of the batch. */
const readFailedRecords = async (shop: ShopContext, orders: readonly Open[], fail: Fail) => {
  if (orders.length === 0) return new Map<string, ImportFailure>();
  try {
    return await shop.hotwax.findImportFailures({
      since: failedRecordsSince(orders.map(({ request }) => request.record)),
      shopifyOrderIds: orders.map(({ request }) => request.record.orderId),
    });
  } catch (error) {
    // Re-importing blind could waste repairs on an order that must be fixed in Shopify first: retry later.
    fail(orders, 'Reading the Shopify Order MDM failed records failed', error);
    return new Map<string, ImportFailure>();
  }
};

/** How approval works and whether it runs; without it the diagnosis still names the payment. */
const readApproval = (
  shop: ShopContext,
  telemetry: Telemetry | undefined,
): Promise<ApprovalStatus | undefined> =>
  shop.hotwax.approvalStatus().catch((error: unknown) => {
    telemetry?.warn('Approval status unavailable; diagnosing without it', { error: String(error) });
    return undefined;
  });

/**
 * "Did HotWax's run of the re-import fail?" — asked once per run (one window run serves a whole batch), only where
 * HotWax names its runs. Without an answer the verify goes on as if HotWax had said nothing.
 */
const readReimportRuns = async (
  shop: ShopContext,
  orders: readonly Open[],
  telemetry: Telemetry | undefined,
): Promise<Map<string, ReimportRunOutcome>> => {
  const outcomes = new Map<string, ReimportRunOutcome>();
  const { hotwax } = shop;
  if (!hotwax.reimportRunOutcome || orders.length === 0) return outcomes;
  const runIds = new Set(orders.flatMap(({ request }) => lastRepairRunId(request.record) ?? []));
  for (const runId of runIds) {
    try {
      outcomes.set(runId, await hotwax.reimportRunOutcome(runId));
    } catch (error) {
      telemetry?.warn("Re-import run's outcome unavailable; verifying without it", {
        runId,
        error: String(error),
      });
    }
  }
  return outcomes;
};

/**
 * "Gather evidence" for a batch of one shop's orders: the runbook's reads, each as few times as the batch allows.
 *
 * 1. Look every order up in HotWax in ONE call; if HotWax is down, every order of the batch is retried later.
 * 2. Assess each order (pure) and read only what its decision needs: Shopify's copy, the failed import records of
 *    the absent orders Shopify still has, the approval status once when a web order is held in Created, how
 *    HotWax's re-import run went when a re-import has not shown yet. A failed read fails only the orders that
 *    needed it (the approval status and the run's outcome are hints: without them the decision goes on).
 */
export const gatherEvidence = async (
  shop: ShopContext,
  requests: readonly EvidenceRequest[],
  options: { now: number; telemetry?: Telemetry },
): Promise<Map<string, Gathering>> => {
  const outcomes = new Map<string, Gathering>();
  const fail: Fail = (orders, message, cause) => {
    for (const { request } of orders)
      outcomes.set(request.key, { error: new CheckFailedError(message, { cause }) });
  };

  // 1. One HotWax lookup for the orders the caller has not looked up.
  let found = new Map<string, HotwaxOrder[]>();
  const toLookUp = requests.filter((request) => request.versions === undefined);
  if (toLookUp.length > 0) {
    try {
      found = await shop.hotwax.findOrdersByShopifyIds(toLookUp.map(({ record }) => record.orderId));
    } catch (error) {
      options.telemetry?.warn('HotWax lookup failed; the batch will be retried', { error: String(error) });
      for (const { key } of requests)
        outcomes.set(key, { error: new CheckFailedError('HotWax lookup failed', { cause: error }) });
      return outcomes;
    }
  }

  // 2. Assess, then read only what the decisions need.
  const open: Open[] = requests.map((request) => {
    const versions = request.versions ?? found.get(request.record.orderId) ?? [];
    return {
      request,
      versions,
      shopify: request.shopify,
      ...assessOrder(request.record, versions, options.now, shop.settings),
    };
  });
  const still = () => open.filter(({ request }) => !outcomes.has(request.key));
  const worthReading = (need: keyof EvidenceNeeds) =>
    still().filter((order) => order.needs[need] && !nothingToSync(order.shopify));

  await readShopify(
    shop,
    open.filter((order) => order.needs.shopify && order.shopify === undefined),
    fail,
  );
  const failures = await readFailedRecords(shop, worthReading('importFailures'), fail);
  const approval =
    worthReading('approval').length > 0 ? await readApproval(shop, options.telemetry) : undefined;
  const runs = await readReimportRuns(shop, worthReading('reimportRun'), options.telemetry);

  for (const { request, versions, assessment, shopify, needs } of still()) {
    const runId = needs.reimportRun ? lastRepairRunId(request.record) : undefined;
    const outcome = runId === undefined ? undefined : runs.get(runId);
    const evidence: Evidence = {
      versions,
      ...(shopify !== undefined ? { shopify } : {}),
      importFailure: failures.get(request.record.orderId),
      approval,
      ...(runId !== undefined && outcome !== undefined ? { reimportRun: { runId, outcome } } : {}),
    };
    outcomes.set(request.key, { gathered: { record: request.record, assessment, evidence } });
  }
  return outcomes;
};

/** The single-order form (the CLI's diagnosis): the same reads; a failed read throws what HotWax or Shopify threw. */
export const gatherEvidenceFor = async (
  shop: ShopContext,
  request: EvidenceRequest,
  options: { now: number; telemetry?: Telemetry },
): Promise<Gathered> => {
  const outcome = (await gatherEvidence(shop, [request], options)).get(request.key);
  if (!outcome) throw new CheckFailedError(`no evidence gathered for order ${request.record.orderId}`);
  if (outcome.error) throw outcome.error.cause ?? outcome.error;
  return outcome.gathered;
};
