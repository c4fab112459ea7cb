import { resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import {
  ConfigError,
  checkerBatching,
  hotwaxFields,
  notifierFields,
  type ShopsFile,
  shopFields,
  shopifyAdminFields,
  slackAppFields,
  slackFields,
  sweepFields,
  timelineLinkFields,
  timingFields,
} from '../../shared/config/config.js';
import { readShopsFile } from '../../shared/config/shops.js';

/**
 * Function timeouts, shared by the stateless stack (the functions) and the stateful stack (queue visibility timeouts
 * must outlast them, or SQS hands a batch that is still being worked on to a second invocation).
 */
export const functionTimeouts = {
  // Shopify gives up after 5 s and retries; a longer timeout only lets a slow cold start still record the order.
  webhook: Duration.seconds(10),
  api: Duration.seconds(10),
  // A batch of up to 100 checks: one HotWax lookup, then Shopify re-reads of the absent ones five at a time, one
  // failed-record search and one re-import trigger, each with 10 s timeouts.
  checker: Duration.seconds(300),
  notifier: Duration.seconds(60),
  // Answers Slack within its 3 s: a few DynamoDB reads and writes, one SQS send, at most one Slack call.
  slack: Duration.seconds(10),
  // A batch of replies, each one chat.update and one thread reply with 10 s timeouts.
  slackReplies: Duration.seconds(60),
  // Pages through Shopify's orders of the last sweep window; must end well before the next sweep starts.
  sweeper: Duration.seconds(300),
  // Every dependency one after another at worst (HotWax's discovery, login and reads, 10 s timeouts each).
  doctor: Duration.seconds(120),
} as const;

/** How long SQS gathers messages before invoking; part of the queue visibility timeout arithmetic too. */
export const batchingWindows = {
  checker: Duration.seconds(checkerBatching.maxBatchingWindowSeconds),
  // A storm of alerts arrives as one batch and becomes one Slack digest instead of a hundred messages.
  notifier: Duration.seconds(60),
  // Answers Slack within its 3 s: a few DynamoDB reads and writes, one SQS send, at most one Slack call.
  slack: Duration.seconds(10),
  // A batch of replies, each one chat.update and one thread reply with 10 s timeouts.
  slackReplies: Duration.seconds(60),
} as const;

/**
 * Non-secret function configuration, keyed by the environment variable names of `shared/config/config.ts` and
 * built from its fields, so the defaults and checks are the functions' own: `cdk deploy -c
 * SHOPIFY_SHOP=acme.myshopify.com` reads like the local `.env`. Settings a deploy must give are optional here:
 * unset, they are not passed to the functions, whose own validation then names what is missing at cold start, while
 * synth still works offline.
 */
const functionConfigSchema = z.object({
  // SHOPS_FILE is not passed on as a setting: `-c shopsFile=…` bundles the file (infra config below).
  ...shopFields.pick({ SHOPIFY_SHOP: true }).partial().shape,
  ...shopifyAdminFields.pick({ SHOPIFY_API_VERSION: true }).shape,
  // Every HotWax setting but the credentials, which live in the credentials secret.
  ...hotwaxFields.omit({ HOTWAX_API_TOKEN: true, HOTWAX_USERNAME: true, HOTWAX_PASSWORD: true }).partial({
    HOTWAX_BASE_URL: true,
    HOTWAX_SHOPIFY_CONFIG_ID: true,
    HOTWAX_SHOP_ID: true,
    HOTWAX_PRODUCT_STORE_ID: true,
  }).shape,
  // SQS caps DelaySeconds at 15 minutes; longer delays work because the checker re-queues until the due time.
  ...timingFields.shape,
  // EventBridge Scheduler rates are whole minutes; the sweeper must finish before the next run.
  SWEEP_INTERVAL_SECONDS: sweepFields.shape.SWEEP_INTERVAL_SECONDS.refine(
    (value) => value >= functionTimeouts.sweeper.toSeconds() && value % 60 === 0,
    {
      error: `must be a whole number of minutes, at least the sweeper's ${functionTimeouts.sweeper.toSeconds()} s timeout`,
    },
  ),
  // cdk.json may hold a boolean; the functions read the text 'true' or 'false'.
  RESTORE_WEBHOOK_SUBSCRIPTIONS: z
    .preprocess(
      (value) => (typeof value === 'boolean' ? String(value) : value),
      sweepFields.shape.RESTORE_WEBHOOK_SUBSCRIPTIONS,
    )
    .transform((value) => (value ? 'true' : 'false')),
  // The sweeper's subscription watchdog compares Shopify's subscriptions with this; set it behind a custom domain.
  WEBHOOK_CALLBACK_URL: sweepFields.shape.WEBHOOK_CALLBACK_URL,
  SLACK_CHANNEL_ID: slackFields.shape.SLACK_CHANNEL_ID,
  NOTIFY_STORM_THRESHOLD: notifierFields.shape.NOTIFY_STORM_THRESHOLD,
  // The Slack app: which workspace, and who may take the restricted actions (ids, not secrets).
  SLACK_TEAM_ID: slackAppFields.shape.SLACK_TEAM_ID,
  SLACK_ALLOWED_ACTORS: slackAppFields.shape.SLACK_ALLOWED_ACTORS.transform((ids) => ids?.join(',')),
  // Behind a custom domain, the links must point there; by default the HTTP API's endpoint.
  PUBLIC_BASE_URL: timelineLinkFields.shape.PUBLIC_BASE_URL,
  TIMELINE_LINK_DAYS: timelineLinkFields.shape.TIMELINE_LINK_DAYS,
});

export type FunctionConfig = z.infer<typeof functionConfigSchema>;

/** A setting the CDK app passes to the functions (the others are resources, secrets or function defaults). */
export const isFunctionSetting = (key: string): key is keyof FunctionConfig =>
  key in functionConfigSchema.shape;

/** Keys the functions cannot run without; synth warns while they are unset. */
export const requiredForDeploy = [
  'SHOPIFY_SHOP',
  'HOTWAX_BASE_URL',
  'HOTWAX_SHOPIFY_CONFIG_ID',
  'HOTWAX_SHOP_ID',
  'HOTWAX_PRODUCT_STORE_ID',
] as const satisfies readonly (keyof FunctionConfig)[];

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const retentionDays = z.coerce
  .number()
  .int()
  .refine((value) => (Object.values(RetentionDays) as number[]).includes(value), {
    error: 'must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)',
  });

/** Infrastructure knobs (camelCase, so they never collide with the functions' environment variable names). */
const infraConfigSchema = z.object({
  stackPrefix: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/)
    .default('OrderSyncMonitor'),
  logRetentionDays: retentionDays.default(30),
  // Raw payloads carry customer PII: keep them only as long as an operator needs to replay or investigate them.
  quarantineRetentionDays: z.coerce.number().int().positive().default(30),
  apiThrottleRateLimit: positive(100),
  apiThrottleBurstLimit: positive(200),
  alarmEmail: z.email().optional(),
  sweeperReservedConcurrency: z.coerce.number().int().positive().optional(),
  alarmFunctionErrorsThreshold: positive(1),
  alarmFunctionThrottlesThreshold: positive(1),
  alarmWebhook5xxThreshold: positive(1),
  alarmWebhooksRejectedThreshold: positive(10),
  alarmNoWebhooksMinutes: z.coerce
    .number()
    .int()
    .refine((value) => value >= 60 && value <= 1440 && value % 60 === 0, {
      error: 'must be whole hours between 60 and 1440 minutes',
    })
    .default(120),
  alarmEscalationsThreshold: positive(1),
  alarmSyncSloTarget: z.coerce.number().gt(0).lte(1).default(0.99),
  alarmSyncLagP99Seconds: positive(1800),
  alarmQuarantinedThreshold: positive(1),
  alarmSweepMissedThreshold: positive(1),
  alarmSubscriptionsMissingThreshold: positive(1),
  /**
   * Several shops: the SHOPS_FILE of DESIGN.md (`-c shopsFile=shops.json`), validated at synth and bundled with the
   * functions that serve shops; adding a shop is a redeploy (no data migration: records are keyed by shop).
   */
  shopsFile: z.string().trim().min(1).optional(),
});

export type InfraConfig = z.infer<typeof infraConfigSchema>;

export interface AppConfig {
  readonly functions: FunctionConfig;
  readonly infra: InfraConfig;
  /** the shops of `-c shopsFile=…`, absolute path and content; absent = the single shop of SHOPIFY_SHOP */
  readonly shops?: { readonly path: string; readonly file: ShopsFile };
  /** Required function settings still unset (synth warns; the functions refuse to start). */
  readonly missingForDeploy: string[];
}

export class AppConfigError extends Error {
  override name = 'AppConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid CDK context:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const readContext = (node: Node, keys: readonly string[]) =>
  Object.fromEntries(
    keys
      .map((key) => [key, node.tryGetContext(key)] as const)
      // `-c KEY=` means "unset", the same as leaving the key out.
      .filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );

/** Reads `cdk.json` context and `-c key=value`, applies the defaults, and lists every problem at once. */
export const readAppConfig = (node: Node): AppConfig => {
  const functions = functionConfigSchema.safeParse(
    readContext(node, Object.keys(functionConfigSchema.shape)),
  );
  const infra = infraConfigSchema.safeParse(readContext(node, Object.keys(infraConfigSchema.shape)));
  const problems = [functions, infra].flatMap((result) =>
    result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`),
  );
  let shops: AppConfig['shops'];
  const shopsFile = infra.success ? infra.data.shopsFile : undefined;
  if (shopsFile) {
    const path = resolve(shopsFile);
    try {
      shops = { path, file: readShopsFile(path) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `shopsFile: ${problem}`));
    }
  }
  if (!functions.success || !infra.success || problems.length > 0) throw new AppConfigError(problems);
  // With a shops file, each shop's domain and HotWax ids are in it; only the tenant's URL is still required.
  const required = shops ? requiredForDeploy.filter((key) => key === 'HOTWAX_BASE_URL') : requiredForDeploy;
  return {
    functions: functions.data,
    infra: infra.data,
    ...(shops ? { shops } : {}),
    missingForDeploy: required.filter((key) => functions.data[key] === undefined),
  };
};
