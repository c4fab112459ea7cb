import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsEndpoints {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  SQS_ENDPOINT?: string | undefined;
  S3_ENDPOINT?: string | undefined;
}

/** SDK retries (standard mode, 3 attempts) with timeouts short enough to answer Shopify within its 5 s limit. */
const common = (region: string) => ({
  region,
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
});

/** X-Ray capture of an SDK client (Powertools Tracer's `captureAWSv3Client`); identity where tracing is off. */
export type CaptureClient = <T>(client: T) => T;
const untraced: CaptureClient = (client) => client;

export const createDynamoClient = (config: AwsEndpoints, capture: CaptureClient = untraced) =>
  DynamoDBDocumentClient.from(
    capture(
      new DynamoDBClient({
        ...common(config.AWS_REGION),
        ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
      }),
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );

export const createSqsClient = (config: AwsEndpoints, capture: CaptureClient = untraced) =>
  capture(
    new SQSClient({
      ...common(config.AWS_REGION),
      ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    }),
  );

export const createS3Client = (config: AwsEndpoints) =>
  new S3Client({
    ...common(config.AWS_REGION),
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
  });
