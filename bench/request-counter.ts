import type { CaptureClient } from '../shared/adapters/aws/clients.js';

/** What the SDK clients of one wiring sent: requests by command, and DynamoDB's own consumed capacity. */
export interface RequestCounts {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

const dynamoWrites = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
]);
const dynamoReads = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
const units = (consumed: Capacity | Capacity[] | undefined) =>
  (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
    (sum, entry) => sum + (entry.CapacityUnits ?? 0),
    0,
  );

/**
 * An SDK middleware on every client a wiring builds (through its `capture` hook): it counts each request actually
 * sent, by command, and asks DynamoDB (Local) for `ReturnConsumedCapacity: TOTAL`, summing the read and write units
 * it reports — also for writes whose condition failed, which DynamoDB bills too.
 */
export const createRequestCounter = () => {
  const counts: RequestCounts = { requests: {}, readUnits: 0, writeUnits: 0 };
  const capture: CaptureClient = <T>(client: T): T => {
    const stack = (client as { middlewareStack: { add: (mw: unknown, options: unknown) => void } })
      .middlewareStack;
    const service = (client as { constructor: { name: string } }).constructor.name.replace(/Client$/, '');
    stack.add(
      (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { commandName: string },
      ) =>
        async (args: { input: Record<string, unknown> }) => {
          const command = context.commandName;
          const name = `${service} ${command.replace(/Command$/, '')}`;
          counts.requests[name] = (counts.requests[name] ?? 0) + 1;
          const measured = dynamoWrites.has(command) || dynamoReads.has(command);
          if (measured) args.input.ReturnConsumedCapacity = 'TOTAL';
          const add = (consumed: Capacity | Capacity[] | undefined) => {
            if (dynamoWrites.has(command)) counts.writeUnits += units(consumed);
            else counts.readUnits += units(consumed);
          };
          try {
            const result = await next(args);
            if (measured) add(result.output.ConsumedCapacity as Capacity | Capacity[] | undefined);
            return result;
          } catch (error) {
            if (measured) add((error as { ConsumedCapacity?: Capacity }).ConsumedCapacity);
            throw error;
          }
        },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
    return client;
  };
  const reset = () => {
    counts.requests = {};
    counts.readUnits = 0;
    counts.writeUnits = 0;
  };
  return { capture, counts, reset };
};
