import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ComparisonOperator, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { z } from 'zod';
import { tableDefinition } from '../../shared/adapters/dynamo/table-definition.js';
import {
  apiFields,
  checkerBatching,
  checkerFields,
  doctorFields,
  notifierFields,
  slackInteractionsFields,
  slackRepliesFields,
  sweeperFields,
  webhookFields,
} from '../../shared/config/config.js';
import {
  batchingWindows,
  type FunctionConfig,
  functionTimeouts,
  isFunctionSetting,
} from '../config/app-config.js';
import { AppFunction } from '../constructs/app-function.js';
import { webhookBundleAliases } from '../constructs/bundling.js';
import { type AlarmThresholds, SyncAlarms } from '../constructs/sync-alarms.js';
import { SyncDashboard } from '../constructs/sync-dashboard.js';

/** What the stateless stack uses from the stateful one (the `StatefulStack` satisfies it). */
export interface StatefulResources {
  readonly table: ITable;
  /** Name of the stateful stack's export of the quarantine bucket ARN. */
  readonly quarantineBucketArnExportName: string;
  readonly checkQueue: IQueue;
  readonly checkDlq: IQueue;
  readonly notifyQueue: IQueue;
  readonly notifyDlq: IQueue;
  readonly quarantineBucket: IBucket;
  readonly webhookSecret: ISecret;
  readonly credentialsSecret: ISecret;
  readonly slackSecret: ISecret;
  readonly timelineLinkSecret: ISecret;
  readonly slackReplyQueue: IQueue;
  readonly slackReplyDlq: IQueue;
  readonly alarmTopic: ITopic;
}

export interface StatelessStackProps extends StackProps {
  readonly stateful: StatefulResources;
  /**
   * Several shops (`-c shopsFile=…`): bundled with the functions that serve shops (webhook, checker, notifier,
   * sweeper, doctor); their per-shop alarms and dashboard widgets. Secret names in it are keys of the webhook secret
   * (`webhookSecret`, read only by the webhook function) and of the credentials secret (`adminToken`).
   */
  readonly shops?: { readonly path: string; readonly shops: readonly string[] };
  /** Non-secret function settings, named like the environment variables the functions read. */
  readonly functionConfig: FunctionConfig;
  readonly alarmThresholds?: Partial<AlarmThresholds>;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** Stage-wide API throttling. @default 100 requests/s, bursts of 200 */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default none (see AppFunctionProps.reservedConcurrentExecutions) */
  readonly sweeperReservedConcurrency?: number;
}

export const webhookPath = '/webhooks/shopify';
export const slackPaths = ['/slack/actions', '/slack/commands'] as const;
export const timelinePath = '/orders/{shopifyOrderId}/timeline';

// No code scans the table: lookups are by key, by the by-state and by-next-check indexes, or per order partition.
const tableReads = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
// Transactions are authorised per contained action, so TransactWriteItems needs no action of its own.
const tableWrites = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** The webhook records one order at a time: single-item writes and the condition checks of its transactions. */
const webhookTableWrites = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

interface TableAccess {
  reads?: string[];
  writes?: string[];
}

/**
 * Table access on the table and its named indexes only. `grant*Data` would add `<table>/index/*`; naming the
 * indexes from the shared table definition is narrower and needs no wildcard. Writes never target an index.
 */
const grantTable = (fn: AppFunction, table: ITable, access: TableAccess) => {
  if (access.reads) {
    const indexes = tableDefinition.indexes.map((index) => `${table.tableArn}/index/${index.name}`);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: access.reads, resources: [table.tableArn, ...indexes] }),
    );
  }
  if (access.writes) {
    fn.addToRolePolicy(new PolicyStatement({ actions: access.writes, resources: [table.tableArn] }));
  }
};

/**
 * What a function is given of the stateful stack: each binding sets the environment variable the function reads
 * and the grant it needs together, so the two cannot drift apart.
 */
const bindings = (fn: AppFunction, stateful: StatefulResources, cfg: FunctionConfig) => ({
  table(access: TableAccess) {
    fn.addEnvironment('TABLE_NAME', stateful.table.tableName);
    grantTable(fn, stateful.table, access);
  },
  checkQueue() {
    fn.addEnvironment('CHECK_QUEUE_URL', stateful.checkQueue.queueUrl);
    stateful.checkQueue.grantSendMessages(fn);
  },
  notifyQueue() {
    fn.addEnvironment('NOTIFY_QUEUE_URL', stateful.notifyQueue.queueUrl);
    stateful.notifyQueue.grantSendMessages(fn);
  },
  /**
   * The queue's DLQ, to move dead letters back once the dependency answers again: `moveTask` with SQS's message move
   * task (StartMessageMoveTask needs receive and delete on the DLQ, send on the queue), otherwise only the sweep's
   * probe of one message (receive, delete; it sends with the queue's own grant). No wildcard: both queues by ARN.
   */
  deadLetters(
    dlq: IQueue,
    source: IQueue,
    env: 'CHECK_DLQ_URL' | 'NOTIFY_DLQ_URL',
    options: { moveTask: boolean },
  ) {
    fn.addEnvironment(env, dlq.queueUrl);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          ...(options.moveTask ? ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'] : []),
        ],
        resources: [dlq.queueArn],
      }),
    );
    if (options.moveTask) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [source.queueArn] }));
    }
  },
  /** The only secret the function reads (`CONFIG_SECRET_ARNS`), through Powertools' cache. */
  secret(secret: ISecret) {
    fn.addEnvironment('CONFIG_SECRET_ARNS', secret.secretArn);
    secret.grantRead(fn);
  },
  /** The secrets the function reads, merged in this order (a later one's values win). */
  secrets(...secrets: ISecret[]) {
    fn.addEnvironment('CONFIG_SECRET_ARNS', secrets.map((secret) => secret.secretArn).join(','));
    for (const secret of secrets) secret.grantRead(fn);
  },
  slackReplyQueue() {
    fn.addEnvironment('SLACK_REPLY_QUEUE_URL', stateful.slackReplyQueue.queueUrl);
    stateful.slackReplyQueue.grantSendMessages(fn);
  },
  /** The non-secret settings the function's own config schema reads; unset ones get the function's defaults. */
  settings(fields: z.ZodObject, overrides: Partial<Record<keyof FunctionConfig, string>> = {}) {
    for (const key of Object.keys(fields.shape)) {
      if (!isFunctionSetting(key)) continue;
      const value = overrides[key] ?? cfg[key];
      if (value !== undefined) fn.addEnvironment(key, String(value));
    }
  },
});

const shopsFileOf = (props: StatelessStackProps) => (props.shops ? { shopsFile: props.shops.path } : {});

/**
 * The functions, the HTTP API, the schedule, the alarms and the dashboard: everything that can be destroyed and
 * redeployed without losing data.
 *
 * Run a sweep on demand (e.g. after fixing a deleted subscription) with
 * `aws lambda invoke --function-name <SweeperFunctionName output> --invocation-type Event /dev/null`.
 */
export class StatelessStack extends Stack {
  readonly webhookFunction: AppFunction;
  readonly apiFunction: AppFunction;
  readonly checkerFunction: AppFunction;
  readonly notifierFunction: AppFunction;
  readonly sweeperFunction: AppFunction;
  readonly doctorFunction: AppFunction;
  readonly slackFunction: AppFunction;
  readonly slackRepliesFunction: AppFunction;
  readonly httpApi: HttpApi;
  readonly alarms: SyncAlarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful, functionConfig: cfg } = props;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'order-sync-monitor: Shopify webhooks in, order sync state out',
      // The stage is declared below so it can have access logs, route metrics and throttling.
      createDefaultStage: false,
    });
    const webhookCallbackUrl = cfg.WEBHOOK_CALLBACK_URL ?? `${this.httpApi.apiEndpoint}${webhookPath}`;
    // Where the timeline links in Slack point: a custom domain when given, else the API's own endpoint.
    const publicBaseUrl = cfg.PUBLIC_BASE_URL ?? this.httpApi.apiEndpoint;

    // --- webhook: verify, record, schedule the check; quarantine what cannot be parsed -------------------------
    this.webhookFunction = new AppFunction(this, 'WebhookFunction', {
      entry: 'functions/webhook/handler.ts',
      ...shopsFileOf(props),
      description: 'POST /webhooks/shopify: verifies the HMAC, records the order, schedules its check',
      timeout: functionTimeouts.webhook,
      // More CPU for a fast cold start: Shopify waits only 5 s for the answer.
      memorySize: 1024,
      logRetention,
      bundleAliases: webhookBundleAliases,
    });
    const webhook = bindings(this.webhookFunction, stateful, cfg);
    webhook.settings(webhookFields);
    webhook.table({ writes: webhookTableWrites });
    webhook.checkQueue();
    // Only the signing secret: a leaked webhook function cannot reach HotWax, Shopify Admin or Slack.
    webhook.secret(stateful.webhookSecret);
    this.webhookFunction.addEnvironment('QUARANTINE_BUCKET', stateful.quarantineBucket.bucketName);
    // The bucket ARN comes through a named export so the object wildcard below has a stable, reviewable name.
    const quarantineObjects = `${Fn.importValue(stateful.quarantineBucketArnExportName)}/*`;
    this.webhookFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [quarantineObjects] }),
    );
    Validations.of(this.webhookFunction.role ?? this.webhookFunction).acknowledge({
      // cdk-nag names an imported value by its export name.
      id: `AwsSolutions-IAM5[Resource::${stateful.quarantineBucketArnExportName}/*]`,
      reason:
        "Quarantined payloads get a new object key per delivery, so PutObject must cover the bucket's objects; " +
        'only PutObject is allowed (no read, list or delete), and only on the quarantine bucket.',
    });

    // --- api: read-only view of an order's sync state --------------------------------------------------------
    this.apiFunction = new AppFunction(this, 'ApiFunction', {
      entry: 'functions/api/handler.ts',
      description: 'GET /orders/{shopifyOrderId} and GET /health',
      timeout: functionTimeouts.api,
      logRetention,
    });
    // The API only reads the table, and the timeline page's link key: no queue, no other secret.
    const api = bindings(this.apiFunction, stateful, cfg);
    api.settings(apiFields, { PUBLIC_BASE_URL: publicBaseUrl });
    api.table({ reads: tableReads });
    api.secret(stateful.timelineLinkSecret);

    // --- checker: compare with HotWax, repair, verify ---------------------------------------------------------
    this.checkerFunction = new AppFunction(this, 'CheckerFunction', {
      entry: 'functions/checker/handler.ts',
      ...shopsFileOf(props),
      description: 'Checks orders against HotWax and repairs the missing or stuck ones',
      timeout: functionTimeouts.checker,
      logRetention,
    });
    const checker = bindings(this.checkerFunction, stateful, cfg);
    checker.settings(checkerFields);
    checker.table({ reads: tableReads, writes: tableWrites });
    checker.checkQueue();
    checker.notifyQueue();
    checker.deadLetters(stateful.checkDlq, stateful.checkQueue, 'CHECK_DLQ_URL', { moveTask: true });
    // The outcome of a check a person asked for from Slack goes back to them.
    checker.slackReplyQueue();
    checker.secret(stateful.credentialsSecret);
    this.checkerFunction.addEventSource(
      new SqsEventSource(stateful.checkQueue, {
        // One HotWax lookup per batch and shop: batches of up to 100 (config.ts declares the batching once).
        batchSize: checkerBatching.batchSize,
        maxBatchingWindow: batchingWindows.checker,
        reportBatchItemFailures: true,
        // HotWax is the bottleneck: at most 5 concurrent batches talk to it, whatever the backlog.
        maxConcurrency: checkerBatching.maxConcurrency,
      }),
    );

    // --- notifier: Slack, from the notify queue and from alarms ----------------------------------------------
    this.notifierFunction = new AppFunction(this, 'NotifierFunction', {
      entry: 'functions/notifier/handler.ts',
      ...shopsFileOf(props),
      description: 'Sends Slack notifications and digests; forwards CloudWatch alarms',
      timeout: functionTimeouts.notifier,
      logRetention,
    });
    // The notify queue feeds it through the event source; it sends to no queue itself. The links in its messages
    // come with the notifications, so it needs no shop or HotWax settings.
    const notifier = bindings(this.notifierFunction, stateful, cfg);
    notifier.settings(notifierFields, { PUBLIC_BASE_URL: publicBaseUrl });
    // Read/write for the Slack thread and storm-window items (SLACK#… keys in the same table).
    notifier.table({ reads: tableReads, writes: tableWrites });
    // Its own queue's URL, to hold failed records back (ChangeMessageVisibility comes with the event source).
    this.notifierFunction.addEnvironment('NOTIFY_QUEUE_URL', stateful.notifyQueue.queueUrl);
    notifier.deadLetters(stateful.notifyDlq, stateful.notifyQueue, 'NOTIFY_DLQ_URL', { moveTask: true });
    // The Slack app's secret after the credentials: its bot token (and signing secret: buttons on) wins; the link
    // key signs each message's timeline link.
    notifier.secrets(stateful.credentialsSecret, stateful.slackSecret, stateful.timelineLinkSecret);
    this.notifierFunction.addEventSource(
      new SqsEventSource(stateful.notifyQueue, {
        batchSize: 100,
        maxBatchingWindow: batchingWindows.notifier,
        reportBatchItemFailures: true,
        // Slack rate-limits per channel; two concurrent batches is the minimum SQS allows.
        maxConcurrency: 2,
      }),
    );
    stateful.alarmTopic.addSubscription(new LambdaSubscription(this.notifierFunction));

    // --- sweeper: reconciliation against Shopify, overdue checks, subscription watchdog -----------------------
    this.sweeperFunction = new AppFunction(this, 'SweeperFunction', {
      entry: 'functions/sweeper/handler.ts',
      ...shopsFileOf(props),
      description: 'Reconciliation sweep: orders without webhooks, overdue checks, webhook subscriptions',
      timeout: functionTimeouts.sweeper,
      logRetention,
      reservedConcurrentExecutions: props.sweeperReservedConcurrency,
    });
    const sweeper = bindings(this.sweeperFunction, stateful, cfg);
    sweeper.settings(sweeperFields, { WEBHOOK_CALLBACK_URL: webhookCallbackUrl });
    sweeper.table({ reads: tableReads, writes: tableWrites });
    sweeper.checkQueue();
    sweeper.notifyQueue();
    sweeper.deadLetters(stateful.checkDlq, stateful.checkQueue, 'CHECK_DLQ_URL', { moveTask: false });
    sweeper.deadLetters(stateful.notifyDlq, stateful.notifyQueue, 'NOTIFY_DLQ_URL', { moveTask: false });
    sweeper.secret(stateful.credentialsSecret);
    // A failed sweep is not retried: the next scheduled sweep covers the same window, and overlapping sweeps
    // would only spend Shopify API quota twice.
    this.sweeperFunction.configureAsyncInvoke({ retryAttempts: 0 });
    // Our own role: the target's default grant also covers every version and alias (`<arn>:*`), which the
    // schedule never invokes.
    const scheduleRole = new Role(this, 'SweepScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Lets EventBridge Scheduler start the reconciliation sweep',
    });
    scheduleRole.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.sweeperFunction.functionArn],
      }),
    );
    new Schedule(this, 'SweepSchedule', {
      description: 'order-sync-monitor: reconciliation sweep',
      schedule: ScheduleExpression.rate(Duration.seconds(cfg.SWEEP_INTERVAL_SECONDS)),
      // Retries here only cover failing to hand the event to Lambda (throttling, service errors).
      target: new LambdaInvoke(this.sweeperFunction, {
        role: scheduleRole.withoutPolicyUpdates(),
        retryAttempts: 3,
        maxEventAge: Duration.minutes(10),
      }),
    });

    // --- doctor: proves the deployed configuration on demand, read-only ------------------------------------------
    this.doctorFunction = new AppFunction(this, 'DoctorFunction', {
      entry: 'functions/doctor/handler.ts',
      ...shopsFileOf(props),
      description:
        'Invoke to prove the configuration: HotWax, Shopify and Slack, one line each, read-only (npm run cli -- doctor)',
      timeout: functionTimeouts.doctor,
      logRetention,
    });
    // What the checker, sweeper and notifier are given, so it proves their configuration; no table, no queue.
    const doctor = bindings(this.doctorFunction, stateful, cfg);
    doctor.settings(doctorFields, { WEBHOOK_CALLBACK_URL: webhookCallbackUrl });
    // Both secrets: it also proves the webhook function's signing secret is set.
    this.doctorFunction.addEnvironment(
      'CONFIG_SECRET_ARNS',
      [stateful.webhookSecret.secretArn, stateful.credentialsSecret.secretArn].join(','),
    );
    stateful.webhookSecret.grantRead(this.doctorFunction);
    stateful.credentialsSecret.grantRead(this.doctorFunction);

    // --- slack: buttons, the Ignore modal and /ordersync; verifies, answers within 3 s, queues the work ---------
    this.slackFunction = new AppFunction(this, 'SlackFunction', {
      entry: 'functions/slack/handler.ts',
      description:
        'POST /slack/actions and /slack/commands: verifies Slack, acts on an order, answers in 3 s',
      timeout: functionTimeouts.slack,
      // More CPU for a fast cold start: Slack waits only 3 s for the answer.
      memorySize: 1024,
      logRetention,
    });
    const slack = bindings(this.slackFunction, stateful, cfg);
    slack.settings(slackInteractionsFields, { PUBLIC_BASE_URL: publicBaseUrl });
    // Reads orders, the by-name index and requests; writes an action's record, event and request in one go.
    slack.table({ reads: tableReads, writes: ['dynamodb:PutItem'] });
    slack.checkQueue();
    slack.slackReplyQueue();
    // Only the Slack app's secret and the link key: a leaked Slack function cannot reach HotWax or Shopify Admin.
    slack.secrets(stateful.slackSecret, stateful.timelineLinkSecret);

    // --- slack replies: the outcome of what people asked, shown in place and in the thread ---------------------
    this.slackRepliesFunction = new AppFunction(this, 'SlackRepliesFunction', {
      entry: 'functions/slack-replies/handler.ts',
      description: 'Shows people the outcome of what they asked from Slack (chat.update, thread reply)',
      timeout: functionTimeouts.slackReplies,
      logRetention,
    });
    const replies = bindings(this.slackRepliesFunction, stateful, cfg);
    replies.settings(slackRepliesFields, { PUBLIC_BASE_URL: publicBaseUrl });
    // Reads the order and the request; marks the request answered.
    replies.table({ reads: tableReads, writes: ['dynamodb:UpdateItem'] });
    replies.secrets(stateful.slackSecret, stateful.timelineLinkSecret);
    this.slackRepliesFunction.addEventSource(
      new SqsEventSource(stateful.slackReplyQueue, {
        batchSize: 10,
        // A person is waiting: no batching window.
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    // --- HTTP API -----------------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // Route-level metrics: the Webhook5xx alarm watches POST /webhooks/shopify alone.
      detailedMetricsEnabled: true,
      throttle: props.apiThrottle ?? { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No bodies, headers or query strings: nothing personal reaches the access log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
            sourceIp: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
          }),
        ),
      },
    });

    const [webhookRoute] = this.httpApi.addRoutes({
      path: webhookPath,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('WebhookIntegration', this.webhookFunction),
    });
    const apiIntegration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    this.httpApi.addRoutes({
      path: '/orders/{shopifyOrderId}',
      methods: [HttpMethod.GET],
      integration: apiIntegration,
      // Order state and timelines are internal: callers sign with SigV4 and need execute-api:Invoke.
      authorizer: new HttpIamAuthorizer(),
    });
    // Opened from Slack in a browser without AWS credentials: the link's signed, expiring token is the access check.
    const [timelineRoute] = this.httpApi.addRoutes({
      path: timelinePath,
      methods: [HttpMethod.GET],
      integration: apiIntegration,
    });
    const slackIntegration = new HttpLambdaIntegration('SlackIntegration', this.slackFunction);
    const slackRoutes = slackPaths.flatMap((path) =>
      this.httpApi.addRoutes({ path, methods: [HttpMethod.POST], integration: slackIntegration }),
    );
    const [healthRoute] = this.httpApi.addRoutes({
      path: '/health',
      methods: [HttpMethod.GET],
      integration: apiIntegration,
    });
    if (webhookRoute) {
      Validations.of(webhookRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Shopify calls this route and cannot sign AWS requests or send a token; every delivery is authenticated ' +
          'by its X-Shopify-Hmac-Sha256 signature (HMAC-SHA256 of the raw body with the app secret) in the webhook ' +
          'function before anything is recorded. Stage throttling bounds abuse, and rejections raise an alarm.',
      });
    }
    for (const route of slackRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Slack calls this route and cannot sign AWS requests; every request is authenticated by its ' +
          'X-Slack-Signature (HMAC-SHA256 of v0:<timestamp>:<raw body> with the app signing secret, timestamps older ' +
          'than 5 minutes refused) in the Slack function before anything is parsed, and another workspace is refused. ' +
          'Stage throttling bounds abuse.',
      });
    }
    if (timelineRoute) {
      Validations.of(timelineRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'People open this page from a Slack link in a browser, which holds no AWS credentials; the link carries a ' +
          'token signed with the key in the timeline link secret (HMAC over shop, order id and expiry, a few days) and ' +
          'the page shows nothing without a valid one (403). It shows no customer data. Stage throttling bounds abuse.',
      });
    }
    if (healthRoute) {
      Validations.of(healthRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Liveness probe for external uptime monitors, which hold no AWS credentials; it returns only a status ' +
          'and no order data. Stage throttling bounds abuse.',
      });
    }

    // --- alarms and dashboard -----------------------------------------------------------------------------------
    const functions = {
      webhook: this.webhookFunction,
      api: this.apiFunction,
      checker: this.checkerFunction,
      notifier: this.notifierFunction,
      sweeper: this.sweeperFunction,
      slack: this.slackFunction,
      slackReplies: this.slackRepliesFunction,
    };
    const webhook5xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      dimensionsMap: {
        ApiId: this.httpApi.apiId,
        Stage: stage.stageName,
        Method: 'POST',
        Resource: webhookPath,
      },
      statistic: Stats.SUM,
      period: Duration.minutes(5),
    });
    this.alarms = new SyncAlarms(this, 'Alarms', {
      alarmTopic: stateful.alarmTopic,
      functions,
      checkDlq: stateful.checkDlq,
      notifyDlq: stateful.notifyDlq,
      webhook5xx,
      sweepInterval: Duration.seconds(cfg.SWEEP_INTERVAL_SECONDS),
      thresholds: props.alarmThresholds,
      shops: props.shops?.shops ?? [],
    });
    this.alarms.add('SlackReplyDlqNotEmpty', {
      metric: stateful.slackReplyDlq.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'Replies to people who acted from Slack failed 5 times and were parked in the Slack reply DLQ: they did not ' +
        "see the outcome (the action itself was recorded). Read the Slack replies function's logs (bot token in the " +
        'Slack secret, Slack outage), then redrive: SQS console > the DLQ > "Start DLQ redrive".',
    });
    new SyncDashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-order-sync`,
      functions,
      queues: {
        check: stateful.checkQueue,
        checkDlq: stateful.checkDlq,
        notify: stateful.notifyQueue,
        notifyDlq: stateful.notifyDlq,
      },
      webhook5xx,
      alarms: this.alarms.alarms,
      shops: props.shops?.shops ?? [],
    });

    new CfnOutput(this, 'WebhookUrl', {
      description: 'Subscribe the Shopify orders/create and orders/fulfilled webhooks to this URL',
      value: webhookCallbackUrl,
    });
    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'SlackInteractivityUrl', {
      description: "The Slack app's Interactivity Request URL (slack-app-manifest.json)",
      value: `${this.httpApi.apiEndpoint}/slack/actions`,
    });
    new CfnOutput(this, 'SlackCommandUrl', {
      description: 'The /ordersync slash command Request URL (slack-app-manifest.json)',
      value: `${this.httpApi.apiEndpoint}/slack/commands`,
    });
    new CfnOutput(this, 'DoctorFunctionName', {
      description:
        'aws lambda invoke --function-name <this> doctor.json && cat doctor.json proves the configuration (read-only)',
      value: this.doctorFunction.functionName,
    });
    new CfnOutput(this, 'SweeperFunctionName', {
      description:
        'aws lambda invoke --function-name <this> --invocation-type Event /dev/null runs a sweep now',
      value: this.sweeperFunction.functionName,
    });
  }
}
