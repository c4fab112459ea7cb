import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ActionRequestRecord, ActionRequestStore } from '../../domain/ports.js';

/**
 * What a person asked from Slack and where its outcome goes: pk `SLACK_REQUEST#<request id>`, sk `REQUEST`, kept a
 * day (a response_url lives 30 minutes, a check a person asked for runs within minutes). It carries no `state` or
 * `orderName`, so it lands in none of the table's indexes.
 */
const ttlSeconds = 24 * 3600;
const keyOf = (requestId: string) => ({ pk: `SLACK_REQUEST#${requestId}`, sk: 'REQUEST' });

export const createSlackRequestStore = (params: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): ActionRequestStore => ({
  async put(request) {
    // A retried delivery of the same click keeps the first record (and its replied mark).
    try {
      await params.client.send(
        new PutCommand({
          TableName: params.tableName,
          Item: {
            ...keyOf(request.requestId),
            request,
            expiresAt: Math.floor(request.at / 1000) + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  },
  async get(requestId) {
    const { Item } = await params.client.send(
      new GetCommand({ TableName: params.tableName, Key: keyOf(requestId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const request = Item.request as ActionRequestRecord;
    return typeof Item.repliedAt === 'number' ? { ...request, repliedAt: Item.repliedAt } : request;
  },
  async markReplied(requestId, now) {
    try {
      await params.client.send(
        new UpdateCommand({
          TableName: params.tableName,
          Key: keyOf(requestId),
          UpdateExpression: 'SET repliedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(repliedAt)',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },
});
