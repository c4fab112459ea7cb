import * as z from 'zod';
import { overdueAfterMs } from '../domain/apply-order-seen.js';
import { defaultRetrySchedule } from '../domain/retry-schedule.js';

/**
 * The configuration, by environment variable (DESIGN.md's names). Every default is declared once, here: the
 * functions, `npm start`, the CLI and the CDK app (`infra/config/app-config.ts`) all read them from these fields.
 * Field groups are plain objects so they compose; the rules that span fields (credentials, Slack) are written once
 * below and attached to each schema that contains their fields.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const seconds = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const url = z.url({ error: 'must be a URL such as https://example.com' });
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(url.optional())
  .optional();
/** Queue URLs of local emulators use hosts such as `sqs.us-east-1.127.0.0.1`, which strict URL checks refuse. */
const queueUrl = z
  .string()
  .regex(/^https?:\/\/\S+$/, { error: 'must be an SQS queue URL (https://sqs.<region>.amazonaws.com/…)' });
const shopDomain = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, { error: 'must look like <name>.myshopify.com' });

/**
 * How checks reach the checker: SQS batches of up to 100 gathered for up to 5 s (the Lambda event source in
 * `infra/stacks`, and `npm start`'s queue poller). Checks wait minutes anyway, so seconds of gathering cost nothing,
 * and a batch costs one HotWax lookup per shop: 0.01 lookups per healthy order instead of 0.1 with batches of 10.
 * In AWS at most 5 batches run at once, whatever the backlog: HotWax is the bottleneck.
 */
export const checkerBatching = { batchSize: 100, maxBatchingWindowSeconds: 5, maxConcurrency: 5 } as const;

/**
 * Learning each shop's import lag (order creation → first seen in HotWax, from its in-sync checks): an order absent
 * at its first check waits until the 99.9th percentile lag plus a margin (a minute, or a quarter of the lag
 * when less), within [CHECK_DELAY_SECONDS,
 * CHECK_DELAY_MAX_SECONDS], before it is called missing; fewer than 50 lags learned = the fixed delay as before.
 * Counts halve past 5,000 lags, so a shop whose import changes is followed.
 */
export const importLagLearning = {
  percentile: 99.9,
  marginSeconds: 60,
  minSamples: 50,
  maxSamples: 5000,
} as const;

// --- field groups ------------------------------------------------------------------------------------------------

/** Where the AWS SDK clients point: real AWS, or DynamoDB Local and fauxqs in the local runtime and tests. */
export const tableFields = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().min(1, { error: 'must name the DynamoDB table' }),
  DYNAMODB_ENDPOINT: optionalUrl,
});
const checkQueueFields = z.object({ CHECK_QUEUE_URL: queueUrl, SQS_ENDPOINT: optionalUrl });
const notifyQueueFields = z.object({ NOTIFY_QUEUE_URL: queueUrl, SQS_ENDPOINT: optionalUrl });
const optionalQueueUrl = optionalText.pipe(queueUrl.optional());
/** The dead-letter queues, for moving their messages back once HotWax or Slack answers again; unset = never. */
const deadLetterFields = z.object({ CHECK_DLQ_URL: optionalQueueUrl, NOTIFY_DLQ_URL: optionalQueueUrl });

/**
 * The shop of a single-shop deployment; or SHOPS_FILE, the JSON file of every shop (`shopsFileSchema` below), read by
 * `parseShops` (shared/config/shops.ts), which then sets SHOPIFY_SHOP and the shop's ids for each shop in turn.
 */
export const shopFields = z.object({ SHOPIFY_SHOP: shopDomain, SHOPS_FILE: optionalText });

export const shopifyAdminFields = shopFields.extend({
  SHOPIFY_ADMIN_TOKEN: z.string().min(1, { error: 'must be the Admin API access token (shpat_…)' }),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$/, { error: 'must be a Shopify API version such as 2026-10' })
    .default('2026-10'),
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

const jsonObjectText = optionalText.refine(
  (value) => {
    if (value === undefined) return true;
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    } catch {
      return false;
    }
  },
  {
    error:
      'must be a JSON object, e.g. {"shopifyConfigId":"{shopifyConfigId}","shopifyOrderId":"{shopifyOrderId}"}',
  },
);

/** HotWax: one separable group (its adapters and their options may change without touching the rest). */
export const hotwaxFields = z.object({
  HOTWAX_BASE_URL: url,
  HOTWAX_API_TOKEN: optionalText,
  HOTWAX_USERNAME: optionalText,
  HOTWAX_PASSWORD: optionalText,
  HOTWAX_SHOPIFY_CONFIG_ID: z.string().min(1, { error: "must be HotWax's Shopify config id for this shop" }),
  HOTWAX_SHOP_ID: z.string().min(1, { error: "must be HotWax's shop id" }),
  HOTWAX_PRODUCT_STORE_ID: z.string().min(1, { error: "must be HotWax's product store id" }),
  HOTWAX_ORDER_MDM_CONFIG_ID: z.string().min(1).default('CRT_SHOPIFY_ORDER'),
  HOTWAX_IMPORT_ORDER_SERVICE: optionalText,
  HOTWAX_REFRESH_ORDER_SERVICE: optionalText,
  HOTWAX_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** `auto` discovers the tenant's shape (OFBiz `/api/` or Maarg-only `/rest/s1/`) */
  HOTWAX_BACKEND: z
    .enum(['auto', 'ofbiz', 'maarg'], { error: 'must be auto, ofbiz or maarg' })
    .default('auto'),
  /** the Maarg host when it differs from HOTWAX_BASE_URL; normally discovered (`maargInstanceUrl`) */
  HOTWAX_MAARG_URL: optionalText.pipe(
    z.url({ error: 'must be a URL such as https://acme-maarg.hotwax.io' }).optional(),
  ),
  /** link to an order for people, `{orderId}` replaced; default per backend */
  HOTWAX_ORDER_URL_TEMPLATE: optionalText.refine(
    (value) => value === undefined || value.includes('{orderId}'),
    {
      error: 'must contain {orderId}',
    },
  ),
  /** Maarg: the remote id that marks the shop's fallback sync job; default HOTWAX_SHOPIFY_CONFIG_ID */
  HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: optionalText,
  /** OFBiz: JSON body of HOTWAX_IMPORT_ORDER_SERVICE, placeholders {shopifyOrderId} or {shopifyOrderIds} */
  HOTWAX_IMPORT_ORDER_PAYLOAD: jsonObjectText,
  /** OFBiz: time zone sent with "Run now" (Job Manager sends the user's) */
  HOTWAX_TIME_ZONE: z.string().trim().min(1).default('UTC'),
  /** Maarg: a fromDate swap older than this is a crashed one and is undone */
  HOTWAX_REPAIR_GRACE_SECONDS: z.coerce.number().int().positive().default(120),
});

/** The runbook's timings (seconds), per shop. */
export const timingFields = z.object({
  CHECK_DELAY_SECONDS: seconds(600),
  /** the longest the first check waits for an order the shop's import lag says may still come (learned) */
  CHECK_DELAY_MAX_SECONDS: seconds(3600),
  FULFILLED_CHECK_DELAY_SECONDS: seconds(300),
  CREATED_STUCK_AFTER_SECONDS: seconds(3600),
  VERIFY_DELAY_SECONDS: seconds(300),
  MAX_REPAIR_ATTEMPTS: z.coerce.number().int().positive().default(3),
  /** One window re-import run serves every order missing within this window (flash sales). */
  IMPORT_JOB_COOLDOWN_SECONDS: seconds(120),
  /** First re-check of an order waiting on a person; doubles up to 6 h. */
  BLOCKED_RECHECK_SECONDS: seconds(900),
});

/** The reconciliation sweep and the subscription watchdog. */
export const sweepFields = z.object({
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(900),
  SWEEP_OVERLAP_SECONDS: seconds(300),
  SWEEP_LOOKBACK_SECONDS: seconds(3600),
  /** Longer gaps are swept in windows of at most this, each checkpointed on its own. */
  SWEEP_MAX_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
  /** Orders updated this recently are left to the next sweep: their webhook may still be on its way. */
  SWEEP_SETTLE_SECONDS: seconds(60),
  /** A scheduled check this far past due is presumed lost and queued again. */
  OVERDUE_GRACE_SECONDS: seconds(overdueAfterMs / 1000),
  RESTORE_WEBHOOK_SUBSCRIPTIONS: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }))
    .default('false')
    .transform((value) => value === 'true'),
  WEBHOOK_CALLBACK_URL: optionalUrl,
});

/**
 * The retry schedule of failed checks and notifications (`shared/domain/retry-schedule.ts` holds the defaults, which
 * the CDK stacks use too). Deployments keep the defaults; the local runtime and the fault suite may compress time.
 */
export const retryFields = z.object({
  RETRY_FIRST_DELAY_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(defaultRetrySchedule.firstDelaySeconds),
  RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().positive().default(defaultRetrySchedule.maxDelaySeconds),
  RETRY_MAX_RECEIVE_COUNT: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(defaultRetrySchedule.maxReceiveCount),
});

export const slackFields = z.object({
  SLACK_WEBHOOK_URL: optionalUrl,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_CHANNEL_ID: optionalText,
  SLACK_API_URL: optionalUrl,
});

/** Slack interactivity and the slash command: who may ask, from which workspace. */
export const slackAppFields = z.object({
  /** the Slack app's signing secret: every request to /slack/actions and /slack/commands is verified with it */
  SLACK_SIGNING_SECRET: optionalText,
  /** the workspace whose requests are answered; others are refused */
  SLACK_TEAM_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[TE][A-Z0-9]+$/, { error: 'must be a Slack team id such as T0123ABCD' })
      .optional(),
  ),
  /** Slack user (U…, W…) and user group (S…) ids who may Retry repair and Ignore; unset = everybody */
  SLACK_ALLOWED_ACTORS: optionalText
    .transform((value) =>
      value
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.string().regex(/^[UWS][A-Z0-9]+$/, { error: 'must list Slack user (U…) or user group (S…) ids' }),
        )
        .optional(),
    ),
});

/** Signed links to an order's timeline page (every Slack message carries one). */
export const timelineLinkFields = z.object({
  /** HMAC key of the links; unset = no links (AWS: generated in its own secret; npm start: generated per data dir) */
  TIMELINE_LINK_KEY: optionalText.pipe(
    z.string().min(32, { error: 'must have at least 32 characters' }).optional(),
  ),
  /** where people reach the monitor's HTTP routes (AWS: the API endpoint; npm start: its own URL) */
  PUBLIC_BASE_URL: optionalUrl,
  /** how long a link opens the page */
  TIMELINE_LINK_DAYS: z.coerce.number().int().positive().max(90).default(7),
});

/** The queue of replies to people who acted from Slack. */
const slackReplyQueueFields = z.object({ SLACK_REPLY_QUEUE_URL: queueUrl, SQS_ENDPOINT: optionalUrl });

// --- rules across fields, each written once ----------------------------------------------------------------------

type Rule = (value: Record<string, unknown>, ctx: z.core.$RefinementCtx) => void;
const isSet = (value: unknown) => typeof value === 'string' && value.trim() !== '';

const hotwaxCredentials: Rule = (value, ctx) => {
  if (!isSet(value.HOTWAX_API_TOKEN) && !(isSet(value.HOTWAX_USERNAME) && isSet(value.HOTWAX_PASSWORD))) {
    ctx.addIssue({
      code: 'custom',
      path: ['HOTWAX_API_TOKEN'],
      message: 'is missing: set it, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
    });
  }
};

const slackChannel: Rule = (value, ctx) => {
  if (isSet(value.SLACK_BOT_TOKEN) && !isSet(value.SLACK_CHANNEL_ID)) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_CHANNEL_ID'], message: 'is required with SLACK_BOT_TOKEN' });
  }
};

const restoreNeedsCallback: Rule = (value, ctx) => {
  if (value.RESTORE_WEBHOOK_SUBSCRIPTIONS === true && !isSet(value.WEBHOOK_CALLBACK_URL)) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBHOOK_CALLBACK_URL'],
      message: 'is required with RESTORE_WEBHOOK_SUBSCRIPTIONS=true (where re-created subscriptions deliver)',
    });
  }
};

/** Attaches rules to a schema; they run even when other fields failed, so every problem is listed at once. */
const withRules = <S extends z.ZodObject>(schema: S, ...rules: Rule[]) =>
  schema.superRefine(
    (value, ctx) => {
      for (const rule of rules) rule((value ?? {}) as Record<string, unknown>, ctx);
    },
    { when: () => true },
  );

// --- per-function schemas ----------------------------------------------------------------------------------------

export const hotwaxSchema = withRules(hotwaxFields, hotwaxCredentials);
export const slackSchema = withRules(slackFields, slackChannel);

export const apiFields = tableFields.extend(shopFields.partial().shape).extend(timelineLinkFields.shape);
export const apiSchema = apiFields;

export const webhookFields = tableFields
  .extend(checkQueueFields.shape)
  .extend(shopFields.partial().shape)
  .extend(timingFields.pick({ CHECK_DELAY_SECONDS: true, FULFILLED_CHECK_DELAY_SECONDS: true }).shape)
  .extend({
    SHOPIFY_WEBHOOK_SECRET: z.string().min(1, { error: "must be the Shopify app's client secret" }),
    QUARANTINE_BUCKET: z.string().min(1, { error: 'must name the S3 bucket for unparseable payloads' }),
    S3_ENDPOINT: optionalUrl,
  });
export const webhookSchema = webhookFields;

/** What one shop of a single-shop deployment needs: its Admin API, its HotWax ids and its timings. */
export const shopConfigFields = shopifyAdminFields.extend(hotwaxFields.shape).extend(timingFields.shape);
export const shopConfigSchema = withRules(shopConfigFields, hotwaxCredentials);

export const checkerFields = tableFields
  .extend(checkQueueFields.shape)
  .extend(notifyQueueFields.shape)
  .extend(shopConfigFields.shape)
  .extend(retryFields.shape)
  .extend(deadLetterFields.pick({ CHECK_DLQ_URL: true }).shape)
  // Where the outcome of a check a person asked for goes; unset = nobody is told (no Slack app).
  .extend({ SLACK_REPLY_QUEUE_URL: queueUrl.optional() });
export const checkerSchema = withRules(checkerFields, hotwaxCredentials);

/**
 * The reconciliation sweep (functions/sweeper, `npm run cli -- sweep`): Shopify's orders against the table, overdue
 * checks, the webhook subscription watchdog, and the shop's HotWax: its import flows' health and the job parameters
 * a crashed re-import left swapped (it never looks orders up in HotWax).
 */
export const sweeperFields = tableFields
  .extend(checkQueueFields.shape)
  .extend(notifyQueueFields.shape)
  .extend(shopifyAdminFields.shape)
  .extend(hotwaxFields.shape)
  .extend(timingFields.pick({ CHECK_DELAY_SECONDS: true, FULFILLED_CHECK_DELAY_SECONDS: true }).shape)
  .extend(sweepFields.shape)
  .extend(deadLetterFields.shape);
export const sweeperSchema = withRules(sweeperFields, hotwaxCredentials, restoreNeedsCallback);

/**
 * The notifier reads the table (threads, storm windows) and Slack; its own queue's URL only to hold failed records
 * back (Retry-After, the retry schedule) and its DLQ's to move them back once Slack answers again.
 */
export const notifierFields = tableFields
  .extend(slackFields.shape)
  .extend(retryFields.shape)
  .extend(deadLetterFields.pick({ NOTIFY_DLQ_URL: true }).shape)
  .extend({
    /** needs_human messages per shop and 10 minutes before the rest go into one digest */
    NOTIFY_STORM_THRESHOLD: z.coerce.number().int().nonnegative().default(10),
    NOTIFY_QUEUE_URL: optionalQueueUrl,
    SQS_ENDPOINT: optionalUrl,
  })
  // The timeline link of every order message, and its buttons once the Slack app's requests are verified.
  .extend(timelineLinkFields.shape)
  .extend(slackAppFields.pick({ SLACK_SIGNING_SECRET: true }).shape);
export const notifierSchema = withRules(notifierFields, slackChannel);

/**
 * The Slack function (POST /slack/actions, POST /slack/commands): verifies, answers within 3 s, queues the work. Its
 * bot token opens the Ignore modal and reads user groups; it never sees HotWax or the Shopify Admin token.
 */
export const slackInteractionsFields = tableFields
  .extend(checkQueueFields.shape)
  .extend(slackReplyQueueFields.shape)
  .extend(slackFields.pick({ SLACK_BOT_TOKEN: true, SLACK_API_URL: true }).shape)
  .extend(slackAppFields.shape)
  .extend({
    SLACK_SIGNING_SECRET: z.string().min(1, { error: "must be the Slack app's signing secret" }),
  })
  .extend(timelineLinkFields.shape);
export const slackInteractionsSchema = slackInteractionsFields;

/** The Slack reply worker: the table (orders, requests), Slack and the timeline links. */
export const slackRepliesFields = tableFields
  .extend(slackFields.pick({ SLACK_BOT_TOKEN: true, SLACK_API_URL: true }).shape)
  .extend(timelineLinkFields.shape);
export const slackRepliesSchema = slackRepliesFields;

/** `npm run cli -- diagnose`: HotWax and Shopify, no table. */
export const diagnoseSchema = shopConfigSchema;

/**
 * `doctor` (the CLI and the doctor function in AWS): what the monitor's functions need of HotWax, Shopify and Slack,
 * and where Shopify must deliver webhooks; no table, no queue.
 */
export const doctorFields = shopConfigFields
  .extend(slackFields.shape)
  .extend(sweepFields.pick({ RESTORE_WEBHOOK_SUBSCRIPTIONS: true, WEBHOOK_CALLBACK_URL: true }).shape)
  .extend(webhookFields.pick({ SHOPIFY_WEBHOOK_SECRET: true }).shape);
export const doctorSchema = withRules(doctorFields, hotwaxCredentials, slackChannel, restoreNeedsCallback);

/** The local runtime itself (`npm start`, the CLI), sandbox or not. */
export const localRuntimeFields = z.object({
  PORT: z.coerce.number().int().min(0).max(65535, { error: 'must be a TCP port' }).default(3000),
  /** where DynamoDB Local and fauxqs keep their data, and where `endpoints.json` tells the CLI about the run;
   *  relative to the working directory, resolved to an absolute path once at start */
  LOCAL_DATA_DIR: z.string().trim().min(1).default('.data'),
  /** Powertools log level of the handlers */
  LOG_LEVEL: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(
      z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'], {
        error: 'must be TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT',
      }),
    )
    .default('ERROR'),
  /** `true` plays the sandbox even when HotWax and Shopify are configured */
  SANDBOX: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }))
    .default('false')
    .transform((value) => value === 'true'),
});

/** `npm start` against a real HotWax and Shopify: what the local run needs besides the emulators' settings. */
export const localFields = shopConfigFields
  .extend(slackFields.shape)
  .extend(slackAppFields.shape)
  .extend(timelineLinkFields.shape)
  .extend(sweepFields.shape)
  .extend(localRuntimeFields.shape)
  .extend(retryFields.shape)
  .extend({
    SHOPIFY_WEBHOOK_SECRET: z
      .string()
      .min(1, { error: "must be the Shopify app's client secret (it signs webhooks)" }),
  });
export const localSchema = withRules(localFields, hotwaxCredentials, slackChannel, restoreNeedsCallback);

export type ApiConfig = z.infer<typeof apiSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type CheckerConfig = z.infer<typeof checkerSchema>;
export type SweeperConfig = z.infer<typeof sweeperSchema>;
export type NotifierConfig = z.infer<typeof notifierSchema>;
export type HotwaxConfig = z.infer<typeof hotwaxSchema>;
export type ShopifyAdminConfig = z.infer<typeof shopifyAdminFields>;
export type ShopConfig = z.infer<typeof shopConfigSchema>;
export type TimingConfig = z.infer<typeof timingFields>;
export type SweepConfig = z.infer<typeof sweepFields>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type DoctorConfig = z.infer<typeof doctorSchema>;
export type RetryConfig = z.infer<typeof retryFields>;
export type SlackInteractionsConfig = z.infer<typeof slackInteractionsSchema>;
export type SlackRepliesConfig = z.infer<typeof slackRepliesSchema>;
export type TimelineLinkConfig = z.infer<typeof timelineLinkFields>;

/** Parses the environment once and lists every problem at once, with what each setting should look like. */
export const parseConfig = <S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> => {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(config)';
      const missing = issue.code === 'invalid_type' && env[key] === undefined;
      return missing ? `${key} is missing: ${issue.message}` : `${key} ${issue.message}`;
    }),
  );
};

// --- several shops in one deployment (SHOPS_FILE) ----------------------------------------------------------------

/** The name a secret is found under: an environment variable locally, a key of the credentials secret in AWS. */
const secretName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error:
      'must be the NAME of an environment variable / secret key (e.g. SHOPIFY_ADMIN_TOKEN_US), not a value',
  });

/**
 * Settings a shop sets apart from the deployment's, by environment name: its timings, and (tests, sandbox) its Admin
 * API version and base URL. Numbers or text, as in the environment; the values are checked by the same fields as
 * the environment's when each shop's configuration is parsed.
 */
const shopOverrideKeys = [
  ...(Object.keys(timingFields.shape) as Array<keyof typeof timingFields.shape>),
  'SHOPIFY_API_VERSION',
  'SHOPIFY_ADMIN_URL',
] as const;
const shopOverrides = z.partialRecord(z.enum(shopOverrideKeys), z.union([z.number(), z.string()]), {
  error: `may only set ${shopOverrideKeys.join(', ')}`,
});

/** One shop of SHOPS_FILE (DESIGN.md's format): its domain, HotWax ids, the names of its secrets, its routing. */
export const shopEntrySchema = z.strictObject({
  shop: shopDomain,
  hotwax: z.strictObject({
    shopId: z.string().trim().min(1, { error: "must be HotWax's shop id" }),
    shopifyConfigId: z.string().trim().min(1, { error: "must be HotWax's Shopify config id for this shop" }),
    productStoreId: z.string().trim().min(1, { error: "must be HotWax's product store id" }),
    /** Maarg: the fallback job's remote id when it is not the shopifyConfigId */
    systemMessageRemoteId: z.string().trim().min(1).optional(),
  }),
  secrets: z.strictObject({
    /** the app's client secret that signs this shop's webhooks; unset = SHOPIFY_WEBHOOK_SECRET (one app, shared) */
    webhookSecret: secretName.optional(),
    /** this shop's Admin API access token */
    adminToken: secretName,
  }),
  /** where this shop's Slack messages go; unset = SLACK_CHANNEL_ID */
  slackChannelId: z
    .string()
    .trim()
    .regex(/^[CGD][A-Z0-9]+$/, { error: 'must be a Slack channel id such as C0123ABCD' })
    .optional(),
  overrides: shopOverrides.optional(),
});

export const shopsFileSchema = z
  .strictObject({ shops: z.array(shopEntrySchema).min(1, { error: 'must list at least one shop' }) })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.shops.forEach((entry, index) => {
      const first = seen.get(entry.shop);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['shops', index, 'shop'],
          message: `lists ${entry.shop} again (first at shops.${first})`,
        });
      } else seen.set(entry.shop, index);
    });
  });

export type ShopEntry = z.infer<typeof shopEntrySchema>;
export type ShopsFile = z.infer<typeof shopsFileSchema>;
