import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { indexProjection, tableDefinition } from '../../shared/adapters/dynamo/table-definition.js';
import { defaultRetrySchedule } from '../../shared/domain/retry-schedule.js';
import { batchingWindows, functionTimeouts } from '../config/app-config.js';

export interface StatefulStackProps extends StackProps {
  /** The checker's timeout; the check queue's visibility timeout is derived from it. @default 120 s */
  readonly checkerTimeout?: Duration;
  /** @default 5 s */
  readonly checkerBatchingWindow?: Duration;
  /** The notifier's timeout; the notify queue's visibility timeout is derived from it. @default 60 s */
  readonly notifierTimeout?: Duration;
  /** @default 60 s */
  readonly notifierBatchingWindow?: Duration;
  /**
   * Receives before a message moves to its DLQ. @default the retry schedule's (`shared/domain/retry-schedule.ts`:
   * 30 receives, waits doubling from 10 s to 5 min set by the handlers, about 2 hours in all)
   */
  readonly maxReceiveCount?: number;
  /** How long quarantined webhook payloads are kept. @default 30 days */
  readonly quarantineRetention?: Duration;
  /** Optional e-mail subscribed to the alarm topic, so alarms still reach a human when Slack is the problem. */
  readonly alarmEmail?: string;
}

const attributeTypes = new Map<string, string>(tableDefinition.attributes);
const attribute = (name: string) => ({
  name,
  type: attributeTypes.get(name) === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
});

/**
 * What must survive a redeploy: the order-sync table, the queues and their DLQs, the quarantine bucket, the
 * secrets and the alarm topic. Everything here is retained when the stack is deleted.
 *
 * Secrets are created with placeholder JSON and filled by the operator after the first deploy (deploys never
 * overwrite them, because CloudFormation only generates a value when the secret is created):
 *
 * ```sh
 * aws secretsmanager put-secret-value --secret-id <WebhookSecretArn> \
 *   --secret-string '{"SHOPIFY_WEBHOOK_SECRET":"<the app client secret>"}'
 * aws secretsmanager put-secret-value --secret-id <CredentialsSecretArn> --secret-string \
 *   '{"SHOPIFY_ADMIN_TOKEN":"shpat_…","HOTWAX_API_TOKEN":"…","SLACK_BOT_TOKEN":"xoxb-…"}'
 * ```
 *
 * Each JSON key is named like the environment variable it replaces; the functions merge them into their config
 * at cold start (`CONFIG_SECRET_ARNS`) and ignore empty values, so unfilled keys read as "not configured".
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly checkQueue: Queue;
  readonly checkDlq: Queue;
  readonly notifyQueue: Queue;
  readonly notifyDlq: Queue;
  readonly quarantineBucket: Bucket;
  /** `{"SHOPIFY_WEBHOOK_SECRET": …}` — only the webhook function reads it. */
  readonly webhookSecret: Secret;
  /** Shopify Admin token, HotWax and Slack credentials — for the checker, notifier and sweeper. */
  readonly credentialsSecret: Secret;
  /** `{"SLACK_SIGNING_SECRET": …, "SLACK_BOT_TOKEN": …}` — the Slack app's, for its two functions and the notifier. */
  readonly slackSecret: Secret;
  /** `{"TIMELINE_LINK_KEY": …}`, generated here: signs the timeline page's links (notifier, Slack, API). */
  readonly timelineLinkSecret: Secret;
  /** Replies to people who acted from Slack (the outcome of their action), and its DLQ. */
  readonly slackReplyQueue: Queue;
  readonly slackReplyDlq: Queue;
  readonly alarmTopic: Topic;
  /** The quarantine bucket ARN is exported under this fixed name (see StatelessStack for why). */
  readonly quarantineBucketArnExportName: string;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const maxReceiveCount = props.maxReceiveCount ?? defaultRetrySchedule.maxReceiveCount;

    this.table = new Table(this, 'OrderSyncTable', {
      partitionKey: attribute(tableDefinition.partitionKey),
      sortKey: attribute(tableDefinition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        // Same projection as the local runtime's table, so queries behave alike.
        projectionType:
          indexProjection(index) === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
      });
    }

    const queue = (queueId: string, options: { visibilityTimeout?: Duration; deadLetterQueue?: Queue }) =>
      new Queue(this, queueId, {
        // SQS-managed keys: encrypted at rest without KMS grants, key policies or per-request KMS cost.
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(options.deadLetterQueue
          ? {
              visibilityTimeout: options.visibilityTimeout,
              deadLetterQueue: { queue: options.deadLetterQueue, maxReceiveCount },
            }
          : { retentionPeriod: Duration.days(14) }),
      });

    // A message must stay invisible while any invocation could still be working on it: AWS's guidance for Lambda
    // event sources is six times the function timeout plus the batching window.
    const visibility = (timeout: Duration, window: Duration) =>
      Duration.seconds(6 * timeout.toSeconds() + window.toSeconds());

    this.checkDlq = queue('CheckDlq', {});
    this.checkQueue = queue('CheckQueue', {
      deadLetterQueue: this.checkDlq,
      visibilityTimeout: visibility(
        props.checkerTimeout ?? functionTimeouts.checker,
        props.checkerBatchingWindow ?? batchingWindows.checker,
      ),
    });
    this.notifyDlq = queue('NotifyDlq', {});
    this.notifyQueue = queue('NotifyQueue', {
      deadLetterQueue: this.notifyDlq,
      visibilityTimeout: visibility(
        props.notifierTimeout ?? functionTimeouts.notifier,
        props.notifierBatchingWindow ?? batchingWindows.notifier,
      ),
    });

    this.slackReplyDlq = queue('SlackReplyDlq', {});
    this.slackReplyQueue = queue('SlackReplyQueue', {
      deadLetterQueue: this.slackReplyDlq,
      // No batching window: a person waits for the outcome.
      visibilityTimeout: visibility(functionTimeouts.slackReplies, Duration.seconds(0)),
    });

    const accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      // S3 server access logging delivers only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the quarantine bucket; logging it to itself would loop.',
    });

    const quarantineRetention = props.quarantineRetention ?? Duration.days(30);
    this.quarantineBucket = new Bucket(this, 'QuarantineBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Versioned so an accidental overwrite or delete cannot lose the only copy of an order Shopify sent.
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'quarantine/',
      lifecycleRules: [
        {
          // Raw payloads carry customer PII: keep them only while an operator may still replay them.
          expiration: quarantineRetention,
          noncurrentVersionExpiration: quarantineRetention,
          expiredObjectDeleteMarker: false,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        'order-sync-monitor: the Shopify app client secret that signs webhooks. Put {"SHOPIFY_WEBHOOK_SECRET": "..."}.',
      generateSecretString: placeholder(['SHOPIFY_WEBHOOK_SECRET']),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.credentialsSecret = new Secret(this, 'CredentialsSecret', {
      description:
        'order-sync-monitor: SHOPIFY_ADMIN_TOKEN, HOTWAX_API_TOKEN (or HOTWAX_USERNAME + HOTWAX_PASSWORD), ' +
        'SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL).',
      generateSecretString: placeholder([
        'SHOPIFY_ADMIN_TOKEN',
        'HOTWAX_API_TOKEN',
        'HOTWAX_USERNAME',
        'HOTWAX_PASSWORD',
        'SLACK_BOT_TOKEN',
        'SLACK_WEBHOOK_URL',
      ]),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.slackSecret = new Secret(this, 'SlackSecret', {
      description:
        'order-sync-monitor: the Slack app (buttons, /ordersync). Put {"SLACK_SIGNING_SECRET": "...", ' +
        '"SLACK_BOT_TOKEN": "xoxb-..."}; the notifier reads the bot token here too.',
      generateSecretString: placeholder(['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN']),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.timelineLinkSecret = new Secret(this, 'TimelineLinkSecret', {
      description:
        'order-sync-monitor: the key that signs timeline links (generated; replace it to revoke every link).',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'TIMELINE_LINK_KEY',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.timelineLinkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A rotated key would revoke every timeline link already posted in Slack (they are valid for days); the ' +
        'operator replaces it by hand to revoke them all at once (put-secret-value), and the functions re-read it ' +
        'within 5 minutes.',
    });
    for (const secret of [this.webhookSecret, this.credentialsSecret, this.slackSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Holds credentials issued by Shopify, HotWax and Slack; Secrets Manager cannot rotate them. The operator ' +
          'rotates them in those systems and puts the new value here (the functions re-read secrets every 5 minutes).',
      });
    }

    // Alarms publish here. CloudWatch cannot use the AWS managed SNS key, so the topic has its own key that
    // CloudWatch may use.
    const alarmTopicKey = new Key(this, 'AlarmTopicKey', {
      description: 'order-sync-monitor: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    alarmTopicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'order-sync-monitor alarms',
      masterKey: alarmTopicKey,
      enforceSSL: true,
    });
    this.alarmTopic.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // enforceSSL replaces SNS's default topic policy, so CloudWatch alarms in this account are allowed explicitly.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    new CfnOutput(this, 'WebhookSecretArn', {
      description: 'Put {"SHOPIFY_WEBHOOK_SECRET": "..."} here',
      value: this.webhookSecret.secretArn,
    });
    new CfnOutput(this, 'CredentialsSecretArn', {
      description:
        'Put SHOPIFY_ADMIN_TOKEN, HOTWAX_API_TOKEN (or HOTWAX_USERNAME/HOTWAX_PASSWORD), SLACK_* here',
      value: this.credentialsSecret.secretArn,
    });
    new CfnOutput(this, 'SlackSecretArn', {
      description:
        'Put {"SLACK_SIGNING_SECRET": "...", "SLACK_BOT_TOKEN": "xoxb-..."} here (README › The Slack app)',
      value: this.slackSecret.secretArn,
    });
    new CfnOutput(this, 'QuarantineBucketName', { value: this.quarantineBucket.bucketName });
    this.quarantineBucketArnExportName = `${this.stackName}-QuarantineBucketArn`;
    new CfnOutput(this, 'QuarantineBucketArn', {
      value: this.quarantineBucket.bucketArn,
      exportName: this.quarantineBucketArnExportName,
    });
  }
}

/**
 * A JSON secret with the given keys left empty. CloudFormation insists on generating something, so the random
 * value goes to a key no function reads; the operator's `put-secret-value` replaces the whole JSON.
 */
const placeholder = (keys: string[]) => ({
  secretStringTemplate: JSON.stringify(Object.fromEntries(keys.map((key) => [key, '']))),
  generateStringKey: 'UNUSED_GENERATED_PLACEHOLDER',
});
