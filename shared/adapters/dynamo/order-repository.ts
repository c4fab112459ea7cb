import { randomBytes } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { OrderKey, OrderRecord, TimelineEvent } from '../../domain/order-sync.js';
import {
  type OrderRepository,
  type SaveOptions,
  type SaveResult,
  UnstorableRecordError,
} from '../../domain/ports.js';
import { safeErrorText, withSafeErrorDetail } from '../../domain/safe-error-text.js';
import { inGroup, type SyncState } from '../../domain/states.js';
import { processListeners } from '../process-listeners.js';
import { failedConditionItem, isConditionalFailure, newWriteId } from './conditional-write.js';

const day = 86_400_000;
/** Settled records and timelines are kept this long, then DynamoDB's TTL removes them. */
const retentionMs = 90 * day;

type Item = Record<string, unknown>;

const orderPk = (orderId: string) => `ORDER#${orderId}`;
const recordSk = (shop: string) => `SHOP#${shop}`;
const eventSk = (shop: string, at: number) =>
  `SHOP#${shop}#EV#${String(at).padStart(14, '0')}#${randomBytes(4).toString('hex')}`;
const keyOf = ({ shop, orderId }: OrderKey) => ({ pk: orderPk(orderId), sk: recordSk(shop) });

/** Nothing leaves for the table with HotWax's error text unreduced, whichever use case wrote it (#11 §6). */
const toItem = (record: OrderRecord, now: number): Item => {
  const item: Item = { ...record, ...keyOf(record), kind: 'order' };
  if (record.finding?.rawError !== undefined)
    item.finding = { ...record.finding, rawError: safeErrorText(record.finding.rawError) };
  if (record.nextCheckAt !== undefined) item.checkShop = record.shop;
  // Healthy records need nothing more: they expire, unless a later webhook writes them again.
  if (inGroup(record.state, 'healthy')) item.expiresAt = Math.floor((now + retentionMs) / 1000);
  return item;
};

const fromItem = (item: Item): OrderRecord => {
  const {
    pk: _pk,
    sk: _sk,
    kind: _kind,
    checkShop: _checkShop,
    expiresAt: _expiresAt,
    [deliveriesAttribute]: _deliveries,
    [inlineEventsAttribute]: _inlineEvents,
    [writeIdAttribute]: _writeId,
    ...record
  } = item;
  const finding = record.finding as (OrderRecord['finding'] & { cause?: string }) | undefined;
  // Records written before `Finding.cause` was renamed `title`.
  if (finding && finding.title === undefined && finding.cause !== undefined) {
    const { cause, ...rest } = finding;
    record.finding = { ...rest, title: cause };
  }
  return record as unknown as OrderRecord;
};

/**
 * Two attributes of a record's item that are not the record's: the webhook deliveries already recorded into it (a
 * string set of dedupe keys) and the record's first timeline events (a list). A delivery thus needs one conditional
 * write, not a transaction of three items, and so does any other change while the list has room; a writer updates
 * the record's own fields and appends to the list, never replacing either attribute.
 */
const deliveriesAttribute = 'deliveries';
const inlineEventsAttribute = 'inlineEvents';
/**
 * A record holds this many events in its own item; later events are items beside it. An order's usual life (its
 * webhooks, the check that finds it in sync, a repair and its verify) fits, so it costs one write per change and no
 * transaction; a long story (rechecks of a blocked order) does not grow the record each write re-sends.
 */
const maxInlineEvents = 8;
/**
 * The id of the write that last changed the record (`newWriteId`, one per save): a retried save that meets its own
 * write is `saved`, not a lost race (or a duplicate delivery) its caller would act on again. Transactions need no id:
 * the SDK sends each with a ClientRequestToken, which makes DynamoDB's answer to a retry the first one's.
 */
const writeIdAttribute = 'writeId';

/**
 * Every field of a record, so an update sets or removes each of them (what a Put of the whole item did) without
 * touching the two attributes above. `satisfies` makes a field added to `OrderRecord` fail to compile until it is here.
 */
const recordFields = Object.keys({
  shop: true,
  orderId: true,
  orderName: true,
  channel: true,
  sourceName: true,
  createdAt: true,
  updatedAt: true,
  cancelledAt: true,
  test: true,
  financialStatus: true,
  fulfillmentStatus: true,
  flags: true,
  state: true,
  stateSince: true,
  expectation: true,
  nextCheckAt: true,
  repairAttempts: true,
  version: true,
  firstSeenAt: true,
  lastWebhookAt: true,
  fulfilledSeenAt: true,
  source: true,
  hotwax: true,
  finding: true,
  inSyncAt: true,
  blockedAtShopifyUpdatedAt: true,
  rechecks: true,
  lastRepairAt: true,
  humanNotifiedAt: true,
  repairs: true,
  byPerson: true,
} satisfies Record<keyof OrderRecord, true>);
/** What `toItem` adds beside the record's fields (the sparse index key, the TTL). */
const itemFields = [...recordFields, 'kind', 'checkShop', 'expiresAt'];

interface RecordUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
  ConditionExpression: string;
}

/**
 * The record written as an update: each field of `toItem` set, each absent one removed, on the condition that the
 * record is still the version read (or does not exist yet). `write.inline` events join the record's list (with
 * `bounded`, only while it has room); `write.dedupeKey` records a webhook delivery in the same write: its key joins
 * the set, and the condition refuses a key already there.
 */
const recordUpdate = (
  next: OrderRecord,
  options: SaveOptions,
  write: {
    /** events that go into the record's list (the others are items beside it, in the same transaction) */
    inline: readonly TimelineEvent[];
    /** a webhook delivery: its dedupe key joins the set, and one already there fails the condition */
    dedupeKey?: string | undefined;
    /** the list must still have room for `inline` (any writer but a delivery, which must be one write) */
    bounded?: boolean;
    /** this save's `writeIdAttribute` */
    writeId: string;
  },
): RecordUpdate => {
  const item = toItem(next, options.now);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  const remove: string[] = [];
  itemFields.forEach((field, index) => {
    names[`#f${index}`] = field;
    if (item[field] === undefined) remove.push(`#f${index}`);
    else {
      values[`:f${index}`] = item[field];
      set.push(`#f${index} = :f${index}`);
    }
  });
  names['#writeId'] = writeIdAttribute;
  values[':writeId'] = write.writeId;
  set.push('#writeId = :writeId');
  const add: string[] = [];
  const conditions: string[] = [];
  if (options.expectedVersion === undefined) conditions.push('attribute_not_exists(pk)');
  else {
    names['#version'] = 'version';
    values[':expected'] = options.expectedVersion;
    conditions.push('#version = :expected');
  }
  if (write.inline.length > 0) {
    names['#events'] = inlineEventsAttribute;
    values[':events'] = write.inline.map(safeEvent);
    values[':none'] = [];
    set.push('#events = list_append(if_not_exists(#events, :none), :events)');
    if (write.bounded && options.expectedVersion !== undefined) {
      values[':room'] = maxInlineEvents - write.inline.length;
      conditions.push('(attribute_not_exists(#events) OR size(#events) <= :room)');
    }
  }
  if (write.dedupeKey !== undefined) {
    names['#deliveries'] = deliveriesAttribute;
    values[':delivery'] = new Set([write.dedupeKey]);
    add.push('#deliveries :delivery');
    // A new record has seen no delivery; an existing one refuses a delivery it already holds.
    if (options.expectedVersion !== undefined) {
      values[':deliveryKey'] = write.dedupeKey;
      conditions.push('NOT contains(#deliveries, :deliveryKey)');
    }
  }
  return {
    UpdateExpression: [
      `SET ${set.join(', ')}`,
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
      add.length ? `ADD ${add.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConditionExpression: conditions.join(' AND '),
  };
};

/** A record written for the first time: its item with its first events and the delivery that brought it. */
const newItem = (
  next: OrderRecord,
  now: number,
  events: readonly TimelineEvent[],
  dedupeKey: string | undefined,
  writeId: string,
): Item => ({
  ...toItem(next, now),
  [writeIdAttribute]: writeId,
  ...(events.length > 0 ? { [inlineEventsAttribute]: events.map(safeEvent) } : {}),
  ...(dedupeKey !== undefined ? { [deliveriesAttribute]: new Set([dedupeKey]) } : {}),
});

/** A timeline event as stored: HotWax's error texts in its detail reduced (#11 §6). */
const safeEvent = (event: TimelineEvent): TimelineEvent => ({
  ...event,
  ...(event.detail ? { detail: withSafeErrorDetail(event.detail) } : {}),
});

/** The dedupe keys an item holds (a string set; the document client reads it as a Set). */
const deliveriesOf = (item: Item | undefined): ReadonlySet<string> => {
  const value = item?.[deliveriesAttribute];
  return value instanceof Set ? (value as Set<string>) : new Set();
};

const inlineEventsOf = (item: Item): TimelineEvent[] =>
  Array.isArray(item[inlineEventsAttribute]) ? (item[inlineEventsAttribute] as TimelineEvent[]) : [];

const eventFromItem = (item: Item): TimelineEvent & { shop: string } => {
  const { at, type, state, message, detail, shop } = item as unknown as TimelineEvent & { shop: string };
  return { at, type, message, shop, ...(state ? { state } : {}), ...(detail ? { detail } : {}) };
};

/** DynamoDB refuses an item over 400 KB or a key over its size limit as a validation error: no retry helps. */
const isSizeLimit = (error: unknown) =>
  (error as Error).name === 'ValidationException' && /size|length/i.test((error as Error).message);

const saved = processListeners<[record: OrderRecord, events: readonly TimelineEvent[]]>('record-saved');

/**
 * Hears every record the repositories of this process save, with the timeline events written with it: the local
 * runtime prints each change as it is written, without reading the table for it. Returns the unsubscribe.
 */
export const onRecordSaved = saved.on;

/**
 * The order-sync table: one record per (shop, Shopify order id) with its timeline beside it in the same partition
 * (the webhook deliveries' events inside the record), written with optimistic concurrency so two writers never both
 * win.
 */
export const createOrderRepository = ({
  client,
  tableName,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): OrderRepository => {
  const get = async ({ shop, orderId }: OrderKey): Promise<OrderRecord | undefined> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: keyOf({ shop, orderId }), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  };

  /** Reads many records at once (BatchGet, 100 keys a call, unprocessed keys retried). */
  const getMany = async (keys: readonly OrderKey[]): Promise<OrderRecord[]> => {
    const found: OrderRecord[] = [];
    const unique = [...new Map(keys.map((key) => [`${key.shop}#${key.orderId}`, keyOf(key)])).values()];
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Item[] | undefined = unique.slice(start, start + 100);
      for (let attempt = 0; pending?.length && attempt < 5; attempt++) {
        const result = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[tableName] ?? []) found.push(fromItem(item));
        pending = result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
        if (pending?.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
      if (pending?.length) throw new Error(`DynamoDB left ${pending.length} keys unprocessed`);
    }
    return found;
  };

  /**
   * Writes the record if nobody changed it since it was read (`expectedVersion`; undefined = it must not exist yet),
   * with its new timeline events, in one conditional UpdateItem while the record's event list has room; then as a
   * transaction of the record and its events as items beside it. A webhook delivery (`dedupeKey`) is always one
   * write: the record, the delivery marked seen and its event, so it is recorded exactly once; a delivery already
   * seen fails the condition and is a `duplicate`.
   */
  const save = async (
    record: OrderRecord,
    options: SaveOptions,
  ): Promise<{ result: SaveResult; record: OrderRecord; current?: OrderRecord }> => {
    const next = { ...record, version: (options.expectedVersion ?? 0) + 1 };
    // A lost race hands back the record as it now is, so the writer need not read it again.
    const update = {
      TableName: tableName,
      Key: keyOf(next),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    const writeId = newWriteId();
    const done = () => {
      saved.tell(next, options.events);
      return { result: 'saved' as const, record: next };
    };
    const lost = (old: Item | undefined) => {
      if (!old) return { result: 'conflict' as const, record };
      // The condition failed on this very write, made by an attempt whose answer was lost and then retried.
      if (old[writeIdAttribute] === writeId) return done();
      const seen = options.dedupeKey !== undefined && deliveriesOf(old).has(options.dedupeKey);
      return {
        result: seen ? ('duplicate' as const) : ('conflict' as const),
        record,
        current: fromItem(old),
      };
    };
    try {
      if (options.dedupeKey !== undefined || options.events.length <= maxInlineEvents) {
        try {
          if (options.expectedVersion === undefined) {
            // A new record has nothing to keep: the whole item, which DynamoDB takes without parsing an update.
            await client.send(
              new PutCommand({
                TableName: tableName,
                Item: newItem(next, options.now, options.events, options.dedupeKey, writeId),
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            );
          } else {
            await client.send(
              new UpdateCommand({
                ...update,
                ...recordUpdate(next, options, {
                  inline: options.events,
                  dedupeKey: options.dedupeKey,
                  bounded: options.dedupeKey === undefined,
                  writeId,
                }),
              }),
            );
          }
          return done();
        } catch (error) {
          if (!isConditionalFailure(error)) throw error;
          const old = failedConditionItem(error);
          // Still the version read: the condition failed on the list's room, and the events go beside the record.
          if (!old || options.dedupeKey !== undefined || old.version !== options.expectedVersion)
            return lost(old);
        }
      }
      const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        { Update: { ...update, ...recordUpdate(next, options, { inline: [], writeId }) } },
        ...options.events.map((event) => ({
          Put: {
            TableName: tableName,
            Item: {
              ...safeEvent(event),
              pk: orderPk(record.orderId),
              sk: eventSk(record.shop, event.at),
              kind: 'event',
              shop: record.shop,
              expiresAt: Math.floor((event.at + 2 * retentionMs) / 1000),
            },
          },
        })),
      ];
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return done();
    } catch (error) {
      if (isSizeLimit(error))
        throw new UnstorableRecordError('the record exceeds DynamoDB limits', { cause: error });
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
      const reasons =
        (error as { CancellationReasons?: Array<{ Code?: string; Item?: Record<string, unknown> }> })
          .CancellationReasons ?? [];
      const recordReason = reasons[0];
      if (recordReason?.Code === 'ConditionalCheckFailed' && recordReason.Item)
        return lost(unmarshall(recordReason.Item as Parameters<typeof unmarshall>[0]));
      // Another transaction on the same items in flight (TransactionConflict) is a lost race like a changed
      // version: the caller reads again and retries.
      if (
        reasons.some(
          (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
        )
      )
        return { result: 'conflict', record };
      throw error;
    }
  };

  /**
   * Undoes the "check scheduled" promise of a delivery whose check could not be queued: the delivery is forgotten
   * so Shopify's retry is processed again, and `nextCheckAt` is set to 0 so the retry (or the sweep) sees the check
   * as lost rather than pending.
   */
  const abandonDelivery = async (record: OrderRecord, dedupeKey: string): Promise<void> => {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keyOf(record),
        UpdateExpression: 'SET nextCheckAt = :lost, checkShop = :shop DELETE #deliveries :delivery',
        ConditionExpression: 'version = :v',
        ExpressionAttributeNames: { '#deliveries': deliveriesAttribute },
        ExpressionAttributeValues: {
          ':lost': 0,
          ':shop': record.shop,
          ':v': record.version,
          ':delivery': new Set([dedupeKey]),
        },
      }),
    );
  };

  type PageQuery = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>;

  /** Every page of one query while `onPage` asks for more; `pageLimit` caps each page. */
  const eachPage = async (
    query: PageQuery,
    onPage: (page: { Items?: Item[]; Count?: number }) => boolean,
    pageLimit?: () => number,
  ): Promise<void> => {
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          ...query,
          TableName: tableName,
          ExclusiveStartKey: startKey,
          ...(pageLimit ? { Limit: pageLimit() } : {}),
        }),
      );
      if (!onPage(page)) return;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  };

  /** The order's records (normally one shop) and its timeline, oldest event first. */
  const getWithTimeline = async (orderId: string) => {
    const records: OrderRecord[] = [];
    const timeline: Array<TimelineEvent & { shop: string }> = [];
    await eachPage(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': orderPk(orderId) } },
      (page) => {
        for (const item of page.Items ?? []) {
          if (item.kind === 'event') timeline.push(eventFromItem(item));
          else {
            records.push(fromItem(item));
            for (const event of inlineEventsOf(item))
              timeline.push(eventFromItem({ ...event, shop: item.shop }));
          }
        }
        return true;
      },
    );
    // The deliveries' events live in their record, the others beside it: one timeline, oldest first.
    timeline.sort((a, b) => a.at - b.at);
    return { records, timeline };
  };

  /** Order records of one index query, page by page, up to `limit`. */
  const queryRecords = async (query: PageQuery, limit: number): Promise<OrderRecord[]> => {
    const records: OrderRecord[] = [];
    await eachPage(
      query,
      (page) => {
        for (const item of page.Items ?? []) if (item.kind === 'order') records.push(fromItem(item));
        return records.length < limit;
      },
      () => limit - records.length,
    );
    return records;
  };

  /** One state's records from the by-state index; of one shop only when `shop` is given (several shops). */
  const byState = (state: SyncState, shop?: string) => ({
    IndexName: 'by-state',
    KeyConditionExpression: '#state = :state',
    ExpressionAttributeNames: { '#state': 'state', ...(shop ? { '#shop': 'shop' } : {}) },
    ExpressionAttributeValues: { ':state': state, ...(shop ? { ':shop': shop } : {}) },
    ...(shop ? { FilterExpression: '#shop = :shop' } : {}),
  });

  /** Orders in one state, longest in it first. */
  const listByState = (state: SyncState, limit = 100, shop?: string): Promise<OrderRecord[]> =>
    queryRecords(byState(state, shop), limit);

  /** Exact count from the by-state index without reading the records. */
  const countByState = async (state: SyncState, shop?: string): Promise<number> => {
    const query = byState(state, shop);
    let count = 0;
    await eachPage(
      {
        ...query,
        FilterExpression: shop ? '#kind = :order AND #shop = :shop' : '#kind = :order',
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#kind': 'kind' },
        ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':order': 'order' },
        Select: 'COUNT',
      },
      (page) => {
        count += page.Count ?? 0;
        return true;
      },
    );
    return count;
  };

  /** Records whose check was due before `before` and never ran: never queued, or the message was lost. */
  const listOverdue = (shop: string, before: number, limit = 500): Promise<OrderRecord[]> =>
    queryRecords(
      {
        IndexName: 'by-next-check',
        KeyConditionExpression: 'checkShop = :shop AND nextCheckAt < :before',
        ExpressionAttributeValues: { ':shop': shop, ':before': before },
      },
      limit,
    );

  /**
   * Claims a run of a HotWax job for this shop unless one was claimed within `cooldownMs`: in a flash sale one
   * New Orders run serves every order missing in the same window.
   */
  const claimJobRun = async (shop: string, job: string, now: number, cooldownMs: number) => {
    // Tells this claim from another one made in the same millisecond when a lost answer's retry fails on it.
    const claimId = newWriteId();
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `JOB#${shop}#${job}`, sk: 'CLAIM' },
          UpdateExpression: 'SET lastRunAt = :now, claimId = :claimId',
          ConditionExpression: 'attribute_not_exists(lastRunAt) OR lastRunAt < :cutoff',
          ExpressionAttributeValues: { ':now': now, ':cutoff': now - cooldownMs, ':claimId': claimId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true } as const;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const held = failedConditionItem(error);
      if (held?.claimId === claimId) return { claimed: true } as const;
      return { claimed: false, lastRunAt: Number(held?.lastRunAt ?? now) } as const;
    }
  };

  /** Gives a claim back when the run could not be started, so the next check tries again at once. */
  const releaseJobRun = async (shop: string, job: string, claimedAt: number): Promise<void> => {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: `JOB#${shop}#${job}`, sk: 'CLAIM' },
          ConditionExpression: 'lastRunAt = :at',
          ExpressionAttributeValues: { ':at': claimedAt },
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  };

  return {
    get,
    getMany,
    save,
    abandonDelivery,
    getWithTimeline,
    listByState,
    countByState,
    listOverdue,
    claimJobRun,
    releaseJobRun,
  };
};
