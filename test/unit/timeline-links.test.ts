import { describe, expect, it } from 'vitest';
import { createTimelineLinks, TimelineLinkKeyError } from '../../shared/adapters/links/timeline-links.js';

const key = 'k'.repeat(48);
const now = Date.UTC(2026, 4, 4, 9, 0);
const week = 7 * 86_400_000;
const links = createTimelineLinks({ key, baseUrl: 'https://api.example.com/', ttlMs: week });
const order = { shop: 'acme.myshopify.com', orderId: '5000071396169' };

const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

describe('signed timeline links', () => {
  it('opens the one order of the one shop it was signed for until it expires (7 days)', () => {
    const url = links.url(order, now);
    expect(url).toMatch(
      /^https:\/\/api\.example\.com\/orders\/5000071396169\/timeline\?token=v1\.\d+\.[\w-]+\.[\w-]{43}$/,
    );
    const token = tokenOf(url);
    expect(links.verify(token, order.orderId, now + week - 1000)).toEqual({
      valid: true,
      shop: order.shop,
      expiresAt: Math.floor((now + week) / 1000) * 1000,
    });
    expect(links.verify(token, order.orderId, now + week + 1000)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('refuses a token used for another order, another shop, a later expiry or another key', () => {
    const token = tokenOf(links.url(order, now));
    const [version, expiry, shop, mac] = token.split('.') as [string, string, string, string];
    expect(links.verify(token, '5000071396170', now).valid).toBe(false);
    const otherShop = Buffer.from('evil.myshopify.com').toString('base64url');
    expect(links.verify([version, expiry, otherShop, mac].join('.'), order.orderId, now)).toEqual({
      valid: false,
      reason: 'forged',
    });
    expect(
      links.verify([version, String(Number(expiry) + 86_400), shop, mac].join('.'), order.orderId, now).valid,
    ).toBe(false);
    const other = createTimelineLinks({ key: 'o'.repeat(48), baseUrl: 'https://x', ttlMs: week });
    expect(other.verify(token, order.orderId, now)).toEqual({ valid: false, reason: 'forged' });
    // A tampered token that is also old is a forgery, not merely expired.
    expect(links.verify([version, '1', shop, mac].join('.'), order.orderId, now)).toEqual({
      valid: false,
      reason: 'forged',
    });
  });

  it.each([
    '',
    'v1',
    'v2.1.YQ.abc',
    'v1.x.YQ.' + 'a'.repeat(43),
    'v1.1.YQ.short',
    'v1.1.Y=Q.' + 'a'.repeat(43),
  ])('refuses the malformed token %j', (token) => {
    expect(links.verify(token, order.orderId, now)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('refuses a key too short to be secret', () => {
    expect(() => createTimelineLinks({ key: 'short', baseUrl: 'https://x', ttlMs: week })).toThrow(
      TimelineLinkKeyError,
    );
  });
});
