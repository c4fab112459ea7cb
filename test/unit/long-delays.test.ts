import { describe, expect, it } from 'vitest';
import { delaySecondsFor } from '../../shared/adapters/sqs/check-queue.js';
import type { CheckMessage, OrderRecord } from '../../shared/domain/order-sync.js';
import type { HotwaxPort } from '../../shared/domain/ports.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { type CheckOrdersDeps, checkOrders } from '../../shared/use-cases/check-orders.js';

const now = Date.parse('2026-11-29T10:00:00Z');

describe('checks due beyond the 15-minute SQS delay limit', () => {
  it('caps the SQS delay at 900 s and never goes negative', () => {
    expect(delaySecondsFor(now + 3_600_000, now)).toBe(900);
    expect(delaySecondsFor(now + 61_500, now)).toBe(62);
    expect(delaySecondsFor(now - 5_000, now)).toBe(0);
  });

  it('re-queues a check that arrives before its due time instead of running it early', async () => {
    const dueAt = now + 40 * 60_000;
    const record = {
      shop: 's',
      orderId: '1',
      state: 'pending_check',
      nextCheckAt: dueAt,
      version: 1,
    } as OrderRecord;
    const scheduled: CheckMessage[][] = [];
    const lookups: string[][] = [];
    const deps = {
      store: {
        getMany: async () => new Map([['s#1', record]]),
        save: async () => ({ result: 'saved' as const, record }),
        claimJobRun: async () => ({ claimed: true as const }),
        releaseJobRun: async () => {},
      },
      hotwax: {
        findOrdersByShopifyIds: async (ids: readonly string[]) => {
          lookups.push([...ids]);
          return new Map();
        },
      } as unknown as HotwaxPort,
      shopify: { getOrder: async () => null, orderUrl: () => '' },
      queue: {
        schedule: async (messages: readonly CheckMessage[]) => {
          scheduled.push([...messages]);
        },
      },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: {} as CheckOrdersDeps['settings'],
    } satisfies CheckOrdersDeps;

    const message: CheckMessage = { v: 1, shop: 's', orderId: '1', reason: 'created', dueAt };
    const [result] = await checkOrders(deps, [message]);
    expect(result?.outcome).toBe('requeued');
    expect(scheduled).toEqual([[message]]);
    expect(lookups).toEqual([]);
  });
});
