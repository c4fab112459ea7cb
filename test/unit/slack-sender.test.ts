import { describe, expect, it } from 'vitest';
import { buildNotificationMessage } from '../../shared/adapters/slack/block-kit.js';
import { createConsoleSlackSender } from '../../shared/adapters/slack/console-slack-sender.js';
import { createSlackSender } from '../../shared/adapters/slack/slack-sender.js';

describe('createSlackSender', () => {
  it.each([
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL_ID: 'C1', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x' },
      'web-api',
    ],
    [{ SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' }, 'webhook'],
    [{}, 'console'],
  ] as const)('picks the %o transport as %s', (config, kind) => {
    expect(createSlackSender(config, { write: () => {} }).kind).toBe(kind);
  });

  it('only the Web API threads replies; the incoming webhook neither threads nor edits', () => {
    const web = createSlackSender({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL_ID: 'C1' });
    const hook = createSlackSender({ SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' });
    expect([web.supportsThreads, web.supportsUpdate]).toEqual([true, true]);
    expect([hook.supportsThreads, hook.supportsUpdate]).toEqual([false, false]);
  });
});

describe('the console sink', () => {
  it('prints a readable message with its links and threads replies under it', async () => {
    const lines: string[] = [];
    const sender = createConsoleSlackSender((text) => lines.push(text));
    const message = buildNotificationMessage(
      {
        kind: 'needs_human',
        shop: 'acme.myshopify.com',
        title: 'Order #1042 cannot reach HotWax',
        explanation: 'The shipping address has no phone number',
        at: 0,
        order: {
          orderId: '5123456789012',
          orderName: '#1042',
          channel: 'pos',
          state: 'blocked_on_data',
          outOfSyncSince: 0,
          shopifyUrl: 'https://admin.shopify.com/store/acme/orders/5123456789012',
        },
      },
      3_600_000,
    );
    const { ts } = await sender.post(message);
    await sender.post(message, { threadTs: ts as string });

    expect(lines[0]).toContain('== :warning: Order #1042 cannot reach HotWax ==');
    expect(lines[0]).toContain('Order: #1042 (https://admin.shopify.com/store/acme/orders/5123456789012)');
    expect(lines[0]).toContain('Out of sync for: 1 h');
    expect(lines[1]).toContain(`reply in thread ${ts}`);
  });
});
