import { createTimelineLinks } from '../adapters/links/timeline-links.js';
import { shopifyOrderUrl } from '../adapters/shopify/order-snapshot.js';
import type { TimelineLinkConfig } from '../config/config.js';
import type { OrderKey } from '../domain/order-sync.js';
import type { TimelineLinks } from '../domain/ports.js';

/** The signed timeline links, when the deployment has a key and knows its public URL. */
export const createLinks = (
  config: Partial<TimelineLinkConfig>,
): { timeline?: TimelineLinks; shopify: (key: OrderKey) => string } => ({
  shopify: ({ shop, orderId }) => shopifyOrderUrl(shop, orderId),
  ...(config.TIMELINE_LINK_KEY && config.PUBLIC_BASE_URL
    ? {
        timeline: createTimelineLinks({
          key: config.TIMELINE_LINK_KEY,
          baseUrl: config.PUBLIC_BASE_URL,
          ttlMs: (config.TIMELINE_LINK_DAYS ?? 7) * 86_400_000,
        }),
      }
    : {}),
});

/**
 * The page verifies a token with the key alone; its own address does not matter, so it needs no PUBLIC_BASE_URL.
 */
export const createLinkVerifier = (config: Partial<TimelineLinkConfig>): TimelineLinks | undefined =>
  config.TIMELINE_LINK_KEY
    ? createTimelineLinks({
        key: config.TIMELINE_LINK_KEY,
        baseUrl: config.PUBLIC_BASE_URL ?? 'http://localhost',
        ttlMs: (config.TIMELINE_LINK_DAYS ?? 7) * 86_400_000,
      })
    : undefined;
