import type { ShopContext, WebhookSubscription } from '../../domain/ports.js';
import { grantsScope, requiredShopifyScopes } from '../../domain/shopify-access.js';
import { missingSubscriptions } from '../../domain/sweep-window.js';
import {
  monitoredSubscriptionTopics,
  normaliseTopic,
  type SubscriptionTopic,
} from '../../domain/webhook-topics.js';
import { attention, checkList, type Outcome, ok } from './check-kit.js';
import type { DoctorCheck, DoctorProbes, ExplainFailure, ShopifyInstallation } from './doctor-ports.js';

/** How far back the order read looks for an order to read; one page of one order is all it asks. */
const orderReadWindowMs = 7 * 86_400_000;

const stableVersion = /^\d{4}-\d{2}$/;

/**
 * SHOPIFY_API_VERSION against what Shopify itself says at run time (`publicApiVersions`, and the version it answered
 * with): no list shipped with the code can go stale in AWS.
 */
const versionLine = (requested: string, installation: ShopifyInstallation): Outcome => {
  const supported = installation.apiVersions
    .filter((version) => version.supported && stableVersion.test(version.handle))
    .map((version) => version.handle)
    .sort()
    .reverse();
  const latest = supported[0];
  const advice = latest ? ` Set SHOPIFY_API_VERSION to a supported version (latest stable: ${latest}).` : '';
  const served = installation.servedVersion;
  const listed = installation.apiVersions.find((version) => version.handle === requested);
  if ((served && served !== requested) || !listed) {
    return {
      status: 'config',
      detail: `SHOPIFY_API_VERSION ${requested} is not supported by Shopify${served && served !== requested ? `: Shopify answers with ${served} instead` : ''}.${advice}`,
    };
  }
  if (!listed.supported) {
    return attention(
      `SHOPIFY_API_VERSION ${requested} is not a supported stable version yet (a release candidate or unstable).${advice}`,
    );
  }
  const newer = latest && latest > requested ? ` (${latest} is the latest stable)` : '';
  return ok(`${requested} is supported${newer}.`);
};

const scopesLine = (granted: readonly string[]): Outcome => {
  const missing = requiredShopifyScopes.filter((scope) => !grantsScope(granted, scope));
  if (missing.length > 0) {
    return attention(
      `The app lacks the access scope ${missing.join(', ')} (granted: ${granted.join(', ') || 'none'}). Grant it in the app's configuration in Shopify and reinstall the app (README › The Shopify app).`,
    );
  }
  const writes = granted.filter((scope) => scope.startsWith('write_'));
  const more = writes.length > 0 ? ` More than needed: ${writes.join(', ')} (the monitor never writes).` : '';
  return ok(`${requiredShopifyScopes.join(', ')} granted.${more}`);
};

const subscriptionLine = (
  topic: SubscriptionTopic,
  subscriptions: readonly WebhookSubscription[],
  callbackUrl: string | undefined,
): Outcome => {
  const name = normaliseTopic(topic);
  const ofTopic = subscriptions.filter((subscription) => normaliseTopic(subscription.topic) === name);
  const elsewhere = ofTopic.map((subscription) => subscription.callbackUrl).join(', ');
  const create = `Create it in the app (or set RESTORE_WEBHOOK_SUBSCRIPTIONS=true: the sweep re-creates it)`;
  if (!callbackUrl) {
    return attention(
      ofTopic.length > 0
        ? `${name} delivers to ${elsewhere}, but WEBHOOK_CALLBACK_URL is not set, so nothing checks that it is this monitor. Set WEBHOOK_CALLBACK_URL to the URL Shopify must deliver to.`
        : `The app has no ${name} subscription and WEBHOOK_CALLBACK_URL is not set. Set WEBHOOK_CALLBACK_URL to the monitor's public URL, then subscribe ${name} to it.`,
    );
  }
  if (missingSubscriptions([topic], subscriptions, callbackUrl).length === 0)
    return ok(`${name} delivers to ${callbackUrl}.`);
  return attention(
    ofTopic.length > 0
      ? `${name} delivers to ${elsewhere}, not to WEBHOOK_CALLBACK_URL ${callbackUrl}. ${create}, and delete the old one if it is no longer used.`
      : `The app has no ${name} subscription, so Shopify does not tell the monitor about these orders (the sweep still finds them, late). ${create} with the URL ${callbackUrl}.`,
  );
};

/**
 * The shop's Shopify, read-only: the token is accepted, SHOPIFY_API_VERSION is supported, every needed access scope
 * is granted (`currentAppInstallation { accessScopes }`), an order reads with the fields the checks read
 * (protected Phone included), and the orders/create and orders/fulfilled subscriptions point at
 * WEBHOOK_CALLBACK_URL.
 */
export const checkShopify = async (
  shop: ShopContext,
  probes: DoctorProbes,
  explain: ExplainFailure,
  now: number,
): Promise<DoctorCheck[]> => {
  const list = checkList(explain, shop.shop);
  let installation: ShopifyInstallation | undefined;
  const accepted = await list.run('shopify.token', 'Shopify token', async () => {
    installation = await probes.shopify.installation();
    return ok(`SHOPIFY_ADMIN_TOKEN is accepted by ${shop.shop}.`);
  });
  const subscriptionChecks = monitoredSubscriptionTopics.map(
    (topic) => [`shopify.subscription.${normaliseTopic(topic)}`, `Shopify ${normaliseTopic(topic)}`] as const,
  );
  if (!accepted || !installation) {
    list.skip(
      [
        ['shopify.api-version', 'Shopify API version'],
        ['shopify.scopes', 'Shopify access scopes'],
        ['shopify.orders', 'Shopify order read'],
        ...subscriptionChecks,
      ],
      'Shopify did not accept the token',
    );
    return list.checks;
  }
  const known = installation;
  list.add('shopify.api-version', 'Shopify API version', versionLine(probes.shopify.apiVersion, known));
  list.add('shopify.scopes', 'Shopify access scopes', scopesLine(known.accessScopes));
  await list.run('shopify.orders', 'Shopify order read', async () => {
    const page = await shop.shopify.listOrdersUpdated({
      from: now - orderReadWindowMs,
      to: now,
      pageSize: 1,
    });
    return ok(
      page.orders.length > 0
        ? 'An order reads with every field the checks read (the protected Phone included).'
        : 'No order was updated in the last 7 days, so the protected fields (Phone) are proven by the first one.',
    );
  });
  let subscriptions: WebhookSubscription[] | undefined;
  try {
    subscriptions = await shop.shopify.listWebhookSubscriptions();
  } catch (error) {
    const failure = explain(error);
    for (const [id, label] of subscriptionChecks) list.add(id, label, failure);
  }
  if (subscriptions) {
    const read = subscriptions;
    monitoredSubscriptionTopics.forEach((topic, index) => {
      const [id, label] = subscriptionChecks[index] as (typeof subscriptionChecks)[number];
      list.add(id, label, subscriptionLine(topic, read, probes.webhookCallbackUrl));
    });
  }
  return list.checks;
};
