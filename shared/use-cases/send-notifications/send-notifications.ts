import { MetricName } from '../../domain/metric-names.js';
import type { CloudWatchAlarm } from '../../domain/notification-text.js';
import {
  type Clock,
  type Notification,
  type SlackSender,
  type SlackThreadStore,
  SlackUnavailableError,
  type Telemetry,
  type WindowKey,
} from '../../domain/ports.js';
import { DigestPendingError, postDigest } from './post-digest.js';

/** One queue record's notification, identified so its outcome can be reported per record. */
export interface NotificationDelivery {
  id: string;
  notification: Notification;
}

export type DeliveryOutcome =
  | { ok: true; sent: boolean; route: 'message' | 'reply' | 'digest' | 'skipped'; reason?: string }
  | { ok: false; error: Error };

export interface SendNotificationsDeps {
  /** the default channel's sender: alarms, and every shop without a channel of its own */
  sender: SlackSender;
  /** several shops: the sender of a shop that has its own channel (SHOPS_FILE `slackChannelId`), else undefined */
  senderOf?: (shop: string) => SlackSender | undefined;
  store: SlackThreadStore;
  telemetry: Telemetry;
  clock?: Clock;
  newId?: () => string;
  /** waits out Slack's Retry-After (tests pass a fake) */
  sleep?: (ms: number) => Promise<void>;
}

/** What a batch may spend: Slack's waits are sat out only while they end this long before the deadline. */
export interface BatchOptions {
  /** epoch ms by which the batch must be done (the invocation's end); unset = no waiting for Slack */
  deadline?: number;
}

/** Slack's wait is sat out only if the call after it still has this much time before the deadline. */
const callMarginMs = 5_000;

export interface SendNotificationsOptions {
  /** needs_human messages per shop and window before the rest go into one digest (NOTIFY_STORM_THRESHOLD) */
  stormThreshold: number;
  /** Length of a storm window. Default 10 minutes. */
  stormWindowMs?: number;
  /** When a digest claim counts as abandoned. Default 60 s. */
  digestClaimStaleAfterMs?: number;
}

/** Identifies one notification of an order, so a redelivered record posts nothing twice. */
export const postedKey = (notification: Notification): string => `${notification.kind}@${notification.at}`;

export const stormWindowStart = (at: number, windowMs: number): number =>
  Math.floor(at / windowMs) * windowMs;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Turns queued notifications and CloudWatch alarms into Slack messages, telling people only what they must act on.
 */
export const createSendNotifications = (deps: SendNotificationsDeps, options: SendNotificationsOptions) => {
  const { sender, store } = deps;
  const threshold = options.stormThreshold;
  const windowMs = options.stormWindowMs ?? 600_000;
  const now = () => deps.clock?.now() ?? Date.now();
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /**
   * Slack's Retry-After is honoured (#11 §5): within the batch's time the call waits it out and goes again;
   * beyond it the error is thrown, and the handler holds the record back at least that long.
   */
  const patiently = async <T>(deadline: number | undefined, call: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const waitMs =
          error instanceof SlackUnavailableError &&
          error.reason === 'rate_limited' &&
          error.retryAfter !== undefined
            ? error.retryAfter * 1000
            : undefined;
        if (waitMs === undefined || deadline === undefined || now() + waitMs + callMarginMs > deadline)
          throw error;
        deps.telemetry.info('Slack asked us to wait; waiting before the next call', {
          retryAfter: waitMs / 1000,
        });
        await sleep(waitMs);
      }
    }
  };
  /** The sender of one batch: every call waits out Slack's rate limit within the batch's time. */
  const patientSender = (deadline: number | undefined, shop?: string): SlackSender => {
    const routed = (shop !== undefined ? deps.senderOf?.(shop) : undefined) ?? sender;
    return {
      ...routed,
      post: (message, postOptions) => patiently(deadline, () => routed.post(message, postOptions)),
      update: (ts, message) => patiently(deadline, () => routed.update(ts, message)),
    };
  };
  const digestOptions = { claimStaleAfterMs: options.digestClaimStaleAfterMs ?? 60_000 };

  /** One top-level message, or a reply in the order's thread; recorded so redeliveries and replies find it. */
  const sendOrderMessage = async (
    sender: SlackSender,
    notification: Notification,
  ): Promise<DeliveryOutcome> => {
    const order = notification.order;
    if (!order) {
      await sender.post({ kind: 'notification', notification, now: now() });
      return { ok: true, sent: true, route: 'message' };
    }
    const key = postedKey(notification);
    const thread = await store.getThread(notification.shop, order.orderId);
    if (thread?.postedKeys.has(key)) {
      return { ok: true, sent: false, route: 'skipped', reason: 'already posted' };
    }
    const resolved = notification.kind === 'resolved';
    // Nobody was told about this order one by one (it was in a digest, or is unknown): a "fixed" message would
    // only add noise, and in a storm a flood of them.
    if (resolved && !thread) {
      return { ok: true, sent: false, route: 'skipped', reason: 'no earlier message for this order' };
    }
    const threadTs = sender.supportsThreads ? thread?.ts : undefined;
    const { ts } = await sender.post(
      { kind: 'notification', notification, now: now() },
      // A new problem on a known order goes into its thread and is also shown in the channel.
      threadTs ? { threadTs, broadcast: !resolved } : {},
    );
    await store.recordPost(
      notification.shop,
      order.orderId,
      { postedKey: key, ...(ts ? { ts } : {}) },
      now(),
    );
    return { ok: true, sent: true, route: threadTs ? 'reply' : 'message' };
  };

  return {
    /**
     * Sends a batch of queued notifications and reports each record's outcome.
     *
     * 1. needs_human: take one of the window's `stormThreshold` individual slots (atomic counter per shop and
     *    10-minute window, shared by all batches); without a slot the order goes into the window's digest.
     * 2. needs_human with a slot, escalated, quarantined, alarm: one message each; on an order already announced,
     *    a reply in its thread that is also shown in the channel.
     * 3. resolved: a reply in the order's thread (incoming webhook: a new message); nothing when the order was
     *    never announced on its own.
     * 4. Digest orders: one digest per window, edited (or followed up) as the storm grows.
     * When Slack asks us to wait (429), the call waits as long as Slack said if the batch has the time, and goes
     * again. When it has not, or Slack cannot be reached or rejects the call, the rest of the batch fails without
     * calling Slack; SQS redelivers those records later (no sooner than Slack's Retry-After).
     */
    async sendBatch(
      deliveries: readonly NotificationDelivery[],
      batch: BatchOptions = {},
    ): Promise<Map<string, DeliveryOutcome>> {
      // Each shop's messages and digests go to its own channel when it has one (the default channel otherwise).
      const senders = new Map<string, SlackSender>();
      const senderOfShop = (shop: string) => {
        let found = senders.get(shop);
        if (!found) {
          found = patientSender(batch.deadline, shop);
          senders.set(shop, found);
        }
        return found;
      };
      const outcomes = new Map<string, DeliveryOutcome>();
      let stop: SlackUnavailableError | undefined;
      const fail = (delivery: NotificationDelivery, error: unknown) => {
        const failure = asError(error);
        // A 5xx or a refused message concerns one call; a rate limit, an outage or bad credentials hit every
        // message alike, so calling Slack again in this batch would only add to the wait.
        if (
          failure instanceof SlackUnavailableError &&
          failure.reason !== 'server_error' &&
          failure.reason !== 'invalid_message'
        ) {
          stop ??= failure;
        }
        outcomes.set(delivery.id, { ok: false, error: failure });
      };

      // 1. Storm slots, in arrival order per window so the first orders of a storm get their own message.
      const windows = new Map<string, { key: WindowKey; deliveries: NotificationDelivery[] }>();
      for (const delivery of deliveries) {
        const { notification } = delivery;
        if (notification.kind !== 'needs_human' || !notification.order) continue;
        const key = { shop: notification.shop, windowStart: stormWindowStart(notification.at, windowMs) };
        const id = `${key.shop}|${key.windowStart}`;
        const group = windows.get(id) ?? { key, deliveries: [] };
        group.deliveries.push(delivery);
        windows.set(id, group);
      }
      const digestGroups: Array<{ key: WindowKey; deliveries: NotificationDelivery[] }> = [];
      await Promise.all(
        [...windows.values()].map(async ({ key, deliveries: inWindow }) => {
          const overflow: NotificationDelivery[] = [];
          for (const delivery of inWindow) {
            try {
              const orderId = delivery.notification.order?.orderId as string;
              if (!(await store.claimWindowSlot(key, orderId, threshold, now()))) overflow.push(delivery);
            } catch (error) {
              fail(delivery, error);
            }
          }
          if (overflow.length > 0) digestGroups.push({ key, deliveries: overflow });
        }),
      );
      const inDigest = new Set(
        digestGroups.flatMap((group) => group.deliveries.map((delivery) => delivery.id)),
      );

      // 2–3. One at a time: Slack allows about one message per second per channel.
      for (const delivery of deliveries) {
        if (outcomes.has(delivery.id) || inDigest.has(delivery.id)) continue;
        if (stop) {
          fail(delivery, stop);
          continue;
        }
        try {
          outcomes.set(
            delivery.id,
            await sendOrderMessage(senderOfShop(delivery.notification.shop), delivery.notification),
          );
        } catch (error) {
          fail(delivery, error);
        }
      }

      // 4. Digests.
      for (const group of digestGroups) {
        try {
          if (stop) throw stop;
          await postDigest(
            { sender: senderOfShop(group.key.shop), store, now, newId },
            digestOptions,
            group.key,
            group.deliveries.map((delivery) => delivery.notification),
          );
          for (const delivery of group.deliveries) {
            outcomes.set(delivery.id, { ok: true, sent: true, route: 'digest' });
          }
        } catch (error) {
          for (const delivery of group.deliveries) fail(delivery, error);
        }
      }

      let sent = 0;
      let failed = 0;
      for (const [id, outcome] of outcomes) {
        if (outcome.ok) {
          if (outcome.sent) sent += 1;
        } else if (outcome.error instanceof DigestPendingError) {
          deps.telemetry.info('Digest is being posted by another invocation; the record will be retried', {
            id,
          });
        } else {
          failed += 1;
          deps.telemetry.warn('Notification not sent; the record will be retried', {
            id,
            error: outcome.error.message,
            ...(outcome.error instanceof SlackUnavailableError
              ? { reason: outcome.error.reason, retryAfter: outcome.error.retryAfter }
              : {}),
          });
        }
      }
      if (sent > 0) deps.telemetry.count(MetricName.NotificationsSent, sent);
      if (failed > 0) deps.telemetry.count(MetricName.NotificationsFailed, failed);
      return outcomes;
    },

    /** Posts CloudWatch alarm state changes (from SNS), one message each; throws so the invocation is retried. */
    async sendAlarms(alarms: readonly CloudWatchAlarm[]): Promise<void> {
      for (const alarm of alarms) {
        try {
          await sender.post({ kind: 'alarm', alarm });
          deps.telemetry.count(MetricName.NotificationsSent);
        } catch (error) {
          deps.telemetry.count(MetricName.NotificationsFailed);
          throw error;
        }
      }
    },
  };
};

export type SendNotifications = ReturnType<typeof createSendNotifications>;
