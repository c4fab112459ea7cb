import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricName, metricNamespace, serviceName } from '../../shared/domain/metric-names.js';
import { actionsOf, logicalId, roleStatements, type Statement, synthTestApp } from './support/test-app.js';

let template: Template;
let built: ReturnType<typeof synthTestApp>;
let fnIds: Record<
  'webhook' | 'api' | 'checker' | 'notifier' | 'sweeper' | 'doctor' | 'slack' | 'slackReplies',
  string
>;

beforeAll(() => {
  // One non-default threshold proves that context reaches the alarms.
  built = synthTestApp({ alarmNoWebhooksMinutes: '240' });
  template = built.statelessTemplate;
  const s = built.stateless;
  fnIds = {
    webhook: logicalId(s, s.webhookFunction),
    api: logicalId(s, s.apiFunction),
    checker: logicalId(s, s.checkerFunction),
    notifier: logicalId(s, s.notifierFunction),
    sweeper: logicalId(s, s.sweeperFunction),
    doctor: logicalId(s, s.doctorFunction),
    slack: logicalId(s, s.slackFunction),
    slackReplies: logicalId(s, s.slackRepliesFunction),
  };
});

const fnProps = (id: string) => template.toJSON().Resources[id].Properties;
const statefulId = (resource: { node: { defaultChild?: unknown } }) => logicalId(built.stateful, resource);

describe('functions', () => {
  it('run every function on Node 24, ARM64, with active tracing, source maps and its own log group', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(8);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: serviceName,
            POWERTOOLS_METRICS_NAMESPACE: metricNamespace,
          }),
        },
      });
    }
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    }
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('passes the non-secret config by environment variable name and secrets only by ARN', () => {
    const checkerEnv = fnProps(fnIds.checker).Environment.Variables;
    expect(checkerEnv).toMatchObject({
      SHOPIFY_SHOP: 'acme.myshopify.com',
      HOTWAX_BASE_URL: 'https://acme.hotwax.io',
      HOTWAX_SHOPIFY_CONFIG_ID: 'SHOP_CONFIG',
      HOTWAX_ORDER_MDM_CONFIG_ID: 'CRT_SHOPIFY_ORDER',
      HOTWAX_REFRESH_ORDER_SERVICE: 'refreshShopifyOrder',
      CHECK_DELAY_SECONDS: '600',
      MAX_REPAIR_ATTEMPTS: '3',
      TABLE_NAME: expect.anything(),
      CHECK_QUEUE_URL: expect.anything(),
      NOTIFY_QUEUE_URL: expect.anything(),
    });
    expect(checkerEnv).not.toHaveProperty('HOTWAX_IMPORT_ORDER_SERVICE');
    expect(JSON.stringify(checkerEnv.CONFIG_SECRET_ARNS)).toContain(
      statefulId(built.stateful.credentialsSecret),
    );
    expect(fnProps(fnIds.webhook).Environment.Variables).toHaveProperty('QUARANTINE_BUCKET');
    const notifierEnv = fnProps(fnIds.notifier).Environment.Variables;
    expect(notifierEnv).toHaveProperty('SLACK_CHANNEL_ID', 'C0123456789');
    // The notifier's links come with the notifications: it reads no shop or HotWax settings, and of the queues only
    // its own (to hold failed records back) and its DLQ (to move them back once Slack answers).
    for (const unread of ['SHOPIFY_SHOP', 'HOTWAX_BASE_URL', 'CHECK_QUEUE_URL', 'CHECK_DLQ_URL'])
      expect(notifierEnv).not.toHaveProperty(unread);
    // The sweeper reads Shopify's orders, and HotWax's import flows with the checker's HotWax settings.
    expect(fnProps(fnIds.sweeper).Environment.Variables).toMatchObject({
      HOTWAX_BASE_URL: 'https://acme.hotwax.io',
      HOTWAX_SHOPIFY_CONFIG_ID: 'SHOP_CONFIG',
    });
    expect(JSON.stringify(fnProps(fnIds.sweeper).Environment.Variables.CONFIG_SECRET_ARNS)).toContain(
      statefulId(built.stateful.credentialsSecret),
    );
    expect(notifierEnv).toMatchObject({
      NOTIFY_QUEUE_URL: expect.anything(),
      NOTIFY_DLQ_URL: expect.anything(),
    });
    expect(checkerEnv).toMatchObject({ CHECK_DLQ_URL: expect.anything() });
    // The retry schedule is the stacks' own (shared/domain/retry-schedule.ts), never a deploy-time setting.
    for (const fn of [checkerEnv, notifierEnv])
      expect(Object.keys(fn).filter((name) => name.startsWith('RETRY_'))).toEqual([]);
    expect(fnProps(fnIds.sweeper).Environment.Variables).toMatchObject({
      SWEEP_INTERVAL_SECONDS: '900',
      RESTORE_WEBHOOK_SUBSCRIPTIONS: 'false',
      WEBHOOK_CALLBACK_URL: expect.anything(),
    });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      expect(
        names.filter((name) =>
          /TOKEN|PASSWORD|WEBHOOK_SECRET|WEBHOOK_URL$|SIGNING_SECRET|LINK_KEY/.test(name),
        ),
      ).toEqual([]);
    }
  });
});

describe('least privilege', () => {
  const credentials = () => statefulId(built.stateful.credentialsSecret);
  const webhookSecret = () => statefulId(built.stateful.webhookSecret);
  const dynamoReads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  const dynamoWrites = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ];

  it('gives the webhook function only its signing secret, table writes, check-queue sends and quarantine puts', () => {
    const webhookEnv = fnProps(fnIds.webhook).Environment.Variables;
    expect(JSON.stringify(webhookEnv.CONFIG_SECRET_ARNS)).toContain(webhookSecret());
    expect(JSON.stringify(webhookEnv)).not.toContain(credentials());

    const statements = roleStatements(template, fnIds.webhook);
    const text = JSON.stringify(statements);
    expect(text).toContain(webhookSecret());
    expect(text).not.toContain(credentials());
    expect(text).not.toContain(statefulId(built.stateful.notifyQueue));
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'sqs:SendMessage', 's3:PutObject']));
    expect(actions.filter((action) => dynamoReads.includes(action))).toEqual([]);
    expect(actions.filter((action) => /^s3:(Get|List|Delete)/.test(action))).toEqual([]);
  });

  const linkSecret = () => statefulId(built.stateful.timelineLinkSecret);
  const slackSecret = () => statefulId(built.stateful.slackSecret);

  it('gives the api function read-only table access and the timeline link key, nothing else', () => {
    const statements = roleStatements(template, fnIds.api);
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(actions.filter((action) => dynamoWrites.includes(action))).toEqual([]);
    expect(actions.filter((action) => /^(sqs|s3|sns):/.test(action))).toEqual([]);
    const secretReads = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(JSON.stringify(secretReads)).toContain(linkSecret());
    expect(JSON.stringify(secretReads)).not.toMatch(
      new RegExp(`${credentials()}|${slackSecret()}|${webhookSecret()}`),
    );
    const env = fnProps(fnIds.api).Environment.Variables;
    expect(JSON.stringify(env.CONFIG_SECRET_ARNS)).toContain(linkSecret());
    expect(env).not.toHaveProperty('CHECK_QUEUE_URL');
    expect(env.PUBLIC_BASE_URL).toBeDefined();
  });

  it('gives the Slack function the Slack secret and link key, check and reply sends, and no HotWax or Shopify credentials', () => {
    const statements = roleStatements(template, fnIds.slack);
    const text = JSON.stringify(statements);
    expect(text).toContain(slackSecret());
    expect(text).toContain(linkSecret());
    expect(text).not.toContain(credentials());
    expect(text).not.toContain(webhookSecret());
    expect(text).not.toContain(statefulId(built.stateful.notifyQueue));
    expect(text).not.toContain(statefulId(built.stateful.quarantineBucket));
    const sends = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
    const targets = JSON.stringify(sends.map((statement) => statement.Resource));
    expect(targets).toContain(statefulId(built.stateful.checkQueue));
    expect(targets).toContain(statefulId(built.stateful.slackReplyQueue));
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem']),
    );
    expect(
      actions.filter((action) => /dynamodb:(DeleteItem|BatchWriteItem|UpdateItem)/.test(action)),
    ).toEqual([]);
    const env = fnProps(fnIds.slack).Environment.Variables;
    expect(env).toMatchObject({
      SLACK_REPLY_QUEUE_URL: expect.anything(),
      CHECK_QUEUE_URL: expect.anything(),
    });
    expect(env).not.toHaveProperty('HOTWAX_BASE_URL');
    expect(env).not.toHaveProperty('NOTIFY_QUEUE_URL');
  });

  it('gives the Slack reply worker its queue, table reads, one update and the Slack secret and link key', () => {
    const statements = roleStatements(template, fnIds.slackReplies);
    const text = JSON.stringify(statements);
    expect(text).toContain(slackSecret());
    expect(text).toContain(linkSecret());
    expect(text).not.toContain(credentials());
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => action === 'sqs:SendMessage')).toEqual([]);
    expect(actions.filter((action) => dynamoWrites.includes(action))).toEqual(['dynamodb:UpdateItem']);
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
  });

  it('lets the checker hand outcomes to the Slack reply queue, and the notifier read the Slack secret after the credentials', () => {
    const checkerSends = roleStatements(template, fnIds.checker).filter((statement) =>
      actionsOf(statement).includes('sqs:SendMessage'),
    );
    expect(JSON.stringify(checkerSends)).toContain(statefulId(built.stateful.slackReplyQueue));
    const arns = JSON.stringify(fnProps(fnIds.notifier).Environment.Variables.CONFIG_SECRET_ARNS);
    expect(arns.indexOf(credentials())).toBeGreaterThan(-1);
    expect(arns.indexOf(slackSecret())).toBeGreaterThan(arns.indexOf(credentials()));
    expect(arns).toContain(linkSecret());
  });

  it.each([
    ['checker', true, true],
    ['sweeper', true, true],
    // its message move task sends the dead letters back to the notify queue
    ['notifier', false, true],
  ] as const)(
    'gives the %s the credentials and only the queues it needs',
    (name, sendsChecks, sendsNotifies) => {
      const statements = roleStatements(template, fnIds[name]);
      const text = JSON.stringify(statements);
      expect(text).toContain(credentials());
      expect(text).not.toContain(webhookSecret());
      expect(text).not.toContain(statefulId(built.stateful.quarantineBucket));
      const sends = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
      const sendTargets = JSON.stringify(sends.map((statement) => statement.Resource));
      expect(sendTargets.includes(statefulId(built.stateful.checkQueue))).toBe(sendsChecks);
      expect(sendTargets.includes(statefulId(built.stateful.notifyQueue))).toBe(sendsNotifies);
      expect(statements.flatMap(actionsOf)).toEqual(
        expect.arrayContaining([...dynamoReads, ...dynamoWrites]),
      );
    },
  );

  it('gives the doctor both secrets to read and nothing to write: no table, no queue, no bucket', () => {
    const statements = roleStatements(template, fnIds.doctor);
    const text = JSON.stringify(statements);
    expect(text).toContain(credentials());
    expect(text).toContain(webhookSecret());
    const actions = statements.flatMap(actionsOf);
    expect(
      actions.filter(
        (action) => !/^(secretsmanager:(GetSecretValue|DescribeSecret)|xray:|logs:)/.test(action),
      ),
    ).toEqual([]);
    const env = fnProps(fnIds.doctor).Environment.Variables;
    // The settings the checker, sweeper and notifier read, so it proves theirs.
    expect(env).toMatchObject({
      SHOPIFY_SHOP: 'acme.myshopify.com',
      HOTWAX_BASE_URL: 'https://acme.hotwax.io',
      SLACK_CHANNEL_ID: 'C0123456789',
      WEBHOOK_CALLBACK_URL: expect.anything(),
    });
    for (const unused of ['TABLE_NAME', 'CHECK_QUEUE_URL', 'NOTIFY_QUEUE_URL', 'QUARANTINE_BUCKET'])
      expect(env).not.toHaveProperty(unused);
    expect(JSON.stringify(env.CONFIG_SECRET_ARNS)).toContain(credentials());
    expect(JSON.stringify(env.CONFIG_SECRET_ARNS)).toContain(webhookSecret());
    // On demand only: no schedule, queue or topic invokes it.
    expect(JSON.stringify(template.findResources('AWS::Lambda::EventSourceMapping'))).not.toContain(
      fnIds.doctor,
    );
    expect(JSON.stringify(template.findResources('AWS::Scheduler::Schedule'))).not.toContain(fnIds.doctor);
    expect(JSON.stringify(template.findResources('AWS::SNS::Subscription'))).not.toContain(fnIds.doctor);
  });

  it.each([
    ['checker', 'checkDlq', true],
    ['notifier', 'notifyDlq', true],
    ['sweeper', 'checkDlq', false],
    ['sweeper', 'notifyDlq', false],
  ] as const)(
    'lets the %s read and empty the %s only by its ARN (move task: %s)',
    (name, dlqKey, moveTask) => {
      const statements = roleStatements(template, fnIds[name]).filter((statement) =>
        JSON.stringify(statement.Resource).includes(statefulId(built.stateful[dlqKey])),
      );
      expect(statements.flatMap(actionsOf).sort()).toEqual(
        [
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          ...(moveTask ? ['sqs:ListMessageMoveTasks', 'sqs:StartMessageMoveTask'] : []),
        ].sort(),
      );
      expect(JSON.stringify(statements.map((statement) => statement.Resource))).not.toContain('*');
    },
  );

  it('lets no function start a message move task on a queue other than a DLQ', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const moves = statements.filter((statement) => actionsOf(statement).includes('sqs:StartMessageMoveTask'));
    expect(moves).toHaveLength(2);
    const dlqs = [statefulId(built.stateful.checkDlq), statefulId(built.stateful.notifyDlq)];
    const sources = [statefulId(built.stateful.checkQueue), statefulId(built.stateful.notifyQueue)];
    for (const statement of moves) {
      const target = JSON.stringify(statement.Resource);
      expect(dlqs.some((id) => target.includes(id))).toBe(true);
      expect(sources.some((id) => target.includes(id))).toBe(false);
    }
  });

  it('grants no table scan to any function: no code scans', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
  });

  it('lets the schedule invoke the sweeper and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('lambda:InvokeFunction'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [fnIds.sweeper, 'Arn'] },
      },
    ]);
  });
});

describe('HTTP API', () => {
  it.each([
    ['POST /webhooks/shopify', 'NONE', 'webhook'],
    ['GET /orders/{shopifyOrderId}', 'AWS_IAM', 'api'],
    ['GET /health', 'NONE', 'api'],
    ['GET /orders/{shopifyOrderId}/timeline', 'NONE', 'api'],
    ['POST /slack/actions', 'NONE', 'slack'],
    ['POST /slack/commands', 'NONE', 'slack'],
  ] as const)('routes %s with %s authorization', (routeKey, authorizationType, fn) => {
    const routes = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
    );
    expect(routes).toHaveLength(1);
    expect(routes[0]?.Properties.AuthorizationType).toBe(authorizationType);
    const integrationId = routes[0]?.Properties.Target['Fn::Join'][1][1].Ref;
    const integration = template.toJSON().Resources[integrationId];
    expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(fnIds[fn]);
  });

  it('logs access, emits route metrics and throttles on the default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 6);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
      DefaultRouteSettings: {
        DetailedMetricsEnabled: true,
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      },
    });
  });
});

describe('event sources and schedule', () => {
  it('feeds the checker batches of up to 100 gathered for 5 s (one HotWax lookup each), partial failures and a concurrency cap that protects HotWax', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnIds.checker },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('feeds the notifier large batches over a minute, so a storm becomes one digest', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnIds.notifier },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('feeds the Slack reply worker without a batching window: a person waits for the outcome', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).find(
      (candidate) => candidate.Properties.FunctionName.Ref === fnIds.slackReplies,
    );
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(mapping?.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
  });

  it('subscribes the notifier to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [fnIds.notifier, 'Arn'] },
      TopicArn: { 'Fn::ImportValue': Match.stringLikeRegexp(statefulId(built.stateful.alarmTopic)) },
    });
  });

  it('runs the sweep every SWEEP_INTERVAL_SECONDS without retrying a failed sweep', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnIds.sweeper, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnIds.sweeper },
      MaximumRetryAttempts: 0,
    });
  });
});

describe('alarms', () => {
  const GTE = 'GreaterThanOrEqualToThreshold';
  const custom = (metric: string) => ({
    Namespace: metricNamespace,
    MetricName: metric,
    Dimensions: [{ Name: 'service', Value: serviceName }],
  });
  const functionAlarms = [
    'Webhook',
    'Api',
    'Checker',
    'Notifier',
    'Sweeper',
    'Slack',
    'SlackReplies',
  ].flatMap((name) => [
    [
      `${name}FunctionErrors`,
      { Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1, ComparisonOperator: GTE },
    ],
    [
      `${name}FunctionThrottles`,
      { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Threshold: 1, ComparisonOperator: GTE },
    ],
  ]);
  const expected: [string, Record<string, unknown>][] = [
    [
      'CheckDlqNotEmpty',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: GTE },
    ],
    [
      'NotifyDlqNotEmpty',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: GTE },
    ],
    [
      'SlackReplyDlqNotEmpty',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: GTE },
    ],
    ...(functionAlarms as [string, Record<string, unknown>][]),
    [
      'Webhook5xx',
      {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: Match.arrayWith([
          { Name: 'Method', Value: 'POST' },
          { Name: 'Resource', Value: '/webhooks/shopify' },
        ]),
        Threshold: 1,
        ComparisonOperator: GTE,
      },
    ],
    [
      'WebhookSignaturesRejected',
      {
        ...custom(MetricName.WebhooksRejected),
        Statistic: 'Sum',
        Period: 300,
        Threshold: 10,
        ComparisonOperator: GTE,
      },
    ],
    [
      'NoWebhooksReceived',
      {
        ...custom(MetricName.WebhooksReceived),
        Statistic: 'Sum',
        Period: 4 * 3600,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    ],
    ['OrderEscalated', { ...custom(MetricName.Escalations), Threshold: 1, ComparisonOperator: GTE }],
    [
      'SyncSloBreached',
      {
        ...custom(MetricName.InSyncWithinSlo),
        Statistic: 'Average',
        Period: 3600,
        Threshold: 0.99,
        ComparisonOperator: 'LessThanThreshold',
      },
    ],
    [
      'SyncLagP99High',
      {
        ...custom(MetricName.SyncLagSeconds),
        ExtendedStatistic: 'p99',
        Period: 3600,
        Threshold: 1800,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    ],
    [
      'WebhookPayloadQuarantined',
      { ...custom(MetricName.WebhooksQuarantined), Threshold: 1, ComparisonOperator: GTE },
    ],
    [
      'SweepFoundMissedWebhooks',
      {
        ...custom(MetricName.SweepWebhooksMissed),
        Period: 900,
        Threshold: 1,
        ComparisonOperator: GTE,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
      },
    ],
    [
      'WebhookSubscriptionsMissing',
      {
        ...custom(MetricName.SubscriptionsMissing),
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: GTE,
      },
    ],
    [
      'HotwaxImportFlowUnhealthy',
      {
        ...custom(MetricName.ImportFlowUnhealthy),
        Statistic: 'Maximum',
        Period: 900,
        Threshold: 1,
        ComparisonOperator: GTE,
        AlarmDescription: Match.stringLikeRegexp('consume_ShopifyOrders_SQS.*JOB_IMP_ORD.*Job Manager'),
      },
    ],
    [
      'NotificationsNotDelivered',
      { ...custom(MetricName.NotificationsFailed), Threshold: 1, ComparisonOperator: GTE },
    ],
  ];

  it('creates exactly the expected alarms', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(expected.length);
  });

  it.each(expected)('alarms on %s and tells the alarm topic on ALARM and OK', (name, properties) => {
    const topic = { 'Fn::ImportValue': Match.stringLikeRegexp(statefulId(built.stateful.alarmTopic)) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${built.stateless.stackName}-${name}`,
      AlarmDescription: Match.stringLikeRegexp('.{80,}'),
      AlarmActions: [topic],
      OKActions: [topic],
      ...properties,
    });
  });
});

describe('dashboard', () => {
  it('shows outcomes, repairs and their success rate, lag percentiles, DLQs, webhooks and function errors', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const metric of [
      MetricName.OrdersInSync,
      MetricName.OrdersMissing,
      MetricName.OrdersBlocked,
      MetricName.OrdersStuck,
      MetricName.OrdersAwaitingApproval,
      MetricName.OrdersAmbiguous,
      MetricName.ImportFlowUnhealthy,
      MetricName.Escalations,
      MetricName.RepairsTriggered,
      MetricName.RepairsVerified,
      MetricName.SyncLagSeconds,
      MetricName.WebhooksReceived,
      MetricName.WebhooksRejected,
      MetricName.WebhooksQuarantined,
      MetricName.WebhooksDuplicate,
      'ApproximateNumberOfMessagesVisible',
      'AWS/Lambda',
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('100 * verified / triggered');
    for (const p of ['p50', 'p90', 'p99']) expect(body).toContain(`\\"stat\\":\\"${p}\\"`);
    expect(body).toContain('alarm');
  });
});
