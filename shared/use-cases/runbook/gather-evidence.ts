import type { OrderRecord } from '../../domain/order-sync.js';
import type {
  ApprovalStatus,
  HotwaxOrder,
  ImportFailure,
  ShopContext,
  ShopifyOrderSnapshot,
  Telemetry,
} from '../../domain/ports.js';
import { type Assessment, assessOrder, type EvidenceNeeds } from '../../domain/runbook/assess.js';
import { type Evidence, failedRecordsSince, nothingToSync } from '../../domain/runbook/evidence.js';
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

/**
 * "Gather evidence" for a batch of one shop's orders: the runbook's reads, each as few times as the batch allows.
 *
 * 1. Look every order up in HotWax in ONE call; if HotWax is down, every order of the batch is retried later.
 * 2. Assess each order (pure) and read only what its decision needs:
 *    - "confirm the order exists in Shopify": Shopify's copy, a few orders at a time;
 *    - "match the Shopify order ID in the failed-record JSON": one read of the failed import records for every
 *      absent order Shopify still has (re-importing blind could waste repairs on an order that must be fixed in
 *      Shopify first, so a failed read fails those orders);
 *    - how approval works and whether it runs, once, when a web order is held in Created — without it the
 *      diagnosis still names the payment.
 */
export const gatherEvidence = async (
  shop: ShopContext,
  requests: readonly EvidenceRequest[],
  options: { now: number; telemetry?: Telemetry },
): Promise<Map<string, Gathering>> => {
  const outcomes = new Map<string, Gathering>();
  const failAll = (keys: readonly string[], message: string, cause: unknown) => {
    for (const key of keys) outcomes.set(key, { error: new CheckFailedError(message, { cause }) });
  };

  // 1. One HotWax lookup for the orders the caller has not looked up.
  const toLookUp = requests.filter((request) => request.versions === undefined);
  let found = new Map<string, HotwaxOrder[]>();
  if (toLookUp.length > 0) {
    try {
      found = await shop.hotwax.findOrdersByShopifyIds(toLookUp.map(({ record }) => record.orderId));
    } catch (error) {
      options.telemetry?.warn('HotWax lookup failed; the batch will be retried', { error: String(error) });
      failAll(
        requests.map((request) => request.key),
        'HotWax lookup failed',
        error,
      );
      return outcomes;
    }
  }

  // 2. Assess, then read only what the decisions need.
  const open = requests.map((request) => {
    const versions = request.versions ?? found.get(request.record.orderId) ?? [];
    const { assessment, needs } = assessOrder(request.record, versions, options.now, shop.settings);
    return { request, needs, versions, assessment, shopify: request.shopify };
  });
  type Open = (typeof open)[number];
  const live = () => open.filter(({ request }) => !outcomes.has(request.key));

  await mapLimit(
    open.filter((entry) => entry.needs.shopify && entry.shopify === undefined),
    shopifyReadConcurrency,
    async (entry) => {
      try {
        entry.shopify = await shop.shopify.getOrder(entry.request.record.orderId);
      } catch (error) {
        failAll([entry.request.key], 'Shopify re-read failed', error);
      }
    },
  );

  const worthReading = (entry: Open, need: keyof EvidenceNeeds) =>
    entry.needs[need] && !nothingToSync(entry.shopify);
  let failures = new Map<string, ImportFailure>();
  const absent = live().filter((entry) => worthReading(entry, 'importFailures'));
  if (absent.length > 0) {
    try {
      failures = await shop.hotwax.findImportFailures({
        since: failedRecordsSince(absent.map(({ request }) => request.record)),
        shopifyOrderIds: absent.map(({ request }) => request.record.orderId),
      });
    } catch (error) {
      failAll(
        absent.map(({ request }) => request.key),
        'Reading the Shopify Order MDM failed records failed',
        error,
      );
    }
  }

  let approval: ApprovalStatus | undefined;
  if (live().some((entry) => worthReading(entry, 'approval'))) {
    approval = await shop.hotwax.approvalStatus().catch((error: unknown) => {
      options.telemetry?.warn('Approval status unavailable; diagnosing without it', { error: String(error) });
      return undefined;
    });
  }

  for (const { request, versions, assessment, shopify } of live()) {
    const evidence: Evidence = {
      versions,
      ...(shopify !== undefined ? { shopify } : {}),
      importFailure: failures.get(request.record.orderId),
      approval,
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
