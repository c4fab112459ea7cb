import type { AwsEndpoints } from '../adapters/aws/clients.js';
import type { TimelineLinkConfig } from '../config/config.js';
import type { OrderKey } from '../domain/order-sync.js';
import type { Clock, OrderRepository, TimelineLinks } from '../domain/ports.js';
import { createOrderTable, runtimeDefaults } from './aws.js';
import { createLinks, createLinkVerifier } from './links.js';
import { type Overrides, replaced } from './options.js';

export interface ApiDeps {
  store: OrderRepository;
  /** the shop a single-shop deployment serves; picks the record when several shops hold an order id */
  shop: string | undefined;
  /** verifies the signed links of the timeline page; absent without TIMELINE_LINK_KEY */
  timelineLinks: TimelineLinks | undefined;
  shopifyUrl: (key: OrderKey) => string;
  clock: Clock;
}

type ApiWiringConfig = AwsEndpoints & {
  TABLE_NAME: string;
  SHOPIFY_SHOP?: string | undefined;
} & Partial<TimelineLinkConfig>;

/** The read-only API's dependencies (also the CLI's `status`): the table, and the timeline page's link key. */
export const createApiDeps = (config: ApiWiringConfig, overrides: Overrides<ApiDeps> = {}): ApiDeps => ({
  store: createOrderTable(config, overrides).store,
  shop: config.SHOPIFY_SHOP,
  timelineLinks: createLinkVerifier(config),
  shopifyUrl: createLinks(config).shopify,
  clock: runtimeDefaults.clock,
  ...replaced(overrides),
});
