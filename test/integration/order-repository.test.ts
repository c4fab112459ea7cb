import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import type { OrderRecord, TimelineEvent } from '../../shared/domain/order-sync.js';
import type { OrderRepository } from '../../shared/domain/ports.js';
import { nextOrderId } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { createdByWebhook, webOrderFacts } from '../support/order-fixtures.js';

const shop = 'repo-test.myshopify.com';
let aws: TestAws;
let store: OrderRepository;

beforeAll(async () => {
  aws = await createTestAws();
  store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
});
afterAll(() => aws.destroy());

/** A record as its orders/create delivery writes it (one conditional write with the dedupe key). */
const delivered = async (orderId: string, dedupeKey: string) => {
  const now = Date.now();
  const { record, event } = createdByWebhook(webOrderFacts(now, { shop, orderId }), now, 600_000);
  const saved = await store.save(record, { expectedVersion: undefined, events: [event], dedupeKey, now });
  expect(saved.result).toBe('saved');
  return saved.record;
};

const note = (at: number, index: number): TimelineEvent => ({
  at,
  type: `check.note-${index}`,
  message: `note ${index}`,
});

const rawItems = async (orderId: string) => {
  const { Items = [] } = await aws.doc.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` },
    }),
  );
  return Items;
};

describe('order records and their timeline', () => {
  it('keeps every event of a long story in order: the first ones inside the record, the rest beside it', async () => {
    const orderId = String(nextOrderId());
    let record: OrderRecord = await delivered(orderId, `${shop}#evt-${orderId}`);
    const base = Date.now() + 10;
    for (let index = 0; index < 12; index++) {
      const saved = await store.save(
        { ...record, rechecks: index + 1 },
        { expectedVersion: record.version, events: [note(base + index, index)], now: base + index },
      );
      expect(saved.result).toBe('saved');
      record = saved.record;
    }
    const { records, timeline } = await store.getWithTimeline(orderId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ rechecks: 12, version: 13 });
    // The record the domain sees carries none of the storage's own attributes.
    expect(records[0]).not.toHaveProperty('deliveries');
    expect(records[0]).not.toHaveProperty('inlineEvents');
    expect(timeline.map((event) => event.type)).toEqual([
      'webhook.orders/create',
      ...Array.from({ length: 12 }, (_, index) => `check.note-${index}`),
    ]);
    expect(timeline.every((event) => event.shop === shop)).toBe(true);

    const items = await rawItems(orderId);
    const recordItem = items.find((item) => item.kind === 'order');
    expect(recordItem?.inlineEvents).toHaveLength(8);
    expect(items.filter((item) => item.kind === 'event')).toHaveLength(5);
  });

  it('writes a batch of events too many for the record beside it, in one transaction with the record', async () => {
    const orderId = String(nextOrderId());
    const record = await delivered(orderId, `${shop}#evt-${orderId}`);
    const at = Date.now() + 10;
    const events = Array.from({ length: 9 }, (_, index) => note(at + index, index));
    const saved = await store.save(
      { ...record, state: 'in_sync' },
      { expectedVersion: record.version, events, now: at },
    );
    expect(saved.result).toBe('saved');
    const { timeline } = await store.getWithTimeline(orderId);
    expect(timeline).toHaveLength(10);
    const items = await rawItems(orderId);
    expect(items.filter((item) => item.kind === 'event')).toHaveLength(9);
  });

  it('lets one of two writers of the same version win; the other gets the record as it now is', async () => {
    const orderId = String(nextOrderId());
    const record = await delivered(orderId, `${shop}#evt-${orderId}`);
    const at = Date.now() + 10;
    const [first, second] = await Promise.all(
      [1, 2].map((writer) =>
        store.save(
          { ...record, rechecks: writer },
          { expectedVersion: record.version, events: [note(at, writer)], now: at },
        ),
      ),
    );
    const results = [first?.result, second?.result].sort();
    expect(results).toEqual(['conflict', 'saved']);
    const winner = first?.result === 'saved' ? first : second;
    const loser = first?.result === 'saved' ? second : first;
    expect(loser?.current).toMatchObject({ version: record.version + 1, rechecks: winner?.record.rechecks });
    expect((await store.getWithTimeline(orderId)).timeline).toHaveLength(2);
  });

  it('removes a field the writer dropped and keeps what the deliveries recorded', async () => {
    const orderId = String(nextOrderId());
    const dedupeKey = `${shop}#evt-${orderId}`;
    const record = await delivered(orderId, dedupeKey);
    expect(record.nextCheckAt).toBeDefined();
    const { nextCheckAt: _due, ...unscheduled } = record;
    const at = Date.now() + 10;
    const saved = await store.save(unscheduled as OrderRecord, {
      expectedVersion: record.version,
      events: [],
      now: at,
    });
    expect(saved.result).toBe('saved');
    const { Item } = await aws.doc.send(
      new GetCommand({ TableName: aws.tableName, Key: { pk: `ORDER#${orderId}`, sk: `SHOP#${shop}` } }),
    );
    // Out of the overdue index (no nextCheckAt, no checkShop), and the delivery is still known.
    expect(Item).not.toHaveProperty('nextCheckAt');
    expect(Item).not.toHaveProperty('checkShop');
    expect(Item?.deliveries).toEqual(new Set([dedupeKey]));
    const again = await store.save(saved.record, {
      expectedVersion: saved.record.version,
      events: [note(at, 1)],
      dedupeKey,
      now: at,
    });
    expect(again.result).toBe('duplicate');
    expect(again.current).toMatchObject({ version: saved.record.version });
  });
});
