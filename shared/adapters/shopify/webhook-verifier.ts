import '@shopify/shopify-api/adapters/web-api';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';

export type WebhookVerification =
  | { authentic: false; reason: string }
  | { authentic: true; missingHeaders: string[] };

/**
 * Verifies Shopify's HMAC over the exact raw body with @shopify/shopify-api (constant-time comparison).
 * The library instance only needs the client secret; the other settings are placeholders it insists on.
 */
export const createWebhookVerifier = (secret: string) => {
  const shopify = shopifyApi({
    apiKey: 'order-sync-monitor',
    apiSecretKey: secret,
    hostName: 'localhost',
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error, log: async () => {} },
  });

  return async (rawBody: string, headers: Record<string, string>): Promise<WebhookVerification> => {
    const result = await shopify.webhooks.validate({
      rawBody,
      rawRequest: new Request('https://localhost/webhooks/shopify', { method: 'POST', headers }),
    });
    if (result.valid) return { authentic: true, missingHeaders: [] };
    // The library checks the HMAC before the other headers: missing headers means the body was authentic.
    if (result.reason === 'missing_headers') {
      return { authentic: true, missingHeaders: 'missingHeaders' in result ? result.missingHeaders : [] };
    }
    return { authentic: false, reason: result.reason };
  };
};

export type WebhookVerifier = ReturnType<typeof createWebhookVerifier>;
