import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addLags, decayed, emptyLagSketch, type ImportLagSketch } from '../../domain/import-lag.js';
import type { ImportLagStore } from '../../domain/ports.js';
import { isConditionalFailure } from './conditional-write.js';

const key = (shop: string) => ({ pk: `IMPORT_LAG#${shop}`, sk: 'SKETCH' });

const toSketch = (item: Record<string, unknown> | undefined): ImportLagSketch | undefined => {
  const counts = item?.counts;
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) return undefined;
  const clean = Object.fromEntries(
    Object.entries(counts as Record<string, unknown>).filter(
      ([bucket, count]) => /^\d+$/.test(bucket) && typeof count === 'number' && count > 0,
    ),
  ) as Record<string, number>;
  return { counts: clean, total: Number(item?.total ?? 0) || 0 };
};

/**
 * The shops' import lags in the order table: item `IMPORT_LAG#<shop>` / `SKETCH`, a map of at most 48 bucket
 * counters and their total (well under 1 KB: one read unit, one write unit per batch). Batches add with atomic `ADD`
 * counters, so concurrent checkers never lose each other's lags; the writer that takes the total past
 * `maxSamples` halves the counts with a write conditioned on the total it saw.
 */
export const createImportLagStore = (options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** counts are halved past this many lags, so the sketch follows a shop whose import changes */
  maxSamples: number;
}): ImportLagStore => {
  const { client, tableName } = options;
  return {
    async get(shop) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(shop) }));
      return toSketch(Item);
    },
    async add(shop, lagsMs) {
      if (lagsMs.length === 0) return;
      const byBucket = addLags(emptyLagSketch(), lagsMs).counts;
      // A map attribute must exist before its members can be ADDed to: create it once, then add.
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(shop),
            UpdateExpression: 'SET #counts = :empty, #total = :zero',
            ConditionExpression: 'attribute_not_exists(#counts)',
            ExpressionAttributeNames: { '#counts': 'counts', '#total': 'total' },
            ExpressionAttributeValues: { ':empty': {}, ':zero': 0 },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalFailure(error)) throw error;
        });
      const names: Record<string, string> = { '#counts': 'counts', '#total': 'total' };
      const values: Record<string, number> = { ':n': lagsMs.length };
      const adds = Object.entries(byBucket).map(([bucket, count], index) => {
        names[`#b${index}`] = bucket;
        values[`:c${index}`] = count;
        return `#counts.#b${index} :c${index}`;
      });
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(shop),
          UpdateExpression: `ADD ${[...adds, '#total :n'].join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const sketch = toSketch(Attributes);
      const halved = sketch && decayed(sketch, options.maxSamples);
      if (!sketch || !halved) return;
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(shop),
            UpdateExpression: 'SET #counts = :counts, #total = :total',
            ConditionExpression: '#total = :seen',
            ExpressionAttributeNames: { '#counts': 'counts', '#total': 'total' },
            ExpressionAttributeValues: {
              ':counts': halved.counts,
              ':total': halved.total,
              ':seen': sketch.total,
            },
          }),
        )
        // Another batch added meanwhile: it (or the next one) halves instead.
        .catch((error: unknown) => {
          if (!isConditionalFailure(error)) throw error;
        });
    },
  };
};
