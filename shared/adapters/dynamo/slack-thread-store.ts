import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  DigestWindow,
  Notification,
  SlackThread,
  SlackThreadStore,
  WindowKey,
} from '../../domain/ports.js';
import { failedConditionItem, isConditionalFailure, newWriteId } from './conditional-write.js';

/**
 * Items (single table, see table-definition.ts):
 * - thread:        pk `SLACK#<shop>#<orderId>`, sk `THREAD` — root `threadTs` and the `postedKeys`
 * - storm window:  pk `SLACK#<shop>#WINDOW`, sk `<window start ISO>` — `slotOrderIds` (individual messages),
 *                  `digestTs`, `digestPostedCount`, `digestClaim`
 * - digest entry:  pk `SLACK#<shop>#WINDOW`, sk `<window start ISO>#ORDER#<orderId>` — one order of the digest
 * No item carries `state` or `checkShop`, so none lands in the table's order indexes.
 */
const threadTtlSeconds = 30 * 24 * 3600;
// A window is only written to during its ten minutes plus redeliveries; two days leaves room for a long DLQ redrive.
const windowTtlSeconds = 2 * 24 * 3600;

export class SlackThreadStoreError extends Error {
  override name = 'SlackThreadStoreError';
}

const threadKey = (shop: string, orderId: string) => ({ pk: `SLACK#${shop}#${orderId}`, sk: 'THREAD' });
const windowPk = (shop: string) => `SLACK#${shop}#WINDOW`;
const windowSk = (windowStart: number) => new Date(windowStart).toISOString();
const windowKey = (window: WindowKey) => ({ pk: windowPk(window.shop), sk: windowSk(window.windowStart) });
const expiresAt = (now: number, ttlSeconds: number) => Math.floor(now / 1000) + ttlSeconds;

/** Only what a digest line shows is kept: no raw error, no bundle. */
const digestEntry = (notification: Notification): Notification => ({
  kind: notification.kind,
  shop: notification.shop,
  title: notification.title,
  at: notification.at,
  ...(notification.order ? { order: notification.order } : {}),
  ...(notification.explanation ? { explanation: notification.explanation } : {}),
});

const setSize = (value: unknown): number => (value instanceof Set ? value.size : 0);

export const createSlackThreadStore = (params: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): SlackThreadStore => {
  const { client, tableName } = params;

  const readDigest = async (window: WindowKey): Promise<DigestWindow> => {
    const key = windowKey(window);
    const entries: Notification[] = [];
    let startKey: Record<string, unknown> | undefined;
    const [counter] = await Promise.all([
      client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
      (async () => {
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':pk': key.pk, ':prefix': `${key.sk}#ORDER#` },
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) entries.push(item.notification as Notification);
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      })(),
    ]);
    const item = counter.Item;
    return {
      entries,
      individualCount: setSize(item?.slotOrderIds),
      ...(typeof item?.digestTs === 'string' ? { ts: item.digestTs } : {}),
      ...(typeof item?.digestPostedCount === 'number' ? { postedCount: item.digestPostedCount } : {}),
    };
  };

  return {
    async getThread(shop, orderId): Promise<SlackThread | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: threadKey(shop, orderId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      return {
        ...(typeof Item.threadTs === 'string' ? { ts: Item.threadTs } : {}),
        postedKeys: Item.postedKeys instanceof Set ? (Item.postedKeys as Set<string>) : new Set(),
      };
    },

    async recordPost(shop, orderId, post, now) {
      // if_not_exists keeps the first message as the thread root; later replies must not move it.
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: threadKey(shop, orderId),
          UpdateExpression: `ADD postedKeys :key SET updatedAt = :now, expiresAt = :exp${post.ts ? ', threadTs = if_not_exists(threadTs, :ts)' : ''}`,
          ExpressionAttributeValues: {
            ':key': new Set([post.postedKey]),
            ':now': now,
            ':exp': expiresAt(now, threadTtlSeconds),
            ...(post.ts ? { ':ts': post.ts } : {}),
          },
        }),
      );
    },

    async claimWindowSlot(window, orderId, limit, now) {
      if (limit <= 0) return false;
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey(window),
            UpdateExpression: 'ADD slotOrderIds :order SET expiresAt = if_not_exists(expiresAt, :exp)',
            ConditionExpression:
              'attribute_not_exists(slotOrderIds) OR size(slotOrderIds) < :limit OR contains(slotOrderIds, :orderId)',
            ExpressionAttributeValues: {
              ':order': new Set([orderId]),
              ':orderId': orderId,
              ':limit': limit,
              ':exp': expiresAt(now, windowTtlSeconds),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },

    async addToDigest(window, notifications, now) {
      const key = windowKey(window);
      let requests = notifications
        .filter((notification) => notification.order)
        .map((notification) => ({
          PutRequest: {
            Item: {
              pk: key.pk,
              sk: `${key.sk}#ORDER#${notification.order?.orderId}`,
              notification: digestEntry(notification),
              expiresAt: expiresAt(now, windowTtlSeconds),
            },
          },
        }));
      // Puts overwrite, so a redelivered order stays one entry.
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt === 5)
          throw new SlackThreadStoreError('DynamoDB left digest entries unprocessed 5 times');
        const chunks: (typeof requests)[] = [];
        for (let index = 0; index < requests.length; index += 25)
          chunks.push(requests.slice(index, index + 25));
        const results = await Promise.all(
          chunks.map((chunk) => client.send(new BatchWriteCommand({ RequestItems: { [tableName]: chunk } }))),
        );
        requests = results.flatMap(
          (result) => (result.UnprocessedItems?.[tableName] ?? []) as typeof requests,
        );
      }
      return readDigest(window);
    },

    readDigest,

    async claimDigestPost(window, claimId, now, staleAfterMs) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey(window),
            UpdateExpression:
              'SET digestClaim = :claim, digestClaimAt = :now, expiresAt = if_not_exists(expiresAt, :exp)',
            ConditionExpression:
              'attribute_not_exists(digestPostedCount) AND (attribute_not_exists(digestClaim) OR digestClaim = :claim OR digestClaimAt < :stale)',
            ExpressionAttributeValues: {
              ':claim': claimId,
              ':now': now,
              ':stale': now - staleAfterMs,
              ':exp': expiresAt(now, windowTtlSeconds),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },

    async releaseDigestClaim(window, claimId) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey(window),
            UpdateExpression: 'REMOVE digestClaim, digestClaimAt',
            ConditionExpression: 'digestClaim = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
      }
    },

    async markDigestPosted(window, post) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey(window),
            UpdateExpression: `SET digestPostedCount = :count${post.ts ? ', digestTs = :ts' : ''} REMOVE digestClaim, digestClaimAt`,
            // Someone whose claim went stale may have posted too; the first record wins, the message is out anyway.
            ConditionExpression: 'attribute_not_exists(digestPostedCount)',
            ExpressionAttributeValues: { ':count': post.count, ...(post.ts ? { ':ts': post.ts } : {}) },
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
      }
    },

    async advanceDigestCount(window, from, to) {
      // Tells this advance from another one to the same count when a lost answer's retry fails on it.
      const advanceId = newWriteId();
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: windowKey(window),
            UpdateExpression: 'SET digestPostedCount = :to, digestAdvanceId = :id',
            ConditionExpression: 'digestPostedCount = :from',
            ExpressionAttributeValues: { ':from': from, ':to': to, ':id': advanceId },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        return failedConditionItem(error)?.digestAdvanceId === advanceId;
      }
    },
  };
};
