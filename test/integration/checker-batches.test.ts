import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueuePoller } from '../../local/queue-poller.js';
import { checkerBatching, checkerSchema, parseConfig } from '../../shared/config/config.js';
import type { CheckMessage } from '../../shared/domain/order-sync.js';
import { checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import { createCheckerDeps } from '../../shared/wiring/checker.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { backends, monitorEnv, reimportRunCalls } from '../support/backends.js';
import { createdByWebhook, webOrderFacts } from '../support/order-fixtures.js';

describe('checks arrive in batches of up to 100', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await createTestAws();
  });

  it('the local poller hands 100 queued checks to the checker as ONE batch, as the Lambda event source does', async () => {
    const queue = await aws.createQueue('batches');
    for (let start = 0; start < 100; start += 10) {
      await aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 10 }, (_, index) => ({
            Id: String(index),
            MessageBody: String(start + index),
          })),
        }),
      );
    }
    const batches: number[] = [];
    const handled = new Set<string>();
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    const poller = startQueuePoller({
      client: aws.sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: 'checker',
      batchSize: checkerBatching.batchSize,
      maxBatchingWindowSeconds: checkerBatching.maxBatchingWindowSeconds,
      handler: async (event: SQSEvent) => {
        batches.push(event.Records.length);
        for (const record of event.Records) handled.add(record.body);
        if (handled.size >= 100) resolveAll();
        return { batchItemFailures: [] };
      },
    });
    await all;
    await poller.stop();
    expect(batches).toEqual([100]);
    expect(checkerBatching.batchSize).toBe(100);
  });

  describe.each(backends)('on a HotWax %s tenant', (backend) => {
    let hotwax: HotwaxSim;
    let shopify: ShopifySim;
    let deps: ReturnType<typeof createCheckerDeps>;
    let now = Date.now();
    // One shop per backend: each has its own re-import claim in the table.
    const shop = `batches-${backend}.myshopify.com`;

    beforeAll(async () => {
      hotwax = await startHotwaxSim({ backend });
      shopify = await startShopifySim({ shop });
      const checkQueue = await aws.createQueue(`checks-${backend}`);
      const notifyQueue = await aws.createQueue(`notify-${backend}`);
      const config = parseConfig(checkerSchema, {
        ...aws.env,
        ...monitorEnv(hotwax),
        TABLE_NAME: aws.tableName,
        CHECK_QUEUE_URL: checkQueue.url,
        NOTIFY_QUEUE_URL: notifyQueue.url,
        SHOPIFY_SHOP: shop,
        SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
        SHOPIFY_API_VERSION: shopify.apiVersion,
        SHOPIFY_ADMIN_URL: shopify.url,
      });
      deps = createCheckerDeps(config, { credentials: aws.credentials, clock: { now: () => now } });
    });
    afterAll(async () => {
      await hotwax?.stop();
      await shopify?.stop();
    });

    /** 100 orders as the webhook leaves them, their checks due now; `missing` ones HotWax has not imported. */
    const seed = async (missing: (index: number) => boolean, ageMs = 700_000, count = 100) => {
      const messages: CheckMessage[] = [];
      for (let index = 0; index < count; index++) {
        const id = String(nextOrderId());
        const payload = buildOrderPayload({
          id: Number(id),
          createdAt: new Date(now - 700_000).toISOString(),
        });
        await shopify.addOrder(payload);
        if (missing(index)) hotwax.queueShopifyOrder({ shopifyOrderId: id });
        else hotwax.addOrder({ externalId: id, statusId: 'ORDER_APPROVED' });
        const { record, check } = createdByWebhook(
          webOrderFacts(now - ageMs, { shop, orderId: id, orderName: String(payload.name) }),
          now - 600_000,
          600_000,
        );
        await deps.store.save(record, { expectedVersion: undefined, events: [], now });
        if (check) messages.push(check);
      }
      return messages;
    };
    const lookups = () => hotwax.callCount(backend === 'ofbiz' ? 'performFind' : 'oms/orders');

    it('looks a batch of 100 healthy orders up in HotWax with ONE call', async () => {
      const messages = await seed(() => false);
      hotwax.clearCalls();
      const results = await checkOrders(deps, messages);
      expect(results.every((result) => result.outcome === 'checked')).toBe(true);
      expect(lookups()).toBe(1);
    });

    it('a batch of 100 with 10 missing costs one lookup, one failed-record search and one re-import run', async () => {
      // Older than anything the shop's import lag (learned by the batch above) lets an order wait for.
      const messages = await seed((index) => index % 10 === 0, 3 * 3_600_000);
      hotwax.clearCalls();
      const results = await checkOrders(deps, messages);
      expect(results.filter((result) => result.decision?.action?.kind === 'reimport')).toHaveLength(10);
      expect(reimportRunCalls(hotwax)).toBe(1);
      const listings =
        backend === 'ofbiz'
          ? hotwax.callCount('performFind', (call) => {
              const body = call.body as { entityName?: string } | undefined;
              return (call.query.entityName?.[0] ?? body?.entityName) === 'DataManagerLogAndContent';
            })
          : hotwax.callCount('admin/dataManager/details');
      expect(listings).toBe(1);
    });

    it("learns the shop's import lag from in-sync checks: a young absent order waits for it instead of a re-import", async () => {
      // The 100 healthy orders above reached HotWax some 700 s after their creation (HotWax's entry date).
      const sketch = await deps.importLags?.get(shop);
      expect(sketch?.total).toBeGreaterThanOrEqual(100);
      const [message] = await seed(() => true, 700_000, 1);
      hotwax.clearCalls();
      const shopifyBefore = shopify.callCount();
      const [result] = await checkOrders(deps, [message as CheckMessage]);

      expect(result?.decision?.situation).toBe('awaiting_import');
      expect(result?.decision?.action).toBeUndefined();
      expect(reimportRunCalls(hotwax)).toBe(0);
      expect(shopify.callCount()).toBe(shopifyBefore);
      // Waits the learned lag plus the margin, never less than CHECK_DELAY_SECONDS after creation.
      const [record] = await deps.store.getMany([message as CheckMessage]);
      const waitMs = (record?.nextCheckAt ?? 0) - (record?.createdAt ?? 0);
      expect(waitMs).toBeGreaterThanOrEqual(700_000 + 60_000);
      expect(waitMs).toBeLessThanOrEqual(3_600_000);

      // Still absent once the wait is over: now it is missing, and re-imported.
      const dueAt = record?.nextCheckAt ?? 0;
      now = dueAt;
      const [again] = await checkOrders(deps, [
        { v: 1, shop, orderId: record?.orderId ?? '', reason: 'recheck', dueAt },
      ]);
      expect(again?.decision?.situation).toBe('missed_by_import');
      expect(again?.decision?.action?.kind).toBe('reimport');
    });
  });

  it('adds the lags of concurrent batches without losing any (atomic counters)', async () => {
    const { createImportLagStore } = await import('../../shared/adapters/dynamo/import-lag-store.js');
    const store = createImportLagStore({ client: aws.doc, tableName: aws.tableName, maxSamples: 5000 });
    await Promise.all(
      Array.from({ length: 8 }, (_, batch) =>
        store.add(
          'lags.myshopify.com',
          Array.from({ length: 25 }, (_, index) => (batch + index) * 1_000),
        ),
      ),
    );
    expect((await store.get('lags.myshopify.com'))?.total).toBe(200);
    const counts = Object.values((await store.get('lags.myshopify.com'))?.counts ?? {});
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(200);
  });
});
