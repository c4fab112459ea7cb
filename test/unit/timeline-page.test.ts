import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  pageHeaders,
  renderRefusalPage,
  renderTimelinePage,
} from '../../shared/adapters/web/timeline-page.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import { orderView } from '../../shared/domain/order-view.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const now = Date.UTC(2026, 4, 4, 9, 0);
const injection = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;

const record = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  ...webOrderFacts(now - 3_600_000, { shop: 'acme.myshopify.com', orderId: '5000000000007' }),
  orderName: `#1007${injection}`,
  state: 'blocked_on_data',
  stateSince: now - 1_800_000,
  expectation: 'created',
  repairAttempts: 0,
  version: 3,
  firstSeenAt: now - 3_600_000,
  source: 'webhook',
  finding: {
    title: 'Phone number missing or invalid',
    explanation: `HotWax said ${injection}`,
    fix: 'Add the phone in Shopify.\nThe monitor re-imports it.',
    rawError: `{"phone":"+1 555 123 4567","email":"jane@example.com","note":"${injection}"}`,
    mdmLogId: 'LOG-1',
  },
  ...overrides,
});

const page = (
  overrides: Partial<OrderRecord> = {},
  links = { shopify: 'https://admin.shopify.com/store/acme/orders/5000000000007' },
) =>
  renderTimelinePage(
    orderView(
      record(overrides),
      [
        {
          at: now - 60_000,
          type: 'check.blocked',
          state: 'blocked_on_data',
          message: `Import failed: ${injection}`,
        },
        {
          at: now - 30_000,
          type: 'person.mute',
          state: 'blocked_on_data',
          message: 'Alerts muted by Slack user U0PERSON',
        },
      ],
      links,
      now,
    ),
    { now, expiresAt: now + 7 * 86_400_000 },
  );

describe('the timeline page', () => {
  it('escapes order names, error texts and timeline messages: nothing from outside becomes markup', () => {
    const html = page();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/onerror=alert\(2\)>/);
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;',
    );
    // Exactly the page's own elements: one <style>, no <script>, links only where the page puts them.
    expect(html.match(/<script/g)).toBeNull();
    expect(html.match(/<a /g)).toHaveLength(1);
  });

  it('shows the state, the finding, the raw error without customer data, and the timeline newest first', () => {
    const html = page();
    expect(html).toContain('data-state="blocked_on_data"');
    expect(html).toContain('Blocked on data in Shopify');
    expect(html).toContain('Add the phone in Shopify.<br>The monitor re-imports it.');
    expect(html).not.toContain('jane@example.com');
    expect(html).not.toContain('555 123 4567');
    expect(html.indexOf('person.mute')).toBeLessThan(html.indexOf('check.blocked'));
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('links only to http(s) addresses', () => {
    const html = page({}, { shopify: 'javascript:alert(3)' });
    expect(html).not.toContain('javascript:');
  });

  it('is sent so nothing runs, frames or caches it, and the token never leaks as a Referer', () => {
    expect(pageHeaders['content-security-policy']).toContain("default-src 'none'");
    expect(pageHeaders['referrer-policy']).toBe('no-referrer');
    expect(pageHeaders['cache-control']).toBe('no-store');
  });

  it('refuses without showing anything of the order', () => {
    expect(renderRefusalPage('expired')).toContain('This link has expired.');
    expect(renderRefusalPage('forged')).toContain('This link is not valid.');
    expect(renderRefusalPage('<b>')).not.toContain('<b>');
    expect(escapeHtml(`'"<>&`)).toBe('&#39;&quot;&lt;&gt;&amp;');
  });
});
