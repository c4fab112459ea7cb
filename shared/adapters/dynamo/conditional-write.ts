import { randomBytes } from 'node:crypto';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** DynamoDB refused a write because its condition did not hold. */
export const isConditionalFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * The item as it stood when a write's condition failed, for a write sent with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`; undefined when there was none.
 */
export const failedConditionItem = (error: unknown): Record<string, unknown> | undefined => {
  const raw = (error as { Item?: Record<string, unknown> }).Item;
  return raw ? unmarshall(raw as Parameters<typeof unmarshall>[0]) : undefined;
};

/**
 * A fresh id for one conditional write. The SDK retries a write whose answer was lost (a timeout, a dropped
 * connection) although DynamoDB may have made it, and the retry then fails its own condition: the id, written with
 * the change and found in `failedConditionItem`, tells that write from another writer's.
 */
export const newWriteId = (): string => randomBytes(12).toString('base64url');
