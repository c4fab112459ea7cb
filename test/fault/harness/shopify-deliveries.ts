import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookHeaders } from '../../../sim/shopify/sign-webhook.js';

/**
 * Webhook deliveries as Shopify makes them: signed, answered within 5 s or counted failed, and retried on anything
 * but a 2xx (Shopify retries 8 times over 4 hours; here the waits are compressed).
 */
export interface DeliveryOutcome {
  orderId: string;
  topic: string;
  /** the status of the first attempt (0: no answer: connection refused, reset or timed out) */
  first: number;
  /** every attempt's status, in order */
  statuses: number[];
  /** a 2xx came back at last: Shopify considers the delivery done */
  acknowledged: boolean;
}

export interface Delivery {
  url: string;
  topic: string;
  shop: string;
  secret: string;
  body: string;
  orderId: string;
  /** the same event id on every copy and retry: what makes them redeliveries of one event */
  eventId?: string;
}

/** Kept-alive connections, as Shopify's delivery service keeps them to a busy endpoint. */
const agent = new Agent({ keepAlive: true });
/** How long Shopify waits for an answer before it counts the attempt failed. */
const answerWithinMs = 5_000;

/**
 * One attempt: the status, or 0 when no answer came (refused, reset, or none within 5 s). node:http rather than
 * fetch: the load generator shares the machine with what it measures, and fetch costs it about twice the CPU.
 */
const post = (url: string, headers: Record<string, string>, body: string): Promise<number> =>
  new Promise((resolve) => {
    const bytes = Buffer.from(body);
    const req = request(url, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': String(bytes.length) },
    });
    const deadline = setTimeout(() => req.destroy(), answerWithinMs);
    const settle = (status: number) => {
      clearTimeout(deadline);
      resolve(status);
    };
    req.on('response', (response) => {
      response.on('error', () => settle(0));
      response.on('end', () => settle(response.statusCode ?? 0));
      response.resume();
    });
    req.on('error', () => settle(0));
    req.end(bytes);
  });

export const deliverLikeShopify = async (
  delivery: Delivery,
  options: { attempts?: number; firstWaitMs?: number; maxWaitMs?: number } = {},
): Promise<DeliveryOutcome> => {
  const attempts = options.attempts ?? 8;
  const eventId = delivery.eventId ?? randomUUID();
  const webhookId = randomUUID();
  const statuses: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      const wait = Math.min(options.maxWaitMs ?? 8_000, (options.firstWaitMs ?? 500) * 2 ** (attempt - 1));
      await sleep(wait * (0.5 + Math.random() / 2));
    }
    const status = await post(
      delivery.url,
      webhookHeaders({ ...delivery, eventId, webhookId }),
      delivery.body,
    );
    statuses.push(status);
    if (status >= 200 && status < 300) break;
  }
  const last = statuses.at(-1) ?? 0;
  return {
    orderId: delivery.orderId,
    topic: delivery.topic,
    first: statuses[0] ?? 0,
    statuses,
    acknowledged: last >= 200 && last < 300,
  };
};

/** Runs `tasks` with at most `limit` in flight. */
export const inParallel = async <T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> => {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await (tasks[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
};
