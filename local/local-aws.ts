import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  createDynamoDbClient,
  createS3Client,
  createSqsClient,
  documentClient,
} from '../shared/adapters/aws/clients.js';
import { ConfigError } from '../shared/config/config.js';

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
});
export type RunningMonitor = z.infer<typeof endpointsSchema>;

export const endpointsFile = (env: Record<string, string | undefined>) =>
  join(env.LOCAL_DATA_DIR ?? '.data', 'endpoints.json');

export const writeEndpoints = (env: Record<string, string | undefined>, running: RunningMonitor): void => {
  const file = endpointsFile(env);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(running, null, 2));
};

export const removeEndpoints = (env: Record<string, string | undefined>): void =>
  rmSync(endpointsFile(env), { force: true });

/** The running `npm start`, or undefined when none wrote its endpoints. */
export const readEndpoints = (env: Record<string, string | undefined>): RunningMonitor | undefined => {
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
