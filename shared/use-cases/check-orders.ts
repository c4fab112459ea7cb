import type { OrderStore } from '../adapters/dynamo/order-store.js';
import { orderKeyString } from '../adapters/dynamo/order-store.js';
import {
  type Assessment,
  assessCheck,
  type CheckSettings,
  type Decision,
  decideCheck,
} from '../domain/decide-check.js';
import type { CheckMessage, OrderRecord } from '../domain/order-sync.js';
import type {
  CheckQueuePort,
  Clock,
  HotwaxJobStatus,
  HotwaxOrder,
  HotwaxPort,
  MdmFailure,
  Notification,
  NotifierPort,
  ShopifyOrderSnapshot,
  ShopifyPort,
} from '../domain/ports.js';
import { MetricName } from '../observability/metric-names.js';
import type { Telemetry } from '../observability/telemetry.js';

export interface CheckOrdersDeps {
  store: Pick<OrderStore, 'getMany' | 'save' | 'claimJobRun' | 'releaseJobRun'>;
  hotwax: HotwaxPort;
  shopify: ShopifyPort;
  queue: CheckQueuePort;
  notifier: NotifierPort;
  telemetry: Telemetry;
  clock: Clock;
  settings: CheckSettings & { importJobCooldownMs: number; syncSloSeconds: number };
}

export type CheckOutcome =
  | 'checked'
  | 'stale'
  | 'requeued'
  | 'unknown_order'
  | 'settled'
  | 'superseded'
  | 'failed';
export interface CheckResult {
  outcome: CheckOutcome;
  error?: Error;
  decision?: Decision;
}

export class CheckFailedError extends Error {
  override name = 'CheckFailedError';
}

/** Messages may arrive a little early (clock skew, SQS delay rounding); this much early still counts as due. */
const dueSkewMs = 5_000;
const shopifyReadConcurrency = 5;
const newOrdersJob = 'JOB_IMP_ORD';

/**
 * Each schedule of a check has its own due time, kept on the record: a message is the order's scheduled check only
 * if its `dueAt` is the record's `nextCheckAt`. Redeliveries and duplicates of a check that already ran (or was
 * superseded by a later schedule) are recognised exactly, however the delays line up.
 */
const isScheduledCheck = (message: CheckMessage, record: OrderRecord, now: number): boolean =>
  record.nextCheckAt !== undefined &&
  record.nextCheckAt <= now + dueSkewMs &&
  message.dueAt === record.nextCheckAt;

const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * Runs one batch of checks: the runbook for every order whose check is due.
 *
 * 1. Read the records; drop stale and duplicate messages (a newer check is scheduled, or the order is settled);
 *    re-queue messages not yet due (delays beyond SQS's 15 minutes).
 * 2. Look every due order up in HotWax in ONE call.
 * 3. Read only what the decision needs: Shopify's copy ("confirm the order exists in Shopify"), the Shopify Order
 *    MDM failed records ("match the Shopify order ID in the failed-record JSON"), the approval job.
 * 4. Decide each order (pure domain), claim the decision with a conditional write — one order never gets two
 *    repairs — then act: one New Orders run serves every missing order of the window; refreshes per order.
 * 5. Queue the verify / re-check, tell people what needs them, emit metrics.
 * Failures are per message: the caller reports them so SQS retries with backoff and finally dead-letters them.
 */
export const checkOrders = async (
  deps: CheckOrdersDeps,
  messages: readonly CheckMessage[],
): Promise<CheckResult[]> => {
  const now = deps.clock.now();
  const results: CheckResult[] = messages.map(() => ({ outcome: 'stale' }));
  const records = await deps.store.getMany(messages);

  const due = new Map<string, { record: OrderRecord; indexes: number[] }>();
  const requeue: Array<{ index: number; message: CheckMessage }> = [];
  messages.forEach((message, index) => {
    const key = orderKeyString(message);
    const record = records.get(key);
    if (!record) {
      results[index] = { outcome: 'unknown_order' };
    } else if (message.dueAt > now + dueSkewMs) {
      requeue.push({ index, message });
    } else if (message.reason !== 'manual' && (record.state === 'ignored' || record.state === 'escalated')) {
      results[index] = { outcome: 'settled' };
    } else if (message.reason !== 'manual' && !isScheduledCheck(message, record, now)) {
      results[index] = { outcome: 'stale' };
    } else {
      const entry = due.get(key) ?? { record, indexes: [] };
      entry.indexes.push(index);
      due.set(key, entry);
    }
  });

  if (requeue.length > 0) {
    try {
      await deps.queue.schedule(
        requeue.map((entry) => entry.message),
        now,
      );
      for (const { index } of requeue) results[index] = { outcome: 'requeued' };
    } catch (error) {
      for (const { index } of requeue) results[index] = { outcome: 'failed', error: asError(error) };
    }
  }
  if (due.size === 0) return results;

  const fail = (key: string, error: unknown) => {
    for (const index of due.get(key)?.indexes ?? [])
      results[index] = { outcome: 'failed', error: asError(error) };
    due.delete(key);
  };

  // 2. One HotWax lookup for the batch; if HotWax is down every due check is retried later.
  let found: Map<string, HotwaxOrder[]>;
  try {
    found = await deps.hotwax.findOrdersByShopifyIds([...due.values()].map(({ record }) => record.orderId));
  } catch (error) {
    deps.telemetry.warn('HotWax lookup failed; the batch will be retried', { error: String(error) });
    for (const key of [...due.keys()])
      fail(key, new CheckFailedError('HotWax lookup failed', { cause: error }));
    return results;
  }

  const assessed = new Map<
    string,
    { record: OrderRecord; assessment: Assessment; needs: ReturnType<typeof assessCheck>['needs'] }
  >();
  for (const [key, { record }] of due) {
    const { assessment, needs } = assessCheck(record, found.get(record.orderId) ?? [], now, deps.settings);
    assessed.set(key, { record, assessment, needs });
  }

  // 3. Only what the decisions need.
  const shopifyCopies = new Map<string, ShopifyOrderSnapshot | null>();
  const toRead = [...assessed].filter(([, entry]) => entry.needs.shopify);
  await mapLimit(toRead, shopifyReadConcurrency, async ([key, { record }]) => {
    try {
      shopifyCopies.set(key, await deps.shopify.getOrder(record.orderId));
    } catch (error) {
      assessed.delete(key);
      fail(key, new CheckFailedError('Shopify re-read failed', { cause: error }));
    }
  });

  let failures = new Map<string, MdmFailure>();
  const absent = [...assessed].filter(([key, entry]) => entry.needs.importFailures && shopifyCopies.has(key));
  if (absent.length > 0) {
    try {
      failures = await deps.hotwax.findImportFailures({
        since: Math.min(...absent.map(([, { record }]) => record.createdAt)) - 3_600_000,
        shopifyOrderIds: absent.map(([, { record }]) => record.orderId),
      });
    } catch (error) {
      // Re-importing blind could waste repairs on an order that must be fixed in Shopify first: retry later.
      for (const [key] of absent) {
        assessed.delete(key);
        fail(
          key,
          new CheckFailedError('Reading the Shopify Order MDM failed records failed', { cause: error }),
        );
      }
    }
  }

  let approvalJob: HotwaxJobStatus | undefined;
  if ([...assessed.values()].some((entry) => entry.needs.approvalJob)) {
    approvalJob = await deps.hotwax.approvalJobStatus().catch((error: unknown) => {
      deps.telemetry.warn('Approval job status unavailable; diagnosing without it', { error: String(error) });
      return undefined;
    });
  }

  // 4. Decide, then claim and act.
  const decisions = new Map<string, { record: OrderRecord; decision: Decision }>();
  for (const [key, { record, assessment }] of assessed) {
    const decision = decideCheck(
      record,
      assessment,
      {
        now,
        versions: found.get(record.orderId) ?? [],
        ...(shopifyCopies.has(key) ? { shopify: shopifyCopies.get(key) ?? null } : {}),
        importFailure: failures.get(record.orderId),
        approvalJob,
      },
      deps.settings,
    );
    decisions.set(key, { record, decision });
  }

  const reimports = [...decisions].filter(([, { decision }]) => decision.action?.kind === 'reimport');
  const jobShop = reimports[0]?.[1].record.shop;
  if (jobShop !== undefined && !deps.hotwax.importOrder) {
    const claim = await deps.store.claimJobRun(jobShop, newOrdersJob, now, deps.settings.importJobCooldownMs);
    if (claim.claimed) {
      try {
        const run = await deps.hotwax.runNewOrdersJob();
        deps.telemetry.info('New Orders job run requested', {
          orders: reimports.length,
          parentJobId: run.parentJobId,
        });
      } catch (error) {
        await deps.store.releaseJobRun(jobShop, newOrdersJob, now).catch(() => {});
        for (const [key] of reimports) {
          decisions.delete(key);
          fail(key, new CheckFailedError('Running the New Orders job failed', { cause: error }));
        }
      }
    } else {
      for (const [, { decision }] of reimports) {
        const last = decision.events.at(-1);
        if (last)
          last.message += ` Served by the New Orders run requested at ${new Date(claim.lastRunAt).toISOString()}.`;
      }
    }
  }

  const notifications: Notification[] = [];
  const notified: OrderRecord[] = [];
  const checks: CheckMessage[] = [];
  await mapLimit([...decisions], shopifyReadConcurrency, async ([key, { record, decision }]) => {
    const indexes = due.get(key)?.indexes ?? [];
    const saved = await deps.store
      .save(decision.record, { expectedVersion: record.version, events: decision.events, now })
      .catch((error: unknown) => ({ result: 'error' as const, error }));
    if (saved.result === 'error') return fail(key, saved.error);
    if (saved.result !== 'saved') {
      // Another check of this order won the race; it does the work.
      for (const index of indexes) results[index] = { outcome: 'superseded' };
      return;
    }

    const action = decision.action;
    try {
      if (action?.kind === 'refresh') await deps.hotwax.refreshOrder?.(action.hotwaxOrderId);
      if (action?.kind === 'reimport' && deps.hotwax.importOrder)
        await deps.hotwax.importOrder(record.orderId);
    } catch (error) {
      // Give the claim back (state and attempt count as before, check due now) and let SQS retry the message.
      const reverted = await deps.store
        .save(
          { ...record, nextCheckAt: now },
          {
            expectedVersion: saved.record.version,
            events: [
              {
                at: now,
                type: 'repair.failed',
                state: record.state,
                message: `Could not trigger the ${action?.kind}: ${String(error)}; retrying.`,
              },
            ],
            now,
          },
        )
        .catch(() => undefined);
      if (!reverted)
        deps.telemetry.error('Could not revert a failed repair claim', { orderId: record.orderId });
      return fail(key, new CheckFailedError(`${action?.kind} failed`, { cause: error }));
    }

    if (decision.record.nextCheckAt !== undefined) {
      checks.push({
        v: 1,
        shop: record.shop,
        orderId: record.orderId,
        reason: action ? 'verify' : 'recheck',
        dueAt: decision.record.nextCheckAt,
      });
    }
    if (decision.notify) {
      if (decision.notify.kind !== 'resolved') notified.push(saved.record);
      const hotwaxOrderId = decision.record.hotwax?.orderId;
      notifications.push({
        ...decision.notify,
        shop: record.shop,
        order: {
          orderId: record.orderId,
          orderName: record.orderName,
          channel: record.channel,
          state: decision.record.state,
          outOfSyncSince: record.createdAt,
          shopifyUrl: deps.shopify.orderUrl(record.orderId),
          ...(hotwaxOrderId ? { hotwaxUrl: deps.hotwax.orderUrl(hotwaxOrderId) } : {}),
        },
        at: now,
      });
    }
    emitMetrics(deps, decision);
    for (const index of indexes) results[index] = { outcome: 'checked', decision };
  });

  // 5. The next checks; a lost one is found by the sweep through the record's overdue nextCheckAt.
  if (checks.length > 0) {
    await deps.queue.schedule(checks, now).catch((error: unknown) =>
      deps.telemetry.error('Could not queue follow-up checks; the sweep recovers them once overdue', {
        error: String(error),
        orders: checks.map((check) => check.orderId),
      }),
    );
  }
  if (notifications.length > 0) {
    await deps.notifier.notify(notifications).catch(async (error: unknown) => {
      deps.telemetry.count(MetricName.NotificationsFailed, notifications.length);
      deps.telemetry.error('Could not queue notifications; the orders tell people again at their next look', {
        error: String(error),
      });
      // Nobody was told: forget that we did, so the order's next re-check sends the alert again.
      await mapLimit(notified, shopifyReadConcurrency, async (record) => {
        const { humanNotifiedAt: _told, ...untold } = record;
        await deps.store
          .save(untold, { expectedVersion: record.version, events: [], now })
          .catch(() => undefined);
      });
    });
  }
  return results;
};

const stateMetric = {
  in_sync: MetricName.OrdersInSync,
  reimport_requested: MetricName.OrdersMissing,
  blocked_on_data: MetricName.OrdersBlocked,
  stuck_created: MetricName.OrdersStuck,
  refresh_requested: MetricName.OrdersStuck,
  awaiting_approval: MetricName.OrdersAwaitingApproval,
  escalated: MetricName.Escalations,
} as const;

const emitMetrics = (deps: CheckOrdersDeps, decision: Decision) => {
  const { record } = decision;
  const dimensions = { shop: record.shop, channel: record.channel };
  deps.telemetry.count(MetricName.ChecksRun, 1, dimensions);
  const metric = stateMetric[record.state as keyof typeof stateMetric];
  if (metric) deps.telemetry.count(metric, 1, dimensions);
  if (decision.action) deps.telemetry.count(MetricName.RepairsTriggered, 1, dimensions);
  if (decision.repairVerified) deps.telemetry.count(MetricName.RepairsVerified, 1, dimensions);
  if (decision.syncLagSeconds !== undefined) {
    deps.telemetry.value(MetricName.SyncLagSeconds, decision.syncLagSeconds, dimensions);
    deps.telemetry.count(
      MetricName.InSyncWithinSlo,
      decision.syncLagSeconds <= deps.settings.syncSloSeconds ? 1 : 0,
      dimensions,
    );
  }
};
