import { learnedFirstCheckMs } from '../../domain/import-lag.js';
import { type CheckMessage, type OrderRecord, orderKey } from '../../domain/order-sync.js';
import type {
  CheckQueue,
  Clock,
  HotwaxOrder,
  ImportLagStore,
  Notifier,
  OrderRepository,
  ShopContext,
  ShopDirectory,
  Telemetry,
} from '../../domain/ports.js';
import { type Decision, decide } from '../../domain/runbook/decide.js';
import { type DueCheck, type TriageOutcome, triageChecks } from '../../domain/runbook/triage.js';
import { CheckFailedError, gatherEvidence } from '../runbook/gather-evidence.js';
import { withHotwaxLink } from '../runbook/hotwax-link.js';
import { type ClaimedCheck, claimAndRepair, type DecidedCheck } from './claim-and-repair.js';
import { tellPeople } from './tell-people.js';

export { CheckFailedError };

export interface CheckOrdersDeps {
  store: Pick<OrderRepository, 'getMany' | 'save' | 'claimJobRun' | 'releaseJobRun'>;
  /** the shops this deployment serves: each order is checked with its own shop's HotWax and Shopify */
  shops: ShopDirectory;
  queue: CheckQueue;
  notifier: Notifier;
  telemetry: Telemetry;
  clock: Clock;
  settings: { syncSloSeconds: number };
  /** each shop's learned import lag; unset = every first check decides at once (a fixed delay) */
  importLags?: ImportLagStore;
}

export type CheckOutcome =
  | 'checked'
  | 'stale'
  | 'requeued'
  | 'unknown_order'
  | 'settled'
  /** the record changed between the check's read and its write (a webhook, another check): queued again */
  | 'superseded'
  | 'failed';

export interface CheckResult {
  outcome: CheckOutcome;
  error?: Error;
  decision?: Decision;
}

export class UnknownShopError extends Error {
  override name = 'UnknownShopError';
}

const fromTriage: Record<Exclude<TriageOutcome, 'due' | 'early'>, CheckOutcome> = {
  unknown_order: 'unknown_order',
  settled: 'settled',
  stale: 'stale',
};

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** A check failed for one shop of several: its error names the shop, so logs and the DLQ tell whose config is wrong. */
export class ShopCheckFailedError extends Error {
  override name = 'ShopCheckFailedError';
  constructor(
    readonly shop: string,
    cause: Error,
  ) {
    super(`${shop}: ${causeChain(cause)}`, { cause });
  }
}

/** "Starting the re-import run failed: ShopifyConfig [X] not found": what failed, then why, HotWax's words last. */
const causeChain = (error: Error): string => {
  const messages: string[] = [];
  for (let at: unknown = error; at instanceof Error && messages.length < 4; at = at.cause) {
    if (at.message && !messages.some((message) => message.includes(at instanceof Error ? at.message : '')))
      messages.push(at.message);
  }
  return messages.join(': ');
};

const ofShop = (shop: string, error: Error): Error =>
  error instanceof ShopCheckFailedError ? error : new ShopCheckFailedError(shop, error);

/**
 * Runs one batch of checks: the runbook for every order whose check is due.
 *
 * 1. Triage: read the records; drop stale and duplicate messages (a newer check is scheduled, or the order is
 *    settled); re-queue messages not yet due (delays beyond SQS's 15 minutes).
 * 2. Per shop, with that shop's HotWax and Shopify — gather evidence: ONE HotWax lookup for the shop's orders, then
 *    only what each decision needs ("confirm the order exists in Shopify", "match the Shopify order ID in the
 *    failed-record JSON", the approval job).
 * 3. Decide each order with the decision table (pure domain).
 * 4. Claim and repair: a conditional write per decision — one order never gets two repairs — and the repairs; one
 *    New Orders run serves every missing order of the window.
 * 5. Tell people: queue the verify / re-check, notify whoever must act, emit metrics.
 * 6. A check that lost the version race is queued again as it was: if a webhook won, the check is still owed
 *    (its due time is still the record's) and runs at once; if another check won, the copy is stale and dropped.
 * Failures are per message: the caller reports them so SQS retries with backoff and finally dead-letters them.
 */
export const checkOrders = async (
  deps: CheckOrdersDeps,
  messages: readonly CheckMessage[],
): Promise<CheckResult[]> => {
  const now = deps.clock.now();
  const { outcomes, due, early } = triageChecks(messages, await deps.store.getMany(messages), now);
  const results: CheckResult[] = outcomes.map((outcome) =>
    outcome === 'due' || outcome === 'early' ? { outcome: 'stale' } : { outcome: fromTriage[outcome] },
  );
  const settle = (check: DueCheck, result: CheckResult) => {
    for (const index of check.indexes) results[index] = result;
  };

  if (early.length > 0) {
    const requeued = await deps.queue
      .schedule(
        early.map((entry) => entry.message),
        now,
      )
      .then(
        () => ({ outcome: 'requeued' }) as CheckResult,
        (error: unknown) => ({ outcome: 'failed', error: asError(error) }) as CheckResult,
      );
    for (const { index } of early) results[index] = requeued;
  }

  await Promise.all(
    [...groupByShop(due)].map(async ([shopName, checks]) => {
      const shop = deps.shops.get(shopName);
      // With several shops a failed check's error names its shop; a single shop's errors stay as they were.
      const named = (error: Error) => (deps.shops.list().length > 1 ? ofShop(shopName, error) : error);
      if (!shop) {
        const error = new UnknownShopError(`the monitor does not serve ${shopName}`);
        for (const check of checks.values()) settle(check, { outcome: 'failed', error });
        return;
      }
      // One shop's failure (its HotWax ids wrong, its token revoked) fails its own checks only.
      let shopResults: Map<string, CheckResult>;
      try {
        shopResults = await checkShop(deps, shop, checks, now);
      } catch (error) {
        deps.telemetry.error('Checks of one shop failed; the other shops of the batch go on', {
          shop: shopName,
          error: String(error),
        });
        const failure = named(asError(error));
        for (const check of checks.values()) settle(check, { outcome: 'failed', error: failure });
        return;
      }
      for (const [key, result] of shopResults) {
        settle(
          checks.get(key) as DueCheck,
          result.error ? { ...result, error: named(result.error) } : result,
        );
      }
    }),
  );

  await requeueRaced(deps, messages, results, now);
  return results;
};

/** Step 6: the first message of every check that lost the race goes back on the queue, unchanged. */
const requeueRaced = async (
  deps: Pick<CheckOrdersDeps, 'queue' | 'telemetry'>,
  messages: readonly CheckMessage[],
  results: CheckResult[],
  now: number,
) => {
  const raced = new Map<string, number>();
  results.forEach((result, index) => {
    const message = messages[index];
    if (result.outcome === 'superseded' && message && !raced.has(orderKey(message))) {
      raced.set(orderKey(message), index);
    }
  });
  if (raced.size === 0) return;
  const again = [...raced.values()].map((index) => messages[index] as CheckMessage);
  await deps.queue.schedule(again, now).catch((error: unknown) => {
    // Not queued: fail the messages instead, so SQS brings them back.
    deps.telemetry.warn('Could not queue again checks that lost the race; SQS retries them', {
      error: String(error),
    });
    for (const [index, result] of results.entries()) {
      if (result.outcome === 'superseded') results[index] = { outcome: 'failed', error: asError(error) };
    }
  });
};

/** Steps 2–5 for the due checks of one shop. */
const checkShop = async (
  deps: CheckOrdersDeps,
  shop: ShopContext,
  checks: ReadonlyMap<string, DueCheck>,
  now: number,
): Promise<Map<string, CheckResult>> => {
  const results = new Map<string, CheckResult>();
  const requests = [...checks].map(([key, { record }]) => ({ key, record }));
  const learned = await withLearnedLag(deps, shop, requests);
  const gathered = await gatherEvidence(learned, requests, { now, telemetry: deps.telemetry });

  const decided: DecidedCheck[] = [];
  const versionsOf = new Map<string, readonly HotwaxOrder[]>();
  for (const [key, outcome] of gathered) {
    if (outcome.error) {
      results.set(key, { outcome: 'failed', error: outcome.error });
      continue;
    }
    const { record, assessment, evidence } = outcome.gathered;
    versionsOf.set(key, evidence.versions);
    const context = { now, settings: learned.settings, capabilities: shop.hotwax.capabilities };
    decided.push({
      key,
      record,
      decision: withHotwaxLink(decide(record, assessment, evidence, context), shop.hotwax),
    });
  }

  // Nothing decided (HotWax did not answer): nothing to claim, and the port may not even know its backend yet.
  if (decided.length === 0) return results;

  const claimedChecks: ClaimedCheck[] = [];
  for (const [key, outcome] of await claimAndRepair(deps, shop, decided, now)) {
    if (outcome.kind === 'failed') results.set(key, { outcome: 'failed', error: outcome.error });
    else if (outcome.kind === 'superseded') results.set(key, { outcome: 'superseded' });
    else {
      claimedChecks.push(outcome.check);
      results.set(key, { outcome: 'checked', decision: outcome.check.decision });
    }
  }

  await tellPeople({ ...deps, syncSloSeconds: deps.settings.syncSloSeconds }, shop, claimedChecks, now);
  await learnImportLags(deps, shop, claimedChecks, versionsOf, now);
  return results;
};

/** An order's first check after orders/create, before any repair: the one whose wait the import lag decides. */
const isFirstLook = (record: OrderRecord) =>
  record.state === 'pending_check' && record.expectation === 'created' && record.repairAttempts === 0;

/**
 * The shop with its learned first-check wait (`awaitImportMs`), read once per batch and only when the batch holds a
 * first look. No store, too few lags learned, or the table not answering: the shop as configured (a fixed delay).
 */
const withLearnedLag = async (
  deps: Pick<CheckOrdersDeps, 'importLags' | 'telemetry'>,
  shop: ShopContext,
  requests: readonly { record: OrderRecord }[],
): Promise<ShopContext> => {
  if (!deps.importLags || !requests.some(({ record }) => isFirstLook(record))) return shop;
  const sketch = await deps.importLags.get(shop.shop).catch((error: unknown) => {
    deps.telemetry.warn('Import lag unavailable; first checks decide at once', { error: String(error) });
    return undefined;
  });
  const awaitImportMs = learnedFirstCheckMs(sketch, shop.settings.firstCheck);
  return awaitImportMs === undefined ? shop : { ...shop, settings: { ...shop.settings, awaitImportMs } };
};

/**
 * Records the import lag of every order seen in HotWax for the first time without a repair: HotWax's own entry
 * date of the order (`OrderHeader.entryDate`) minus its creation in Shopify. One atomic write per batch and shop; a
 * failure only costs these samples.
 */
const learnImportLags = async (
  deps: Pick<CheckOrdersDeps, 'importLags' | 'telemetry'>,
  shop: ShopContext,
  claimed: readonly ClaimedCheck[],
  versionsOf: ReadonlyMap<string, readonly HotwaxOrder[]>,
  now: number,
) => {
  if (!deps.importLags) return;
  const lags = claimed.flatMap(({ key, record, decision }) => {
    if (decision.syncLagSeconds === undefined || record.expectation !== 'created') return [];
    if (record.repairAttempts > 0 || record.lastRepairAt !== undefined) return [];
    const hotwaxOrderId = decision.record.hotwax?.orderId;
    const live = versionsOf.get(key)?.find((version) => version.orderId === hotwaxOrderId);
    // Only HotWax's own entry date says when the order arrived: the check's time would feed the wait back into the
    // lag (an order found after waiting would teach a longer wait), so without it the order teaches nothing.
    // HotWax's clock may run a little ahead of this one: never later than the look that saw it.
    if (live?.entryDate === undefined) return [];
    return [Math.max(0, Math.min(live.entryDate, now) - record.createdAt)];
  });
  await deps.importLags.add(shop.shop, lags).catch((error: unknown) => {
    deps.telemetry.warn('Could not record import lags', { error: String(error) });
  });
};

const groupByShop = (due: ReadonlyMap<string, DueCheck>) => {
  const byShop = new Map<string, Map<string, DueCheck>>();
  for (const [key, check] of due) {
    const shop = (check.record as OrderRecord).shop;
    const checks = byShop.get(shop) ?? new Map<string, DueCheck>();
    checks.set(key, check);
    byShop.set(shop, checks);
  }
  return byShop;
};
