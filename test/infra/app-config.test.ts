import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AppConfigError, readAppConfig } from '../../infra/config/app-config.js';

const configFrom = (context: Record<string, unknown>) => readAppConfig(new App({ context }).node);

describe('CDK context', () => {
  it('synthesizes with no context at all, and lists what a deploy still needs', () => {
    const config = configFrom({});
    expect(config.functions).toMatchObject({
      SHOPIFY_API_VERSION: '2026-10',
      HOTWAX_ORDER_MDM_CONFIG_ID: 'CRT_SHOPIFY_ORDER',
      CHECK_DELAY_SECONDS: 600,
      SWEEP_INTERVAL_SECONDS: 900,
      RESTORE_WEBHOOK_SUBSCRIPTIONS: 'false',
    });
    expect(config.infra).toMatchObject({ stackPrefix: 'OrderSyncMonitor', logRetentionDays: 30 });
    expect(config.missingForDeploy).toEqual([
      'SHOPIFY_SHOP',
      'HOTWAX_BASE_URL',
      'HOTWAX_SHOPIFY_CONFIG_ID',
      'HOTWAX_SHOP_ID',
      'HOTWAX_PRODUCT_STORE_ID',
    ]);
  });

  it('reads `-c` strings and cdk.json values alike', () => {
    const config = configFrom({
      CHECK_DELAY_SECONDS: '300',
      RESTORE_WEBHOOK_SUBSCRIPTIONS: true,
      alarmWebhooksRejectedThreshold: 25,
      HOTWAX_IMPORT_ORDER_SERVICE: '',
    });
    expect(config.functions.CHECK_DELAY_SECONDS).toBe(300);
    expect(config.functions.RESTORE_WEBHOOK_SUBSCRIPTIONS).toBe('true');
    expect(config.functions.HOTWAX_IMPORT_ORDER_SERVICE).toBeUndefined();
    expect(config.infra.alarmWebhooksRejectedThreshold).toBe(25);
  });

  it('passes every HotWax setting but the credentials, so a deploy can name a Maarg tenant', () => {
    const config = configFrom({
      HOTWAX_BACKEND: 'maarg',
      HOTWAX_MAARG_URL: 'https://acme-maarg.hotwax.io',
      HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: 'SHOP_US',
      HOTWAX_TIMEOUT_MS: '15000',
      HOTWAX_PASSWORD: 'never-in-context',
    });
    expect(config.functions).toMatchObject({
      HOTWAX_BACKEND: 'maarg',
      HOTWAX_MAARG_URL: 'https://acme-maarg.hotwax.io',
      HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: 'SHOP_US',
      HOTWAX_TIMEOUT_MS: 15000,
    });
    expect(config.functions).not.toHaveProperty('HOTWAX_PASSWORD');
  });

  it('reports every invalid value at once', () => {
    const read = () =>
      configFrom({
        SHOPIFY_SHOP: 'acme.com',
        CHECK_DELAY_SECONDS: '-5',
        SWEEP_INTERVAL_SECONDS: '100',
        logRetentionDays: '31',
      });
    expect(read).toThrow(AppConfigError);
    try {
      read();
    } catch (error) {
      expect((error as AppConfigError).problems.map((problem) => problem.split(' ')[0])).toEqual([
        'SHOPIFY_SHOP',
        'CHECK_DELAY_SECONDS',
        'SWEEP_INTERVAL_SECONDS',
        'logRetentionDays',
      ]);
    }
  });
});
