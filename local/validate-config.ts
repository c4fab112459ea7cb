import { z } from 'zod';
import {
  ConfigError,
  hotwaxSchema,
  parseConfig,
  shopifyAdminSchema,
  slackSchema,
} from '../shared/config/config.js';

const localOnly = z.object({
  SHOPIFY_WEBHOOK_SECRET: z
    .string()
    .min(1, { error: "must be the Shopify app's client secret (it signs webhooks)" }),
  PORT: z.coerce.number().int().min(0).max(65535, { error: 'must be a TCP port' }).default(3000),
});

/**
 * Checks every setting a local run against a real HotWax and Shopify needs, and lists all problems at once
 * (the AWS resource settings are the emulators', so they are not asked for).
 */
export const validateLocalConfig = (env: Record<string, string | undefined>): void => {
  const problems: string[] = [];
  for (const schema of [localOnly, shopifyAdminSchema, hotwaxSchema, slackSchema] as z.ZodType[]) {
    try {
      parseConfig(schema, env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const hasToken = Boolean(env.HOTWAX_API_TOKEN?.trim());
  const hasLogin = Boolean(env.HOTWAX_USERNAME?.trim() && env.HOTWAX_PASSWORD?.trim());
  if (!hasToken && !hasLogin)
    problems.push('HOTWAX_API_TOKEN is missing: set it, or HOTWAX_USERNAME and HOTWAX_PASSWORD');
  const unique = [...new Set(problems)];
  if (unique.length > 0) {
    throw new ConfigError([
      ...unique,
      'See .env.example for every setting; leave HotWax and Shopify unset to run the built-in sandbox instead.',
    ]);
  }
};
