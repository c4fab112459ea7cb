import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OrderKey } from '../../domain/order-sync.js';
import type { TimelineLinks } from '../../domain/ports.js';

/**
 * Signed, expiring links to an order's timeline page: `<base>/orders/<id>/timeline?token=<token>`, where the token is
 * `v1.<expiry, epoch seconds>.<shop, base64url>.<HMAC-SHA256, base64url>` and the HMAC covers
 * `v1\n<shop>\n<order id>\n<expiry>` with the deployment's link key. The order id is in the path and signed, so a
 * token opens exactly one order of one shop until it expires; changing any part of the link breaks the signature.
 */

export class TimelineLinkKeyError extends Error {
  override name = 'TimelineLinkKeyError';
}

const version = 'v1';
/** A key shorter than this is too easy to guess. */
export const minKeyLength = 32;

const mac = (key: string, shop: string, orderId: string, expiresAt: number) =>
  createHmac('sha256', key).update(`${version}\n${shop}\n${orderId}\n${expiresAt}`).digest('base64url');

export const createTimelineLinks = (params: {
  /** TIMELINE_LINK_KEY */
  key: string;
  /** where the monitor's HTTP routes are reached (PUBLIC_BASE_URL) */
  baseUrl: string;
  /** how long a link opens the page */
  ttlMs: number;
}): TimelineLinks => {
  if (params.key.length < minKeyLength) {
    throw new TimelineLinkKeyError(`the timeline link key must have at least ${minKeyLength} characters`);
  }
  const base = params.baseUrl.replace(/\/+$/, '');
  return {
    url({ shop, orderId }: OrderKey, now: number) {
      const expiresAt = Math.floor((now + params.ttlMs) / 1000);
      const token = [
        version,
        expiresAt,
        Buffer.from(shop).toString('base64url'),
        mac(params.key, shop, orderId, expiresAt),
      ].join('.');
      return `${base}/orders/${encodeURIComponent(orderId)}/timeline?token=${token}`;
    },
    verify(token, orderId, now) {
      const parts = token.split('.');
      if (parts.length !== 4 || parts[0] !== version) return { valid: false, reason: 'malformed' };
      const [, expiry = '', encodedShop = '', signature = ''] = parts;
      if (!/^\d{1,12}$/.test(expiry) || !/^[\w-]+$/.test(encodedShop) || !/^[\w-]{43}$/.test(signature)) {
        return { valid: false, reason: 'malformed' };
      }
      const shop = Buffer.from(encodedShop, 'base64url').toString('utf8');
      const expiresAt = Number(expiry);
      const expected = Buffer.from(mac(params.key, shop, orderId, expiresAt));
      // The signature first: an expired link that was tampered with is a forgery, not just old.
      if (!timingSafeEqual(Buffer.from(signature), expected)) return { valid: false, reason: 'forged' };
      if (expiresAt * 1000 <= now) return { valid: false, reason: 'expired' };
      return { valid: true, shop, expiresAt: expiresAt * 1000 };
    },
  };
};
