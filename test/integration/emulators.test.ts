import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbLocalEnv, dynamoDbLocalFile, ensureTable, startEmulators } from '../../local/emulators.js';
import { localCredentials, localRegion } from '../../local/local-aws.js';
import { createDynamoDbClient } from '../../shared/adapters/aws/clients.js';
import { createTestAws, type TestAws } from '../support/aws.js';

describe('the test emulators', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await createTestAws();
  });
  afterAll(() => aws.destroy());

  it('serves the order table from DynamoDB Local', async () => {
    const { TableNames } = await aws.dynamo.send(new ListTablesCommand({}));
    expect(TableNames).toContain(aws.tableName);
  });

  it('delivers a queued message through fauxqs', async () => {
    const queue = await aws.createQueue('probe');
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"hello":1}' }));
    const { Messages } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.[0]?.Body).toBe('{"hello":1}');
  });
});

describe("DynamoDB Local's data directory", () => {
  const journalMode = (file: string) => {
    const database = new DatabaseSync(file);
    try {
      return (database.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
    } finally {
      database.close();
    }
  };

  it('is a write-ahead log, also for a data directory kept from before, and keeps its tables', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'osm-wal-'));
    const file = dynamoDbLocalFile(join(dataDir, 'dynamodb'));
    const item = { pk: { S: 'ORDER#1' }, sk: { S: 'SHOP#kept.myshopify.com' } };
    const withDynamo = async (use: (client: DynamoDBClient) => Promise<void>) => {
      const emulators = await startEmulators({ dataDir });
      const client = createDynamoDbClient(
        { AWS_REGION: localRegion, DYNAMODB_ENDPOINT: emulators.dynamoEndpoint },
        { credentials: localCredentials },
      );
      try {
        await use(client);
      } finally {
        client.destroy();
        await emulators.stop();
      }
    };
    try {
      await withDynamo(async (client) => {
        await ensureTable(client, 'order-sync');
        await client.send(new PutItemCommand({ TableName: 'order-sync', Item: item }));
      });
      expect(journalMode(file)).toBe('wal');
      // A data directory of an earlier version: DynamoDB Local's own rollback journal.
      const older = new DatabaseSync(file);
      older.exec('PRAGMA journal_mode=DELETE');
      older.close();
      expect(journalMode(file)).toBe('delete');
      await withDynamo(async (client) => {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: 'order-sync', Key: item, ConsistentRead: true }),
        );
        expect(Item).toEqual(item);
      });
      expect(journalMode(file)).toBe('wal');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** The environments of this process's Java children (Linux's /proc), each as its variables. */
const javaChildrenEnv = (): Record<string, string>[] =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid || !stat.includes('(java)')) return [];
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
        return [
          Object.fromEntries(
            environ.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
          ),
        ];
      } catch {
        return [];
      }
    });

describe("DynamoDB Local's JVM", () => {
  it('compiles with C1 only, collects with the serial collector and sends no telemetry; your own JVM options and telemetry choice win', () => {
    expect(dynamoDbLocalEnv({})).toEqual({
      JDK_JAVA_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
      DDB_LOCAL_TELEMETRY: '0',
    });
    expect(
      dynamoDbLocalEnv({ JDK_JAVA_OPTIONS: ' -Xmx512m -XX:TieredStopAtLevel=4 ', DDB_LOCAL_TELEMETRY: '1' }),
    ).toEqual({
      JDK_JAVA_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m -XX:TieredStopAtLevel=4',
      DDB_LOCAL_TELEMETRY: '1',
    });
    // Your collector, not a second one: the JVM refuses to start with two.
    expect(dynamoDbLocalEnv({ JDK_JAVA_OPTIONS: '-XX:+UseZGC' }).JDK_JAVA_OPTIONS).toBe(
      '-XX:TieredStopAtLevel=1 -XX:+UseZGC',
    );
  });

  it.runIf(existsSync('/proc/self/environ'))(
    'runs with them, and leaves this process environment as it was',
    async () => {
      const before = { ...process.env };
      const emulators = await startEmulators();
      try {
        expect(process.env).toEqual(before);
        const started = javaChildrenEnv();
        expect(started.length).toBeGreaterThan(0);
        for (const env of started) {
          expect(env.JDK_JAVA_OPTIONS).toContain('-XX:TieredStopAtLevel=1');
          if (!/-XX:\+Use\w+GC\b/.test(process.env.JDK_JAVA_OPTIONS ?? ''))
            expect(env.JDK_JAVA_OPTIONS).toContain('-XX:+UseSerialGC');
          expect(env.DDB_LOCAL_TELEMETRY).toBe(process.env.DDB_LOCAL_TELEMETRY ?? '0');
        }
      } finally {
        await emulators.stop();
      }
    },
    60_000,
  );
});
