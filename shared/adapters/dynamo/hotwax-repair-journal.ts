import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { HotwaxRepairJournal, JobParameter, RepairJournalEntry } from '../../domain/ports.js';
import { failedConditionItem, isConditionalFailure } from './conditional-write.js';

/**
 * The Maarg re-import journal in the order-sync table (pk `HOTWAX_REPAIR#<shop>`, sk `JOURNAL`). The item is the
 * shop's swap lock and the record of the job parameters to restore. It has no TTL on purpose: an entry that
 * expired before it was restored would leave the job's `fromDate` changed for good.
 */
export const createHotwaxRepairJournal = ({
  client,
  tableName,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): HotwaxRepairJournal => {
  const key = (shop: string) => ({ pk: `HOTWAX_REPAIR#${shop}`, sk: 'JOURNAL' });

  const parametersOf = (value: unknown): JobParameter[] | undefined =>
    Array.isArray(value)
      ? value.map((item: Record<string, unknown>) => ({
          parameterName: String(item.parameterName),
          parameterValue: typeof item.parameterValue === 'string' ? item.parameterValue : null,
        }))
      : undefined;

  return {
    async claim({ shop, owner, claimedAt }) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key(shop), shop, owner, claimedAt },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        // Held by this very owner: an attempt whose answer was lost made the claim, and the SDK's retry failed on it.
        return failedConditionItem(error)?.owner === owner;
      }
    },

    async record(shop, owner, swap) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(shop),
            UpdateExpression: 'SET jobName = :jobName, originalParameters = :parameters',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':owner': owner,
              ':jobName': swap.jobName,
              // null parameter values are kept: restoring "no fromDate" must clear a swapped one
              ':parameters': swap.originalParameters.map((parameter) => ({
                parameterName: parameter.parameterName,
                parameterValue: parameter.parameterValue,
              })),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },

    async get(shop) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: key(shop), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const entry: RepairJournalEntry = {
        shop: String(Item.shop ?? shop),
        owner: String(Item.owner),
        claimedAt: Number(Item.claimedAt),
      };
      if (typeof Item.jobName === 'string') entry.jobName = Item.jobName;
      const originalParameters = parametersOf(Item.originalParameters);
      if (originalParameters) entry.originalParameters = originalParameters;
      return entry;
    },

    async release(shop, owner) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: key(shop),
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        );
      } catch (error) {
        // Someone else recovered our entry (we were too slow) or holds a newer one: theirs to clear.
        if (!isConditionalFailure(error)) throw error;
      }
    },
  };
};
