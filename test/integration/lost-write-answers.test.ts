import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHotwaxRepairJournal } from '../../shared/adapters/dynamo/hotwax-repair-journal.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { createSlackThreadStore } from '../../shared/adapters/dynamo/slack-thread-store.js';
import { createSweepCheckpointStore } from '../../shared/adapters/dynamo/sweep-checkpoint-store.js';
import type { OrderRepository } from '../../shared/domain/ports.js';
import { nextOrderId } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { createdByWebhook, webOrderFacts } from '../support/order-fixtures.js';

/**
 * A write DynamoDB made whose answer never came back (a timeout, a dropped connection): the SDK retries it, and the
 * retry fails the write's own condition. Each conditional write must know its own write from another writer's, or a
 * webhook is answered as a duplicate, a sweep skips its run, a repair is not started (the CI run of ea8823d failed a
 * sweep test this way).
 */
const shop = 'lost-answers.myshopify.com';
let aws: TestAws;
let store: OrderRepository;
/** How many answers of these commands to lose next: DynamoDB makes the write, the caller sees a timeout. */
const losing = { count: 0, commands: new Set<string>(), lost: 0 };

beforeAll(async () => {
  aws = await createTestAws();
  aws.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (losing.count > 0 && losing.commands.has(String(context.commandName))) {
        losing.count -= 1;
        losing.lost += 1;
        throw Object.assign(new Error('the answer was lost on its way back'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseWriteAnswers' },
  );
  store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
});
afterAll(() => aws.destroy());

const loseNext = (...commands: string[]) => {
  losing.count = 1;
  losing.lost = 0;
  losing.commands = new Set(commands);
};

const rawRecord = async (orderId: string) =>
  (
    await aws.doc.send(
      new GetCommand({ TableName: aws.tableName, Key: { pk: `ORDER#${orderId}`, sk: `SHOP#${shop}` } }),
    )
  ).Item;

describe('a conditional write whose answer is lost, then retried by the SDK', () => {
  it('records a webhook delivery once and says saved, not duplicate', async () => {
    const orderId = String(nextOrderId());
    const now = Date.now();
    const { record, event } = createdByWebhook(webOrderFacts(now, { shop, orderId }), now, 600_000);
    loseNext('PutItemCommand');

    const saved = await store.save(record, {
      expectedVersion: undefined,
      events: [event],
      dedupeKey: 'd-1',
      now,
    });

    expect(losing.lost).toBe(1);
    expect(saved.result).toBe('saved');
    const item = await rawRecord(orderId);
    expect(item?.version).toBe(1);
    expect([...((item?.deliveries as Set<string> | undefined) ?? [])]).toEqual(['d-1']);
    expect(item?.inlineEvents).toHaveLength(1);
    // The same delivery again is the duplicate it is.
    const again = await store.save(record, {
      expectedVersion: undefined,
      events: [event],
      dedupeKey: 'd-1',
      now,
    });
    expect(again.result).toBe('duplicate');
  });

  it('says saved for an update of the version read, which it made once', async () => {
    const orderId = String(nextOrderId());
    const now = Date.now();
    const { record, event } = createdByWebhook(webOrderFacts(now, { shop, orderId }), now, 600_000);
    const first = await store.save(record, { expectedVersion: undefined, events: [event], now });
    loseNext('UpdateItemCommand');

    const checked = { ...first.record, state: 'in_sync' as const, stateSince: now + 1, inSyncAt: now + 1 };
    const note = { at: now + 1, type: 'check.in_sync', message: 'In HotWax.' };
    const saved = await store.save(checked, { expectedVersion: first.record.version, events: [note], now });

    expect(losing.lost).toBe(1);
    expect(saved).toMatchObject({ result: 'saved', record: { version: 2, state: 'in_sync' } });
    const { records, timeline } = await store.getWithTimeline(orderId);
    expect(records[0]).toMatchObject({ version: 2, state: 'in_sync' });
    expect(records[0]).not.toHaveProperty('writeId');
    expect(timeline.map((entry) => entry.type)).toEqual([event.type, 'check.in_sync']);
    // Another writer holding the old version still loses the race.
    const stale = await store.save(checked, { expectedVersion: first.record.version, events: [], now });
    expect(stale.result).toBe('conflict');
  });

  it("claims a New Orders run once, and another check's claim in the cooldown is refused", async () => {
    const now = Date.now();
    loseNext('UpdateItemCommand');

    expect(await store.claimJobRun(shop, 'NEW_ORDERS', now, 120_000)).toEqual({ claimed: true });
    expect(losing.lost).toBe(1);
    expect(await store.claimJobRun(shop, 'NEW_ORDERS', now, 120_000)).toEqual({
      claimed: false,
      lastRunAt: now,
    });
  });

  it("takes the sweep's lease it took and gives it back, and another run is refused", async () => {
    const checkpoints = createSweepCheckpointStore({ client: aws.doc, tableName: aws.tableName });
    const now = Date.now();
    loseNext('UpdateItemCommand');

    const claim = await checkpoints.claim({ shop, owner: 'run-1', now, leaseUntil: now + 60_000 });

    expect(losing.lost).toBe(1);
    expect(claim).toMatchObject({ claimed: true });
    expect(await checkpoints.claim({ shop, owner: 'run-2', now, leaseUntil: now + 60_000 })).toEqual({
      claimed: false,
      heldUntil: now + 60_000,
    });

    // Giving it back: the first attempt released it, and the retry knows that it did.
    loseNext('UpdateItemCommand');
    expect(await checkpoints.release({ shop, owner: 'run-1', update: { lastRunAt: now } })).toBe(true);
    expect(losing.lost).toBe(1);
    expect(await checkpoints.get(shop)).toMatchObject({ lastRunAt: now });
    // A run whose lease is gone is still told so.
    expect(await checkpoints.release({ shop, owner: 'run-2' })).toBe(false);
    expect(await checkpoints.claim({ shop, owner: 'run-3', now, leaseUntil: now + 60_000 })).toMatchObject({
      claimed: true,
    });
  });

  it("holds the Maarg repair journal's lock it took, and another owner is refused", async () => {
    const journal = createHotwaxRepairJournal({ client: aws.doc, tableName: aws.tableName });
    loseNext('PutItemCommand');

    expect(await journal.claim({ shop, owner: 'check-1', claimedAt: 1 })).toBe(true);
    expect(losing.lost).toBe(1);
    expect(await journal.claim({ shop, owner: 'check-2', claimedAt: 2 })).toBe(false);
    expect((await journal.get(shop))?.owner).toBe('check-1');
  });

  it("moves the Slack digest's posted count once, so the digest's update is still posted", async () => {
    const threads = createSlackThreadStore({ client: aws.doc, tableName: aws.tableName });
    const window = { shop, windowStart: Date.UTC(2026, 11, 1, 8) };
    const now = Date.now();
    expect(await threads.claimDigestPost(window, 'poster', now, 60_000)).toBe(true);
    await threads.markDigestPosted(window, { claimId: 'poster', count: 3 });
    loseNext('UpdateItemCommand');

    expect(await threads.advanceDigestCount(window, 3, 6)).toBe(true);
    expect(losing.lost).toBe(1);
    expect((await threads.readDigest(window)).postedCount).toBe(6);
    // A second updater that read the old count is refused.
    expect(await threads.advanceDigestCount(window, 3, 7)).toBe(false);
  });
});
