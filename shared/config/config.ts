import { z } from 'zod';

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

/** Where the AWS SDK clients point: real AWS, or DynamoDB Local and fauxqs in the local runtime and tests. */
export const awsSchema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().min(1, { error: 'must name the DynamoDB table' }),
  CHECK_QUEUE_URL: queueUrl,
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
});

export const apiSchema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().min(1, { error: 'must name the DynamoDB table' }),
  DYNAMODB_ENDPOINT: optionalUrl,
  SHOPIFY_SHOP: shopDomain.optional(),
});

export const webhookSchema = awsSchema.extend({
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1, { error: "must be the Shopify app's client secret" }),
  SHOPIFY_SHOP: shopDomain.optional(),
  QUARANTINE_BUCKET: z.string().min(1, { error: 'must name the S3 bucket for unparseable payloads' }),
  S3_ENDPOINT: optionalUrl,
  CHECK_DELAY_SECONDS: seconds(600),
  FULFILLED_CHECK_DELAY_SECONDS: seconds(300),
});

const hotwaxCredentials = z
  .object({
    HOTWAX_BASE_URL: url,
    HOTWAX_API_TOKEN: optionalText,
    HOTWAX_USERNAME: optionalText,
    HOTWAX_PASSWORD: optionalText,
  })
  .superRefine((value, ctx) => {
    if (!value.HOTWAX_API_TOKEN && !(value.HOTWAX_USERNAME && value.HOTWAX_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOTWAX_API_TOKEN'],
        message: 'set HOTWAX_API_TOKEN, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
      });
    }
  });

export const hotwaxSchema = z.object({
  ...hotwaxCredentials.shape,
  HOTWAX_SHOPIFY_CONFIG_ID: z.string().min(1, { error: "must be HotWax's Shopify config id for this shop" }),
  HOTWAX_SHOP_ID: z.string().min(1, { error: "must be HotWax's shop id" }),
  HOTWAX_PRODUCT_STORE_ID: z.string().min(1, { error: "must be HotWax's product store id" }),
  HOTWAX_ORDER_MDM_CONFIG_ID: z.string().default('CRT_SHOPIFY_ORDER'),
  HOTWAX_IMPORT_ORDER_SERVICE: optionalText,
  HOTWAX_REFRESH_ORDER_SERVICE: optionalText,
  HOTWAX_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export const shopifyAdminSchema = z.object({
  SHOPIFY_SHOP: shopDomain,
  SHOPIFY_ADMIN_TOKEN: z.string().min(1, { error: 'must be the Admin API access token (shpat_…)' }),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$/, { error: 'must be a Shopify API version such as 2026-10' })
    .default('2026-10'),
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export const checkerSchema = awsSchema
  .extend(shopifyAdminSchema.shape)
  .extend({
    ...hotwaxSchema.shape,
    NOTIFY_QUEUE_URL: queueUrl,
    CHECK_DELAY_SECONDS: seconds(600),
    FULFILLED_CHECK_DELAY_SECONDS: seconds(300),
    CREATED_STUCK_AFTER_SECONDS: seconds(3600),
    VERIFY_DELAY_SECONDS: seconds(300),
    MAX_REPAIR_ATTEMPTS: z.coerce.number().int().positive().default(3),
    /** One New Orders run serves every order missing within this window (flash sales). */
    IMPORT_JOB_COOLDOWN_SECONDS: seconds(120),
    /** First re-check of an order blocked on data; doubles up to 6 h. */
    BLOCKED_RECHECK_SECONDS: seconds(900),
  })
  .superRefine((value, ctx) => {
    if (!value.HOTWAX_API_TOKEN && !(value.HOTWAX_USERNAME && value.HOTWAX_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOTWAX_API_TOKEN'],
        message: 'set HOTWAX_API_TOKEN, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
      });
    }
  });

export const slackSchema = z
  .object({
    SLACK_WEBHOOK_URL: optionalUrl,
    SLACK_BOT_TOKEN: optionalText,
    SLACK_CHANNEL_ID: optionalText,
    SLACK_API_URL: optionalUrl,
  })
  .superRefine((value, ctx) => {
    if (value.SLACK_BOT_TOKEN && !value.SLACK_CHANNEL_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_CHANNEL_ID'],
        message: 'is required with SLACK_BOT_TOKEN',
      });
    }
  });

export type ApiConfig = z.infer<typeof apiSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type CheckerConfig = z.infer<typeof checkerSchema>;
export type HotwaxConfig = z.infer<typeof hotwaxSchema>;
export type ShopifyAdminConfig = z.infer<typeof shopifyAdminSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;

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

/**
 * The reconciliation sweep (functions/sweeper, `npm run cli -- sweep`): Shopify's orders against the table, overdue
 * checks, and the webhook subscription watchdog.
 */
export const sweeperSchema = awsSchema
  .extend(shopifyAdminSchema.shape)
  .extend({
    NOTIFY_QUEUE_URL: queueUrl,
    CHECK_DELAY_SECONDS: seconds(600),
    FULFILLED_CHECK_DELAY_SECONDS: seconds(300),
    SWEEP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(900),
    SWEEP_OVERLAP_SECONDS: seconds(300),
    SWEEP_LOOKBACK_SECONDS: seconds(3600),
    /** Longer gaps are swept in windows of at most this, each checkpointed on its own. */
    SWEEP_MAX_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Orders updated this recently are left to the next sweep: their webhook may still be on its way. */
    SWEEP_SETTLE_SECONDS: seconds(60),
    /** A scheduled check this far past due is presumed lost and queued again. */
    OVERDUE_GRACE_SECONDS: seconds(900),
    RESTORE_WEBHOOK_SUBSCRIPTIONS: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }))
      .default('false')
      .transform((value) => value === 'true'),
    WEBHOOK_CALLBACK_URL: optionalUrl,
  })
  .superRefine((value, ctx) => {
    if (value.RESTORE_WEBHOOK_SUBSCRIPTIONS && !value.WEBHOOK_CALLBACK_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_CALLBACK_URL'],
        message:
          'is required with RESTORE_WEBHOOK_SUBSCRIPTIONS=true (where re-created subscriptions deliver)',
      });
    }
  });

export type SweeperConfig = z.infer<typeof sweeperSchema>;
