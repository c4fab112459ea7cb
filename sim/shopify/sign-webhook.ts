import { createHmac, randomUUID } from 'node:crypto';
import { hmacKey } from '../../shared/adapters/hmac-key.js';

/** Base64 HMAC-SHA256 of the exact body bytes, as Shopify puts in X-Shopify-Hmac-Sha256. */
export const signWebhook = (body: string | Buffer, secret: string): string =>
  createHmac('sha256', hmacKey(secret)).update(body).digest('base64');

export interface WebhookDelivery {
  topic: string;
  shop: string;
  body: string;
  secret: string;
  eventId?: string;
  webhookId?: string;
  apiVersion?: string;
}

/** The headers Shopify sends with an HTTPS webhook delivery (lower-case, as API Gateway passes them). */
export const webhookHeaders = (delivery: WebhookDelivery): Record<string, string> => ({
  'content-type': 'application/json',
  'x-shopify-topic': delivery.topic,
  'x-shopify-shop-domain': delivery.shop,
  'x-shopify-hmac-sha256': signWebhook(delivery.body, delivery.secret),
  'x-shopify-api-version': delivery.apiVersion ?? '2026-10',
  'x-shopify-webhook-id': delivery.webhookId ?? randomUUID(),
  'x-shopify-event-id': delivery.eventId ?? randomUUID(),
  'x-shopify-triggered-at': new Date().toISOString(),
});

/** Sends a signed delivery to a running endpoint (the local server, or the monitor under test). */
export const deliverWebhook = async (url: string, delivery: WebhookDelivery): Promise<Response> =>
  fetch(url, { method: 'POST', headers: webhookHeaders(delivery), body: delivery.body });
