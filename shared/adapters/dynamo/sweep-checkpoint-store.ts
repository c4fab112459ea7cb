import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SweepCheckpoint, SweepCheckpoints, SweepClaim } from '../../domain/ports.js';
import type { SweepProgress, SweepWindow } from '../../domain/sweep-window.js';
import { failedConditionItem, isConditionalFailure } from './conditional-write.js';

/** Another sweep took the lease over (ours expired): this run must stop without writing progress. */
export class SweepLeaseLostError extends Error {
  override name = 'SweepLeaseLostError';
}

type Item = Record<string, unknown>;

const key = (shop: string) => ({ pk: `SWEEP#${shop}`, sk: 'CHECKPOINT' });

const toWindow = (value: unknown): SweepWindow | undefined => {
  const window = value as Partial<SweepWindow> | undefined;
  if (typeof window?.from !== 'number' || typeof window.to !== 'number') return undefined;
  return {
    from: window.from,
    to: window.to,
    cursor: typeof window.cursor === 'string' ? window.cursor : null,
  };
};

const flowStatuses = new Set<string>(['ok', 'paused', 'missing', 'failing']);
const toImportFlows = (value: unknown): SweepCheckpoint['importFlows'] =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (Object.fromEntries(
        Object.entries(value).filter(([, status]) => flowStatuses.has(String(status))),
      ) as SweepCheckpoint['importFlows'])
    : {};

const fromItem = (item: Item | undefined): SweepCheckpoint => ({
  lastCompletedEnd: typeof item?.lastCompletedEnd === 'number' ? item.lastCompletedEnd : undefined,
  current: toWindow(item?.currentWindow),
  consecutiveMissedSweeps: Number(item?.consecutiveMissedSweeps ?? 0),
  lastRunMissed: Number(item?.lastRunMissed ?? 0),
  missingTopics: Array.isArray(item?.missingTopics) ? item.missingTopics.map(String) : [],
  importFlows: toImportFlows(item?.importFlows),
  lastRunAt: typeof item?.lastRunAt === 'number' ? item.lastRunAt : undefined,
});

/**
 * The sweep checkpoint per shop (pk `SWEEP#<shop>`, sk `CHECKPOINT`, beside the orders). A run first claims a
 * lease (a conditional write), so two sweeps never work the same window; every later write is conditional on still
 * holding it, so a run whose lease was taken over cannot move the checkpoint.
 */
export const createSweepCheckpointStore = ({
  client,
  tableName,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
}) => {
  const get = async (shop: string): Promise<SweepCheckpoint | undefined> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: key(shop), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  };

  /** Takes the lease until `leaseUntil` unless another run holds an unexpired one; creates the item on first use. */
  const claim = async (params: {
    shop: string;
    owner: string;
    now: number;
    leaseUntil: number;
  }): Promise<SweepClaim> => {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(params.shop),
          UpdateExpression: 'SET #owner = :owner, #until = :until',
          ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          ExpressionAttributeValues: {
            ':owner': params.owner,
            ':until': params.leaseUntil,
            ':now': params.now,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, checkpoint: fromItem(Attributes) };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const held = failedConditionItem(error);
      // The lease is this run's own (its owner is new each run): an attempt whose answer was lost took it, and the
      // SDK's retry then failed the condition on it.
      if (held?.leaseOwner === params.owner) return { claimed: true, checkpoint: fromItem(held) };
      return { claimed: false, heldUntil: Number(held?.leaseUntil ?? params.leaseUntil) };
    }
  };

  /** The holder's heartbeat: moves the lease's end on, if the lease is still `owner`'s. */
  const renew = async (params: { shop: string; owner: string; leaseUntil: number }): Promise<boolean> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(params.shop),
          UpdateExpression: 'SET #until = :until',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          ExpressionAttributeValues: { ':owner': params.owner, ':until': params.leaseUntil },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      return false;
    }
  };

  /** Records progress after a page: the window in progress and its cursor, or the window just completed. */
  const saveProgress = async (params: { shop: string; owner: string; progress: SweepProgress }) => {
    const { progress } = params;
    const names: Record<string, string> = { '#owner': 'leaseOwner', '#current': 'currentWindow' };
    const values: Item = { ':owner': params.owner };
    const set: string[] = [];
    if (progress.current) {
      set.push('#current = :current');
      values[':current'] = progress.current;
    }
    if (progress.lastCompletedEnd !== undefined) {
      names['#end'] = 'lastCompletedEnd';
      set.push('#end = :end');
      values[':end'] = progress.lastCompletedEnd;
    }
    const update = [set.length > 0 ? `SET ${set.join(', ')}` : '', progress.current ? '' : 'REMOVE #current']
      .filter(Boolean)
      .join(' ');
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(params.shop),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      throw new SweepLeaseLostError(`another sweep of ${params.shop} took over the lease`, { cause: error });
    }
  };

  /**
   * Ends the run: stores what the next run compares with and gives the lease back at once. False when the lease
   * had already passed to another run (nothing is written then).
   */
  const release = async (params: {
    shop: string;
    owner: string;
    update?: Parameters<SweepCheckpoints['release']>[0]['update'];
  }): Promise<boolean> => {
    // `releasedBy` lets a retry whose first attempt released the lease (its answer lost) know that it did.
    const names: Record<string, string> = {
      '#owner': 'leaseOwner',
      '#until': 'leaseUntil',
      '#released': 'releasedBy',
    };
    const values: Item = { ':owner': params.owner };
    const set = Object.entries(params.update ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([field, value], index) => {
        names[`#f${index}`] = field;
        values[`:v${index}`] = value;
        return `#f${index} = :v${index}`;
      });
    set.push('#released = :owner');
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(params.shop),
          UpdateExpression: `SET ${set.join(', ')} REMOVE #owner, #until`,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const old = failedConditionItem(error);
      return old !== undefined && old.leaseOwner === undefined && old.releasedBy === params.owner;
    }
  };

  const checkpoints: SweepCheckpoints & { get: typeof get } = { get, claim, renew, saveProgress, release };
  return checkpoints;
};
