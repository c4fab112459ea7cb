import type { Expectation } from './order-sync.js';

/** Topics the monitor records, and what each makes HotWax owe us. */
export const recordedTopics: Readonly<Record<string, Expectation>> = {
  'orders/create': 'created',
  'orders/fulfilled': 'fulfilled',
};

/** Shopify sends `orders/create`; subscriptions made through GraphQL may report `ORDERS_CREATE`. */
export const normaliseTopic = (topic: string): string => topic.trim().toLowerCase().replace(/_/, '/');

/**
 * Shopify's redeliveries of one event share `X-Shopify-Event-Id` (newer API versions) and `X-Shopify-Webhook-Id`;
 * the event id is preferred because a duplicate event may come with a new webhook id.
 */
export const dedupeKey = (
  shop: string,
  headers: { eventId?: string; webhookId?: string },
): string | undefined => {
  const id = headers.eventId?.trim() || headers.webhookId?.trim();
  return id ? `${shop}#${id}` : undefined;
};

/** The topics the monitor subscribes to, as GraphQL's `WebhookSubscriptionTopic` names them. */
export type SubscriptionTopic = 'ORDERS_CREATE' | 'ORDERS_FULFILLED';
export const monitoredSubscriptionTopics: readonly SubscriptionTopic[] = [
  'ORDERS_CREATE',
  'ORDERS_FULFILLED',
];
