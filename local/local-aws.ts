import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import {
  createDynamoDbClient,
  createS3Client,
  createSqsClient,
  documentClient,
} from '../shared/adapters/aws/clients.js';
import { ConfigError, localRuntimeFields } from '../shared/config/config.js';

/** Credentials the emulators accept; they never leave this machine. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localRegion = 'us-east-1';

/** Where DynamoDB Local and fauxqs (SQS and S3) listen. */
export interface LocalEndpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
}

/** The environment the handlers and the CLI read to reach the emulators (as if they were AWS). */
export const localAwsEnv = (endpoints: LocalEndpoints): Record<string, string> => ({
  AWS_REGION: localRegion,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  DYNAMODB_ENDPOINT: endpoints.dynamoEndpoint,
  SQS_ENDPOINT: endpoints.sqsEndpoint,
  S3_ENDPOINT: endpoints.sqsEndpoint,
});

/** SDK clients pointed at the emulators, built the same way as in the functions. */
export const localClients = (endpoints: LocalEndpoints) => {
  const config = {
    AWS_REGION: localRegion,
    DYNAMODB_ENDPOINT: endpoints.dynamoEndpoint,
    SQS_ENDPOINT: endpoints.sqsEndpoint,
    S3_ENDPOINT: endpoints.sqsEndpoint,
  };
  const options = { credentials: localCredentials };
  const dynamo = createDynamoDbClient(config, options);
  const sqs = createSqsClient(config, options);
  const s3 = createS3Client(config, options);
  return {
    dynamo,
    doc: documentClient(dynamo),
    sqs,
    s3,
    destroy() {
      dynamo.destroy();
      sqs.destroy();
      s3.destroy();
    },
  };
};

// --- .data/endpoints.json: how a running `npm start` tells the CLI where it runs ---------------------------------

const endpointsSchema = z.object({
  dynamoEndpoint: z.string().min(1),
  sqsEndpoint: z.string().min(1).optional(),
  tableName: z.string().min(1),
  url: z.string().optional(),
  /**
   * Only in the sandbox: the settings of its simulated HotWax and Shopify (throwaway tokens of this run), so the CLI
   * can diagnose, repair, sweep and run `doctor` against it as against a real store. A real configuration is never
   * written here.
   */
  sandbox: z.object({ env: z.record(z.string(), z.string()) }).optional(),
});
export type RunningMonitor = z.infer<typeof endpointsSchema>;

type Env = Record<string, string | undefined>;

const defaultDataDir = localRuntimeFields.shape.LOCAL_DATA_DIR.parse(undefined);

/**
 * Makes every local path of the environment absolute, once, at start: LOCAL_DATA_DIR (default `.data`) and
 * SHOPS_FILE are relative to the directory `npm start` runs in, but DynamoDB Local runs in its own package's
 * directory, where a relative `-dbPath` points nowhere (it exits at once). Returns the data directory.
 */
export const resolveLocalPaths = (env: Env, cwd: string = process.cwd()): string => {
  const dataDir = resolve(cwd, env.LOCAL_DATA_DIR?.trim() || defaultDataDir);
  env.LOCAL_DATA_DIR = dataDir;
  if (env.SHOPS_FILE?.trim()) env.SHOPS_FILE = resolve(cwd, env.SHOPS_FILE.trim());
  return dataDir;
};

/** The data directory of the environment, absolute (the CLI reads it without `resolveLocalPaths`). */
export const localDataDir = (env: Env): string => resolve(env.LOCAL_DATA_DIR?.trim() || defaultDataDir);

export const endpointsFile = (env: Env) => join(localDataDir(env), 'endpoints.json');

export const writeEndpoints = (env: Env, running: RunningMonitor): void => {
  const file = endpointsFile(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(running, null, 2));
};

export const removeEndpoints = (env: Env): void => rmSync(endpointsFile(env), { force: true });

/** The running `npm start`, or undefined when none wrote its endpoints. */
export const readEndpoints = (env: Env): RunningMonitor | undefined => {
  const file = endpointsFile(env);
  if (!existsSync(file)) return undefined;
  try {
    return endpointsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new ConfigError([
      `${file} is not what npm start writes ({ dynamoEndpoint, tableName, … }): delete it if npm start is not running.`,
    ]);
  }
};

/** A real HotWax or Shopify is configured (environment or `.env`): `npm start` runs against it, not the sandbox. */
export const hasRealConfig = (env: Env): boolean =>
  Boolean(env.HOTWAX_BASE_URL || env.SHOPIFY_ADMIN_TOKEN || env.SHOPIFY_WEBHOOK_SECRET || env.SHOPS_FILE);

/**
 * With no real configuration, the settings a running sandbox published fill in what the environment lacks (a real
 * `.env` always wins). Resolves to the file they came from, or undefined when nothing was taken.
 */
export const usePublishedSandbox = (env: Env): string | undefined => {
  if (hasRealConfig(env)) return undefined;
  const published = readEndpoints(env)?.sandbox?.env;
  if (!published) return undefined;
  for (const [key, value] of Object.entries(published)) {
    if (env[key] === undefined || env[key] === '') env[key] = value;
  }
  return endpointsFile(env);
};
