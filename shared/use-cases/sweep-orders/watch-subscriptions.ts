import { MetricName } from '../../domain/metric-names.js';
import { missingSubscriptions } from '../../domain/sweep-window.js';
import { monitoredSubscriptionTopics, normaliseTopic } from '../../domain/webhook-topics.js';
import { subscriptionNotification } from './sweep-notifications.js';
import type { SweepRun } from './sweep-run.js';

/**
 * The subscription watchdog. Shopify deletes a subscription after 8 failed deliveries over 4 hours: when
 * orders/create or orders/fulfilled no longer deliver to WEBHOOK_CALLBACK_URL, count it (SubscriptionsMissing),
 * tell people once per gap, and with RESTORE_WEBHOOK_SUBSCRIPTIONS re-create it. Resolves to the topics still
 * missing, which the checkpoint keeps.
 */
export const watchSubscriptions = async (
  run: SweepRun,
  knownMissing: readonly string[],
): Promise<string[]> => {
  const { deps, summary } = run;
  const { settings, telemetry } = deps;
  const { shop, webhookCallbackUrl: callbackUrl } = settings;
  const subscriptions = await deps.shopify.listWebhookSubscriptions();
  const missing = missingSubscriptions(monitoredSubscriptionTopics, subscriptions, callbackUrl);
  const restored: typeof missing = [];
  if (missing.length > 0 && settings.restoreSubscriptions && callbackUrl) {
    for (const topic of missing) {
      try {
        await deps.shopify.createWebhookSubscription(topic, callbackUrl);
        restored.push(topic);
      } catch (error) {
        telemetry.error('Could not re-create a webhook subscription', { shop, topic, error: String(error) });
      }
    }
  }
  const names = missing.map(normaliseTopic);
  summary.subscriptions = { checked: true, missing: names, restored: restored.map(normaliseTopic) };
  telemetry.count(MetricName.SubscriptionsMissing, missing.length, { shop });
  if (missing.length === 0) return [];

  telemetry.error('Webhook subscriptions missing', {
    shop,
    missing: names,
    restored: summary.subscriptions.restored,
  });
  const stillMissing = names.filter((name) => !summary.subscriptions.restored.includes(name));
  // The metric alarms every sweep; people hear once per gap, and again when the sweep repaired it.
  if (restored.length > 0 || stillMissing.join() !== knownMissing.join()) {
    await run.notify(
      subscriptionNotification(shop, names, summary.subscriptions.restored, settings, deps.clock.now()),
    );
  }
  return stillMissing;
};
