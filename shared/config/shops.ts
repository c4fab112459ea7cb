import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, parseConfig, type ShopEntry, type ShopsFile, shopsFileSchema } from './config.js';

type Env = Record<string, string | undefined>;

/** One shop's configuration, parsed by a function's own schema; `entry` is its SHOPS_FILE entry (absent alone). */
export interface ParsedShop<C> {
  readonly entry?: ShopEntry;
  readonly config: C;
}

/** Where the shared app's client secret is found when a shop names none of its own. */
const sharedWebhookSecret = 'SHOPIFY_WEBHOOK_SECRET';

/**
 * Reads and validates SHOPS_FILE (DESIGN.md's format), listing every problem at once, each with the shop it is about.
 * The file holds names of secrets, never their values.
 */
export const readShopsFile = (path: string): ShopsFile => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `SHOPS_FILE ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`SHOPS_FILE ${path} is not JSON: ${(error as Error).message}`]);
  }
  return parseShopsFile(json, `SHOPS_FILE ${path}`);
};

/** Validates a shops file's content (the CDK app reads the same file with `-c shopsFile=…`). */
export const parseShopsFile = (json: unknown, label = 'SHOPS_FILE'): ShopsFile => {
  const result = shopsFileSchema.safeParse(json);
  if (result.success) return result.data;
  const shops = (json as { shops?: Array<{ shop?: unknown }> } | null)?.shops;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const [first, index, ...rest] = issue.path;
      if (first === 'shops' && typeof index === 'number') {
        const domain = Array.isArray(shops) ? shops[index]?.shop : undefined;
        const which = typeof domain === 'string' && domain ? ` (${domain})` : '';
        return `${label}: shops[${index}]${which} ${rest.join('.') || 'entry'} ${issue.message}`;
      }
      return `${label}: ${issue.path.join('.') || '(file)'} ${issue.message}`;
    }),
  );
};

/**
 * The environment one shop of the file sees: the deployment's, with that shop's domain, HotWax ids, secrets (read
 * under the names the file gives), Slack channel and timing overrides put where a single-shop deployment has them.
 * So every function's own schema validates each shop exactly as it validates a single-shop environment.
 */
export const shopEnv = (entry: ShopEntry, env: Env): Env => ({
  ...env,
  SHOPIFY_SHOP: entry.shop,
  HOTWAX_SHOP_ID: entry.hotwax.shopId,
  HOTWAX_SHOPIFY_CONFIG_ID: entry.hotwax.shopifyConfigId,
  HOTWAX_PRODUCT_STORE_ID: entry.hotwax.productStoreId,
  // The deployment's remote id belongs to no shop in particular; unset, each shop's config id is its default.
  HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: entry.hotwax.systemMessageRemoteId,
  SHOPIFY_ADMIN_TOKEN: env[entry.secrets.adminToken],
  SHOPIFY_WEBHOOK_SECRET: env[entry.secrets.webhookSecret ?? sharedWebhookSecret],
  SLACK_CHANNEL_ID: entry.slackChannelId ?? env.SLACK_CHANNEL_ID,
  ...Object.fromEntries(Object.entries(entry.overrides ?? {}).map(([key, value]) => [key, String(value)])),
});

/** A problem of one shop's parse, in the file's words when it is about the shop's own part. */
const shopProblem = (entry: ShopEntry, env: Env, problem: string): string => {
  const [key = '', ...restWords] = problem.split(' ');
  const rest = restWords.join(' ');
  const secret = (field: 'adminToken' | 'webhookSecret', name: string) =>
    env[name]?.trim()
      ? `SHOPS_FILE ${entry.shop}: secrets.${field} names ${name}, whose value ${rest.replace(/^is missing: /, '')}`
      : `SHOPS_FILE ${entry.shop}: secrets.${field} names ${name}, which is not set (an environment variable locally, a key of the function's secret in AWS)`;
  if (key === 'SHOPIFY_ADMIN_TOKEN') return secret('adminToken', entry.secrets.adminToken);
  if (key === 'SHOPIFY_WEBHOOK_SECRET')
    return secret('webhookSecret', entry.secrets.webhookSecret ?? sharedWebhookSecret);
  if (entry.overrides && key in entry.overrides) return `SHOPS_FILE ${entry.shop}: overrides.${key} ${rest}`;
  if (key === 'SLACK_CHANNEL_ID' && entry.slackChannelId)
    return `SHOPS_FILE ${entry.shop}: slackChannelId ${rest}`;
  return problem;
};

/**
 * Every shop the deployment serves, each parsed by `schema`: SHOPS_FILE's shops when it is set, else the single shop
 * of the environment (SHOPIFY_SHOP and its HotWax ids, exactly as before). Every problem of every shop is listed at
 * once; a problem of the deployment-wide settings is listed once, not once per shop.
 */
export const parseShops = <S extends z.ZodType>(schema: S, env: Env): ParsedShop<z.infer<S>>[] => {
  const path = env.SHOPS_FILE?.trim();
  if (!path) return [{ config: parseConfig(schema, env) }];
  const file = readShopsFile(path);
  const problems: string[] = [];
  const shops: ParsedShop<z.infer<S>>[] = [];
  for (const entry of file.shops) {
    try {
      shops.push({ entry, config: parseConfig(schema, shopEnv(entry, env)) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => shopProblem(entry, env, problem)));
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return shops;
};

/** The deployment-wide settings (every shop shares them): the first shop's parse holds them. */
export const deploymentConfig = <C>(shops: readonly C[]): C => {
  const first = shops[0];
  if (first === undefined) throw new ConfigError(['SHOPS_FILE must list at least one shop']);
  return first;
};

/** SHOPS_FILE's Slack channels by shop (the notifier's routing); empty without the file or channels. */
export const shopChannels = (env: Env): Record<string, string> => {
  const path = env.SHOPS_FILE?.trim();
  if (!path) return {};
  return Object.fromEntries(
    readShopsFile(path).shops.flatMap((entry) =>
      entry.slackChannelId ? [[entry.shop, entry.slackChannelId] as const] : [],
    ),
  );
};
