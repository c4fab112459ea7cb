import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Sha256 } from './signed-fetch.js';

export interface AwsEndpoints {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  SQS_ENDPOINT?: string | undefined;
  S3_ENDPOINT?: string | undefined;
}

/** X-Ray capture of an SDK client (Powertools Tracer's `captureAWSv3Client`); identity where tracing is off. */
export type CaptureClient = <T>(client: T) => T;
const untraced: CaptureClient = (client) => client;

export interface AwsClientOptions {
  capture?: CaptureClient;
  /** explicit credentials (the local emulators'); otherwise the SDK's default chain */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** SDK retries (standard mode, 3 attempts) with timeouts short enough to answer Shopify within its 5 s limit. */
const common = (region: string, options: AwsClientOptions) => ({
  region,
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  ...(options.credentials ? { credentials: options.credentials } : {}),
});

/**
 * The hot clients (every check reads and writes DynamoDB and SQS) sign with `signed-fetch.ts`'s Sha256, whose HMAC is
 * keyed by a KeyObject: about a fifth of what the SDK's own Buffer-keyed HMAC costs on Node 24 (`hmac-key.ts`).
 */
const signedWithKeyObjects = { sha256: Sha256 };

/** The plain DynamoDB client (table management, counts); records go through `createDynamoClient`. */
export const createDynamoDbClient = (config: AwsEndpoints, options: AwsClientOptions = {}) =>
  (options.capture ?? untraced)(
    new DynamoDBClient({
      ...common(config.AWS_REGION, options),
      ...signedWithKeyObjects,
      ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    }),
  );

/** The document client the repositories take. */
export const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const createDynamoClient = (config: AwsEndpoints, options: AwsClientOptions = {}) =>
  documentClient(createDynamoDbClient(config, options));

export const createSqsClient = (config: AwsEndpoints, options: AwsClientOptions = {}) =>
  (options.capture ?? untraced)(
    new SQSClient({
      ...common(config.AWS_REGION, options),
      ...signedWithKeyObjects,
      ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    }),
  );

export const createS3Client = (config: AwsEndpoints, options: AwsClientOptions = {}) =>
  new S3Client({
    ...common(config.AWS_REGION, options),
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
  });
