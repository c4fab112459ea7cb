import { HotwaxAuthError, HotwaxError, HotwaxSetupError } from '../adapters/hotwax/errors.js';
import { createHotwaxProbe } from '../adapters/hotwax/hotwax-probe.js';
import {
  ShopifyAccessDeniedError,
  ShopifyApiError,
  ShopifyAuthError,
} from '../adapters/shopify/admin-errors.js';
import { createSlackProbe } from '../adapters/slack/slack-probe.js';
import type { DoctorConfig } from '../config/config.js';
import { SlackUnavailableError } from '../domain/ports.js';
import { shopDirectory } from '../domain/shop-directory.js';
import type { DoctorDeps, ExplainFailure, LocalProbe } from '../use-cases/doctor/doctor-ports.js';
import { listOf, type WiringOptions } from './options.js';
import { createShopDirectory, createShopifyPort, hotwaxPortOptionsFromConfig } from './shops.js';

/** Slack's codes for a token that no longer works: the configuration must change. */
const refusedTokenCodes = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

const causeCode = (error: Error): string => {
  const code = (error.cause as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code;
  const inner = (error.cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const found = typeof code === 'string' ? code : typeof inner === 'string' ? inner : undefined;
  return found ? ` (${found})` : '';
};

/**
 * Every failure of a probe or port, in its adapter's own words (they already say what to fix), with the status
 * that sets the exit code: refused credentials and unsupported settings are configuration; outages unreachable;
 * the rest needs a person's attention in HotWax, Shopify or Slack.
 */
export const explainDoctorFailure: ExplainFailure = (error) => {
  if (error instanceof HotwaxAuthError) return { status: 'config', detail: `${error.message}.` };
  if (error instanceof HotwaxSetupError) {
    // Discovery found no HotWax at all: the URL is the setting to fix. Anything else is set up in HotWax.
    const status = error.endpoint === 'checkLoginOptions' ? 'config' : 'attention';
    return { status, detail: `HotWax ${error.hotwaxMessage}.` };
  }
  if (error instanceof HotwaxError) {
    return error.transient
      ? {
          status: 'unreachable',
          detail: `${error.message}${causeCode(error)}: HotWax is down or HOTWAX_BASE_URL is wrong. Check the URL, or try again later.`,
        }
      : { status: 'attention', detail: `${error.message}.` };
  }
  if (error instanceof ShopifyAccessDeniedError) return { status: 'attention', detail: `${error.message}.` };
  if (error instanceof ShopifyAuthError)
    return {
      status: 'config',
      detail: `${error.message}. Check SHOPIFY_ADMIN_TOKEN (the custom app's Admin API token) and SHOPIFY_SHOP.`,
    };
  if (error instanceof ShopifyApiError) {
    return error.transient
      ? {
          status: 'unreachable',
          detail: `${error.message}${causeCode(error)}: Shopify could not be reached. Try again later.`,
        }
      : { status: 'attention', detail: `${error.message}.` };
  }
  if (error instanceof SlackUnavailableError) {
    const code = error.slackError ?? '';
    if (refusedTokenCodes.has(code))
      return {
        status: 'config',
        detail: `Slack refused SLACK_BOT_TOKEN (${code}). Install the Slack app again and set the new bot token (xoxb-…).`,
      };
    if (code === 'channel_not_found')
      return {
        status: 'attention',
        detail:
          'Slack knows no channel SLACK_CHANNEL_ID that the bot can see (channel_not_found). Check the id (channel details › About); a private channel must invite the bot first.',
      };
    if (code === 'missing_scope')
      return {
        status: 'skipped',
        detail:
          'Could not see the channel: the token lacks channels:read (groups:read for a private channel), which only doctor uses. Make sure the bot is invited to the channel.',
      };
    if (error.transient)
      return {
        status: 'unreachable',
        detail: `${error.message}: Slack could not be reached. Try again later.`,
      };
    return { status: 'attention', detail: `${error.message}.` };
  }
  return { status: 'attention', detail: `Unexpected error: ${(error as Error)?.message ?? String(error)}.` };
};

export interface DoctorContext {
  /** every configuration problem (empty when `config` is given) */
  configurationProblems?: readonly string[];
  /** where the configuration came from, for people */
  configurationSource: string;
  /** this machine, for a local run */
  local?: LocalProbe;
}

/**
 * `doctor`'s dependencies: the deployment's shops (the single-shop variables, or every shop of `SHOPS_FILE`) with
 * their ports and the probes doctor adds, Slack, and this machine. Without a configuration that parses, only the
 * problems and the machine.
 */
export const createDoctorDeps = (
  configs: DoctorConfig | readonly DoctorConfig[] | undefined,
  context: DoctorContext,
  options: WiringOptions = {},
): DoctorDeps => {
  const shops = configs === undefined ? [] : listOf(configs);
  const config = shops[0];
  const base = {
    configurationProblems: context.configurationProblems ?? [],
    configurationSource: context.configurationSource,
    explain: explainDoctorFailure,
    ...(context.local ? { local: context.local } : {}),
  };
  if (!config) {
    return {
      ...base,
      shops: shopDirectory([]),
      probesFor: () => {
        throw new Error('no shop without a configuration');
      },
    };
  }
  return {
    ...base,
    shops: createShopDirectory(shops, options),
    // Each shop's probes from its own settings (its HotWax ids, its Admin API token).
    probesFor: (shop) => {
      const own = shops.find((candidate) => candidate.SHOPIFY_SHOP === shop.shop) ?? config;
      const admin = createShopifyPort(own, options);
      return {
        hotwax: createHotwaxProbe(hotwaxPortOptionsFromConfig(own, { shop: shop.shop })),
        shopify: { apiVersion: own.SHOPIFY_API_VERSION, installation: () => admin.appInstallation() },
        webhookCallbackUrl: own.WEBHOOK_CALLBACK_URL,
      };
    },
    slack: createSlackProbe(config),
  };
};
