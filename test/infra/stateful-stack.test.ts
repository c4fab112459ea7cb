import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionTimeouts } from '../../infra/config/app-config.js';
import { indexProjection, tableDefinition } from '../../shared/adapters/dynamo/table-definition.js';
import { defaultRetrySchedule, retryWindowSeconds } from '../../shared/domain/retry-schedule.js';
import { synthTestApp } from './support/test-app.js';

let template: Template;
let built: ReturnType<typeof synthTestApp>;

beforeAll(() => {
  built = synthTestApp();
  template = built.statefulTemplate;
});

const insecureTransport = { Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
const denyInsecureTransport = Match.objectLike(insecureTransport);
const deniesInsecureTransport = expect.arrayContaining([expect.objectContaining(insecureTransport)]);

describe('order sync table', () => {
  it('has the keys, indexes and TTL of the shared table definition', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith(
        tableDefinition.attributes.map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
      ),
      GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: indexProjection(index) },
      })),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is on-demand, point-in-time recoverable, encrypted, deletion-protected and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('queues', () => {
  it('encrypts every queue and refuses plain-text access', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    // check, notify and Slack reply queues, each with its DLQ
    expect(Object.keys(queues)).toHaveLength(6);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queue.DeletionPolicy).toBe('Retain');
    }
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(6);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(deniesInsecureTransport);
    }
  });

  it.each([
    ['check', 'checkQueue', 'checkDlq', functionTimeouts.checker.toSeconds()],
    ['notify', 'notifyQueue', 'notifyDlq', functionTimeouts.notifier.toSeconds()],
  ] as const)(
    'gives the %s queue a DLQ after the retry schedule’s receives (about 2 hours of retries) and outlasts its consumer',
    (_, queueKey, dlqKey, timeout) => {
      const queues = template.toJSON().Resources;
      const queue = queues[built.stateful.getLogicalId(built.stateful[queueKey].node.defaultChild as never)];
      const dlqId = built.stateful.getLogicalId(built.stateful[dlqKey].node.defaultChild as never);
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: defaultRetrySchedule.maxReceiveCount,
      });
      // HotWax maintenance windows last minutes to an hour: nothing is dead-lettered within two.
      expect(retryWindowSeconds(defaultRetrySchedule)).toBeGreaterThanOrEqual(2 * 3600);
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      expect(queues[dlqId].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    },
  );
});

describe('quarantine bucket', () => {
  it('is private, encrypted, versioned, logged, expiring and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          ],
        },
      }),
    });
  });

  it('refuses plain-text access on both buckets', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(deniesInsecureTransport);
    }
  });
});

describe('secrets', () => {
  it('creates the webhook, credentials and Slack secrets as placeholders the operator fills, retained', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')).filter(
      (secret) => secret.Properties.GenerateSecretString.GenerateStringKey === 'UNUSED_GENERATED_PLACEHOLDER',
    );
    expect(secrets).toHaveLength(3);
    const keys = secrets.map((secret) => {
      expect(secret.DeletionPolicy).toBe('Retain');
      return Object.keys(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).sort();
    });
    expect(keys).toEqual(
      expect.arrayContaining([
        ['SHOPIFY_WEBHOOK_SECRET'],
        [
          'HOTWAX_API_TOKEN',
          'HOTWAX_PASSWORD',
          'HOTWAX_USERNAME',
          'SHOPIFY_ADMIN_TOKEN',
          'SLACK_BOT_TOKEN',
          'SLACK_WEBHOOK_URL',
        ],
        ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
      ]),
    );
  });

  it('generates the timeline link key in its own secret, so links work from the first deploy', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: {
          SecretStringTemplate: '{}',
          GenerateStringKey: 'TIMELINE_LINK_KEY',
          PasswordLength: 64,
          ExcludePunctuation: true,
        },
      }),
    });
  });

  it('finds an order by its Shopify name through a keys-only index, never a scan', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'by-name',
          KeySchema: [
            { AttributeName: 'orderName', KeyType: 'HASH' },
            { AttributeName: 'shop', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
  });
});

describe('alarm topic', () => {
  it('is encrypted with a rotating key that CloudWatch may use, and refuses plain-text publishing', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          denyInsecureTransport,
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });
});
