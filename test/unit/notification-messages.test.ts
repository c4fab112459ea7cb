import { describe, expect, it } from 'vitest';
import {
  buildAlarmMessage,
  buildDigestMessage,
  buildNotificationMessage,
  renderPlainText,
  type SlackMessage,
} from '../../shared/adapters/slack/block-kit.js';
import { humanDuration, scrubPii } from '../../shared/domain/notification-text.js';
import type { Notification } from '../../shared/domain/ports.js';

const now = Date.parse('2026-05-04T15:00:00Z');
const minutes = (count: number) => count * 60_000;

const notification = (overrides: Partial<Notification> = {}, order: Partial<Notification['order']> = {}) =>
  ({
    kind: 'needs_human',
    shop: 'acme.myshopify.com',
    title: 'Order #1042 cannot reach HotWax',
    at: now - minutes(1),
    order: {
      orderId: '5123456789012',
      orderName: '#1042',
      channel: 'web',
      state: 'blocked_on_data',
      outOfSyncSince: now - minutes(192),
      shopifyUrl: 'https://admin.shopify.com/store/acme/orders/5123456789012',
      hotwaxUrl: 'https://acme.hotwax.io/commerce/control/ViewOrder?orderId=HW10042',
      ...order,
    },
    ...overrides,
  }) as Notification;

const read = (message: SlackMessage) => `${message.text}\n${renderPlainText(message)}`;

describe('an order message', () => {
  it.each([
    {
      runbook: 'blocked on data: fix the data in Shopify, the monitor re-imports',
      input: notification({ explanation: 'The shipping address has no phone number' }),
      expected: [
        '#1042',
        'Online store',
        'Blocked on data in Shopify',
        'The shipping address has no phone number',
        'Fix the data in Shopify',
        're-imports',
      ],
    },
    {
      runbook: 'web order held in Created: the order approval troubleshooting',
      input: notification({ explanation: 'Payment is still pending' }, { state: 'awaiting_approval' }),
      expected: [
        'Awaiting approval',
        'Order Approval troubleshooting',
        'payment status',
        'Approve Orders job',
      ],
    },
    {
      runbook: 'POS order fulfilled in Shopify, refresh not configured: refresh it by hand',
      input: notification(
        { explanation: 'Fulfilled in Shopify, still Created in HotWax' },
        { channel: 'pos', state: 'stuck_created' },
      ),
      expected: [
        'POS',
        'Stuck in Created',
        'View Sales Order › Refresh order',
        'new version is Completed',
        'old one Cancelled',
      ],
    },
    {
      runbook: 'repairs exhausted: contact HotWax support with the bundle',
      input: notification(
        {
          kind: 'escalated',
          explanation: 'Three re-imports did not land',
          bundle: { mdmLogId: 'LOG-77', attempts: 3 },
        },
        { state: 'escalated' },
      ),
      expected: ['Escalated to HotWax support', 'Contact HotWax support', 'support bundle', 'LOG-77'],
    },
  ])('tells a person what to do when $runbook', ({ input, expected }) => {
    const text = read(buildNotificationMessage(input, now));
    for (const phrase of expected) expect(text).toContain(phrase);
    expect(text).toContain(
      'Open in Shopify admin (https://admin.shopify.com/store/acme/orders/5123456789012)',
    );
    expect(text).toContain('Open in HotWax (https://acme.hotwax.io/');
    expect(text).toContain('3 h 12 min');
  });

  it("shows the checker's own fix instead of the runbook default", () => {
    const text = read(
      buildNotificationMessage(notification({ fix: 'Add a phone to the shipping address' }), now),
    );
    expect(text).toContain('Add a phone to the shipping address');
    expect(text).not.toContain('the cause above names');
  });

  it('says how long a resolved order was out of sync, measured to when it was fixed', () => {
    const resolved = notification({
      kind: 'resolved',
      title: '#1042 is in HotWax now',
      at: now - minutes(60),
    });
    const text = read(buildNotificationMessage(resolved, now));
    expect(text).toContain('Was out of sync for: 2 h 12 min');
    expect(text).not.toContain('Fix');
  });

  it('keeps e-mail addresses, phone numbers and personal JSON fields out of the message', () => {
    const rawError = [
      'Failed to import order 5123456789012: missing phone for shipping address.',
      '{"email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe","phone":"5551234567","orderName":"#1042"}',
      'Contact: jane.doe@example.com, +1 (555) 123-4567, 555-123-4567, (555) 987 6543',
    ].join('\n');
    const message = buildNotificationMessage(
      notification({ rawError, explanation: 'Customer jane.doe@example.com has no phone' }),
      now,
    );
    const everything = JSON.stringify(message);
    for (const personal of ['jane.doe', 'Jane', 'Doe', '5551234567', '123-4567', '987 6543']) {
      expect(everything).not.toContain(personal);
    }
    // ids stay readable: they are what a person searches for in HotWax and Shopify
    expect(everything).toContain('5123456789012');
    expect(everything).toContain('#1042');
  });

  it('escapes Slack control characters in free text', () => {
    const message = buildNotificationMessage(notification({ explanation: 'Tax <missing> & rate' }), now);
    expect(JSON.stringify(message.blocks)).toContain('Tax &lt;missing&gt; &amp; rate');
  });

  it('stays within Slack limits for a very long raw error', () => {
    const message = buildNotificationMessage(notification({ rawError: 'x'.repeat(20_000) }), now);
    for (const block of message.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    }
  });

  it('describes a quarantined payload without an order', () => {
    const quarantined: Notification = {
      kind: 'quarantined',
      shop: 'acme.myshopify.com',
      title: 'A Shopify webhook could not be read and was quarantined',
      explanation: 'The orders/create payload is not valid JSON',
      at: now,
    };
    const text = read(buildNotificationMessage(quarantined, now));
    expect(text).toContain('quarantined');
    expect(text).toContain('quarantine bucket');
  });
});

describe('humanDuration', () => {
  it.each([
    [minutes(0.5), 'less than a minute'],
    [minutes(1), '1 min'],
    [minutes(59), '59 min'],
    [minutes(60), '1 h'],
    [minutes(192), '3 h 12 min'],
    [minutes(60 * 24), '1 day'],
    [minutes(60 * 52), '2 days 4 h'],
  ])('writes %d ms as "%s"', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('scrubPii', () => {
  it('leaves ids and dates alone', () => {
    expect(scrubPii('order 5123456789012 at 2026-05-04 10:30, log 100234')).toBe(
      'order 5123456789012 at 2026-05-04 10:30, log 100234',
    );
  });
});

describe('a storm digest', () => {
  const storm = Array.from({ length: 45 }, (_, index) =>
    notification(
      { explanation: index % 3 === 0 ? 'Missing customer address' : 'Missing shipping phone' },
      {
        orderId: String(6000000000000 + index),
        orderName: `#${2000 + index}`,
        outOfSyncSince: now - minutes(100 - index),
        shopifyUrl: `https://admin.shopify.com/store/acme/orders/${6000000000000 + index}`,
      },
    ),
  );

  it('summarises many orders in one message: counts by cause and the longest-waiting orders with links', () => {
    const message = buildDigestMessage(storm, { now, postedIndividually: 10 });
    const text = read(message);
    expect(text).toContain('45 orders need a person');
    expect(text).toMatch(/Missing shipping phone — \*?30/);
    expect(text).toMatch(/Missing customer address — \*?15/);
    expect(text).toContain('10 orders were posted individually');
    expect(text).toContain('#2000 (https://admin.shopify.com/store/acme/orders/6000000000000)');
    expect(text).toContain('#2019');
    expect(text).not.toContain('#2020');
    expect(text).toContain('…and 25 more orders');
    expect(text.indexOf('#2000')).toBeLessThan(text.indexOf('#2001'));
    expect(message.text).toContain('45 orders need a person');
  });

  it('marks a follow-up as an update of the storm', () => {
    expect(read(buildDigestMessage(storm, { now, followUp: true }))).toContain('Storm update: 45 orders');
  });
});

describe('a CloudWatch alarm', () => {
  it('names the alarm, its new state, why, and links to CloudWatch', () => {
    const message = buildAlarmMessage({
      AlarmName: 'order-sync-check-dlq-not-empty',
      AlarmDescription: 'Checks are landing in the DLQ: orders are not being verified.',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
      StateChangeTime: '2026-05-04T14:59:00.000+0000',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:order-sync-check-dlq-not-empty',
    });
    const text = read(message);
    expect(text).toContain('ALARM: order-sync-check-dlq-not-empty');
    expect(text).toContain('Checks are landing in the DLQ');
    expect(text).toContain('Threshold Crossed');
    expect(text).toContain('OK → ALARM');
    expect(text).toContain(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/',
    );
  });

  it('reports recovery as good news', () => {
    const message = buildAlarmMessage({ AlarmName: 'orders-missing', NewStateValue: 'OK' });
    expect(message.text).toBe('Recovered: orders-missing');
  });
});
