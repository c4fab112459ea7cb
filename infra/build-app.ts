import { Annotations, App, type AppProps, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppConfig } from './config/app-config.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

/**
 * Feature flags this app relies on, as defaults that `cdk.json` or `-c` can still override (they belong in
 * `cdk.json` once someone owns it): S3 access logs are granted by bucket policy, since ACLs are disabled on the
 * buckets; IAM statements are merged into compact policies; cross-stack references stay strong.
 */
export const featureFlagDefaults = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // Strong references: CloudFormation refuses to delete a stateful resource the stateless stack still uses.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
} as const;

export const createApp = (props: AppProps = {}): App =>
  new App({ ...props, context: { ...featureFlagDefaults, ...props.context } });

/**
 * Builds the whole app: the stateful stack (retained data), the stateless stack (functions, API, alarms) on top
 * of it, and cdk-nag's AWS Solutions checks, which fail synthesis on any unacknowledged finding.
 */
export const buildApp = (app: App = createApp()) => {
  const config = readAppConfig(app.node);
  const { infra } = config;
  const stateful = new StatefulStack(app, `${infra.stackPrefix}-Stateful`, {
    description:
      'order-sync-monitor: order sync table, queues, quarantine bucket, secrets, alarm topic (retained)',
    terminationProtection: true,
    quarantineRetention: Duration.days(infra.quarantineRetentionDays),
    alarmEmail: infra.alarmEmail,
  });
  const stateless = new StatelessStack(app, `${infra.stackPrefix}-Stateless`, {
    description: 'order-sync-monitor: functions, HTTP API, sweep schedule, alarms, dashboard',
    stateful,
    functionConfig: config.functions,
    ...(config.shops
      ? { shops: { path: config.shops.path, shops: config.shops.file.shops.map((shop) => shop.shop) } }
      : {}),
    logRetention: infra.logRetentionDays,
    apiThrottle: { rateLimit: infra.apiThrottleRateLimit, burstLimit: infra.apiThrottleBurstLimit },
    sweeperReservedConcurrency: infra.sweeperReservedConcurrency,
    alarmThresholds: {
      functionErrors: infra.alarmFunctionErrorsThreshold,
      functionThrottles: infra.alarmFunctionThrottlesThreshold,
      webhook5xx: infra.alarmWebhook5xxThreshold,
      webhooksRejected: infra.alarmWebhooksRejectedThreshold,
      noWebhooksPeriod: Duration.minutes(infra.alarmNoWebhooksMinutes),
      escalations: infra.alarmEscalationsThreshold,
      syncSloTarget: infra.alarmSyncSloTarget,
      syncLagP99Seconds: infra.alarmSyncLagP99Seconds,
      quarantined: infra.alarmQuarantinedThreshold,
      sweepWebhooksMissed: infra.alarmSweepMissedThreshold,
      subscriptionsMissing: infra.alarmSubscriptionsMissingThreshold,
    },
  });
  stateless.addStackDependency(stateful);

  if (config.missingForDeploy.length > 0) {
    Annotations.of(stateless).addWarningV2(
      'order-sync-monitor:config-unset',
      `Unset: ${config.missingForDeploy.join(', ')}. The functions will refuse to start until they are set, e.g. ` +
        `cdk deploy --all -c SHOPIFY_SHOP=acme.myshopify.com -c HOTWAX_BASE_URL=https://acme.hotwax.io ... ` +
        '(several shops: -c shopsFile=shops.json -c HOTWAX_BASE_URL=…)',
    );
  }

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stateful, stateless };
};
