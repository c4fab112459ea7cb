/**
 * The Admin API access scopes the monitor needs (README › The Shopify app): `read_orders` covers re-reading an
 * order, the sweep's order pages and the orders/create and orders/fulfilled subscriptions. Protected customer data
 * (level 1 and the level-2 field Phone) is granted beside the scopes and has no API to list it.
 */
export const requiredShopifyScopes = ['read_orders'] as const;

/** A `write_` scope includes its `read_` scope, as Shopify grants them. */
export const grantsScope = (granted: readonly string[], scope: string): boolean =>
  granted.includes(scope) || (scope.startsWith('read_') && granted.includes(`write_${scope.slice(5)}`));
