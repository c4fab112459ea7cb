import { createHash } from 'node:crypto';
import { applyOrderSeen } from '../../domain/apply-order-seen.js';
import { MetricName } from '../../domain/metric-names.js';
import type { CheckMessage, OrderRecord } from '../../domain/order-sync.js';
import {
  type CheckQueue,
  type Clock,
  type OrderRepository,
  type QuarantineStore,
  type Telemetry,
  UnstorableRecordError,
  unknownShopReason,
  type WebhookVerifier,
} from '../../domain/ports.js';
import {
  parseOrderPayload,
  toOrderFacts,
  UnparseablePayloadError,
} from '../../domain/shopify-order-payload.js';
import { inGroup } from '../../domain/states.js';
import { dedupeKey, normaliseTopic, recordedTopics } from '../../domain/webhook-topics.js';

export interface IngestWebhookDeps {
  verify: WebhookVerifier;
  store: Pick<OrderRepository, 'get' | 'save' | 'abandonDelivery'>;
  queue: CheckQueue;
  quarantine: QuarantineStore;
  telemetry: Telemetry;
  clock: Clock;
  config: {
    /** the one shop of a single-shop deployment; deliveries for another are refused (403) */
    expectedShop?: string | undefined;
    checkDelaySeconds: number;
    fulfilledCheckDelaySeconds: number;
    /**
     * Several shops (SHOPS_FILE): the shops served, each with its own check delays; a delivery for any other shop is
     * refused (403) and stored nowhere.
     */
    shops?: Readonly<Record<string, { checkDelaySeconds: number; fulfilledCheckDelaySeconds: number }>>;
  };
  /** waits between conflicting writes (tests pass a fake) */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface WebhookRequest {
  /** header names in lower case */
  headers: Record<string, string>;
  rawBody: Buffer;
}

export type IngestStatus =
  | 'recorded'
  | 'duplicate'
  | 'ignored'
  | 'quarantined'
  | 'unauthorized'
  | 'forbidden';
export interface IngestResult {
  statusCode: 200 | 401 | 403;
  status: IngestStatus;
  message?: string;
}

export class WebhookNotRecordedError extends Error {
  override name = 'WebhookNotRecordedError';
}

/**
 * Shopify waits 5 s for the answer. Deliveries of one order that arrive together conflict on its record; they are
 * retried with jittered, growing waits for up to this long, so the last of a burst still gets a 200 (#11 §9). The
 * rest of the 5 s is for queueing the check and the way back; a delivery that still misses them is retried by
 * Shopify and recognised as the duplicate it then is.
 */
export const saveBudgetMs = 4_000;
const maxSaveAttempts = 40;
const firstBackoffMs = 15;
const maxBackoffMs = 400;
/** "Full jitter": concurrent deliveries spread out instead of colliding again in lockstep. */
const backoffMs = (attempt: number, random: () => number) =>
  random() * Math.min(maxBackoffMs, firstBackoffMs * 2 ** attempt);

/** Event ids are short; a longer header is kept by its hash so it never becomes an oversized table key. */
const maxDeliveryIdLength = 128;
const shopDomain = /^[a-z0-9][a-z0-9-]{0,200}\.myshopify\.com$/;
const hashed = (value: string) => `sha256-${createHash('sha256').update(value).digest('hex')}`;
const boundedId = (value: string | undefined) =>
  value && value.length > maxDeliveryIdLength ? hashed(value) : value;

/**
 * The check an already recorded delivery promised. Its message may have been lost (the process died between the
 * record and the send), so a redelivery queues it again with the same due time; if the first one exists too, the
 * checker runs the order's check once and drops the other as stale (#11 §2).
 */
const owedCheck = (record: OrderRecord | undefined): CheckMessage | undefined =>
  record && record.nextCheckAt !== undefined && inGroup(record.state, 'checkOwed')
    ? {
        v: 1,
        shop: record.shop,
        orderId: record.orderId,
        reason: record.expectation === 'fulfilled' ? 'fulfilled' : 'created',
        dueAt: record.nextCheckAt,
      }
    : undefined;

/** A delivery for a shop this monitor does not serve: 403, counted and logged, stored nowhere. */
const refuseShop = (
  deps: Pick<IngestWebhookDeps, 'telemetry'>,
  message: string,
  attributes: Record<string, unknown>,
): IngestResult => {
  deps.telemetry.count(MetricName.WebhooksRejected);
  deps.telemetry.warn(message, attributes);
  return { statusCode: 403, status: 'forbidden', message: 'this monitor does not serve that shop' };
};

/**
 * Records one Shopify webhook delivery and schedules its check.
 *
 * 1. Verify the HMAC on the exact raw body bytes with the secret of the shop X-Shopify-Shop-Domain names; a forgery
 *    (or a body signed with another shop's secret) is refused (401) and nothing is stored. A shop the deployment does
 *    not serve has no secret to verify with: refused (403), stored nowhere.
 * 2. Refuse a delivery for a shop the monitor does not serve (403).
 * 3. Keep topics other than orders/create and orders/fulfilled out (200, logged).
 * 4. An authentic payload that does not parse (not UTF-8, not JSON, not an order) is quarantined raw and answered
 *    200, so Shopify does not retry it into deleting the subscription: nothing is dropped.
 *    A payload too large to store (a 500 KB name) is authentic and unstorable: quarantined too.
 * 5. Upsert the order's record with the delivery's dedupe key and timeline event inside it, in one conditional
 *    write; an orders/create writes without reading first (a record that exists fails the condition and comes back
 *    with it); concurrent deliveries of one order are retried with jittered backoff within Shopify's patience. A
 *    redelivery is answered 200 and queues again the check its record still owes, in case the first send was lost.
 * 6. Queue the check after the delay. If that fails the delivery is forgotten again, its check marked lost, and it
 *    is answered 5xx so Shopify retries; the overdue `nextCheckAt` lets the sweep recover it if no retry comes.
 */
export const ingestWebhook = async (
  deps: IngestWebhookDeps,
  request: WebhookRequest,
): Promise<IngestResult> => {
  const { headers, rawBody } = request;
  // The HMAC covers the bytes as sent: decoding first would turn invalid UTF-8 into a forgery (401) instead of an
  // authentic payload to quarantine.
  const verification = await deps.verify(rawBody, headers);
  if (!verification.authentic && verification.reason === unknownShopReason) {
    return refuseShop(deps, 'Webhook refused: delivery for a shop this monitor does not serve', {
      shop: headers['x-shopify-shop-domain']?.trim().toLowerCase().slice(0, 255),
    });
  }
  if (!verification.authentic) {
    deps.telemetry.count(MetricName.WebhooksRejected);
    deps.telemetry.warn('Webhook refused: signature not valid', { reason: verification.reason });
    return { statusCode: 401, status: 'unauthorized', message: 'invalid webhook signature' };
  }

  const shop = headers['x-shopify-shop-domain']?.trim().toLowerCase() ?? '';
  const rawTopic = headers['x-shopify-topic'] ?? '';
  const topic = normaliseTopic(rawTopic);
  const served = deps.config.shops;
  const refused = served
    ? shop !== '' && !Object.hasOwn(served, shop)
    : Boolean(deps.config.expectedShop && shop && shop !== deps.config.expectedShop);
  if (refused) {
    return refuseShop(deps, 'Webhook refused: delivery for another shop', { shop, topic });
  }

  const now = deps.clock.now();
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  const ids = {
    eventId: boundedId(headers['x-shopify-event-id']),
    webhookId: boundedId(headers['x-shopify-webhook-id']),
  };
  const deliveryId = ids.eventId || ids.webhookId || `sha256-${bodyHash}`;

  const quarantine = async (reason: string): Promise<IngestResult> => {
    const key = await deps.quarantine.put({
      shop,
      topic: rawTopic,
      deliveryId,
      reason,
      receivedAt: now,
      body: rawBody,
    });
    deps.telemetry.count(MetricName.WebhooksQuarantined);
    deps.telemetry.error('Authentic webhook quarantined: payload kept raw for a person to look at', {
      shop,
      topic: rawTopic,
      reason,
      key,
    });
    return { statusCode: 200, status: 'quarantined', message: reason };
  };

  if (!shop || !rawTopic) return quarantine(`missing headers: ${verification.missingHeaders.join(', ')}`);
  if (!shopDomain.test(shop)) return quarantine('X-Shopify-Shop-Domain is not a myshopify.com domain');

  const expectation = recordedTopics[topic];
  if (!expectation) {
    deps.telemetry.info('Webhook topic not monitored; ignored', { shop, topic });
    return { statusCode: 200, status: 'ignored', message: `topic ${topic} is not monitored` };
  }

  let facts: ReturnType<typeof toOrderFacts>;
  try {
    facts = toOrderFacts(shop, parseOrderPayload(rawBody));
  } catch (error) {
    if (error instanceof UnparseablePayloadError) return quarantine(error.message);
    throw error;
  }
  deps.telemetry.count(MetricName.WebhooksReceived, 1, { shop, channel: facts.channel });

  const dedupe = dedupeKey(shop, ids) ?? `${shop}#sha256-${bodyHash}`;
  const delays = served?.[shop] ?? deps.config;
  const checkDelaySeconds =
    expectation === 'fulfilled' ? delays.fulfilledCheckDelaySeconds : delays.checkDelaySeconds;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const key = { shop, orderId: facts.orderId };
  // Shopify's patience is wall time, whatever the injected clock says.
  const started = performance.now();
  const withinBudget = (attempt: number) =>
    attempt === 0 || (attempt < maxSaveAttempts && performance.now() - started < saveBudgetMs);
  // An orders/create almost always finds no record: the first write assumes none instead of reading, and a record
  // that does exist comes back from the failed condition, current, for the next attempt (one round trip saved).
  let known: { record: OrderRecord | undefined } | undefined =
    expectation === 'created' ? { record: undefined } : undefined;
  const guessed = known !== undefined;
  for (let attempt = 0; withinBudget(attempt); attempt++) {
    // A wrong guess is no contention: its retry goes at once, with the record the condition returned.
    if (attempt > 0 && !(attempt === 1 && guessed && known)) await sleep(backoffMs(attempt, random));
    const current = known ? known.record : await deps.store.get(key);
    known = undefined;
    const outcome = applyOrderSeen(current, {
      facts,
      expectation,
      via: topic as 'orders/create' | 'orders/fulfilled',
      at: now,
      checkDelayMs: checkDelaySeconds * 1000,
    });
    let saved: Awaited<ReturnType<typeof deps.store.save>>;
    try {
      saved = await deps.store.save(outcome.record, {
        expectedVersion: current?.version,
        events: [outcome.event],
        dedupeKey: dedupe,
        now,
      });
    } catch (error) {
      if (error instanceof UnstorableRecordError) return quarantine('the order cannot be stored: too large');
      throw error;
    }
    if (saved.result === 'duplicate') {
      deps.telemetry.count(MetricName.WebhooksDuplicate);
      deps.telemetry.info('Duplicate webhook delivery; already recorded', {
        shop,
        topic,
        orderId: facts.orderId,
      });
      // The failed condition handed back the record as it is: no second read.
      const owed = owedCheck(saved.current ?? (await deps.store.get(key)));
      if (owed) {
        await deps.queue.schedule([owed], now).catch((error: unknown) => {
          throw new WebhookNotRecordedError(`check for order ${facts.orderId} could not be queued`, {
            cause: error,
          });
        });
      }
      return { statusCode: 200, status: 'duplicate' };
    }
    if (saved.result === 'conflict') {
      if (saved.current) known = { record: saved.current };
      continue;
    }

    if (outcome.check) {
      try {
        await deps.queue.schedule([outcome.check], now);
      } catch (error) {
        await deps.store.abandonDelivery(saved.record, dedupe).catch((releaseError: unknown) =>
          deps.telemetry.error('Could not mark the check as lost; the sweep recovers it once overdue', {
            orderId: facts.orderId,
            error: String(releaseError),
          }),
        );
        throw new WebhookNotRecordedError(`check for order ${facts.orderId} could not be queued`, {
          cause: error,
        });
      }
    }
    deps.telemetry.info('Webhook recorded', {
      shop,
      topic,
      orderId: facts.orderId,
      state: saved.record.state,
      checkDueAt: outcome.check?.dueAt,
      ...(attempt > 0 ? { attempts: attempt + 1 } : {}),
    });
    return { statusCode: 200, status: 'recorded' };
  }
  throw new WebhookNotRecordedError(`order ${facts.orderId} kept changing under concurrent deliveries`);
};
