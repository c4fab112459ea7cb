/**
 * Errors of the Shopify Admin client. Every one says whether retrying later can help (`transient`): the checker
 * retries transient failures with backoff and reports the others. Messages never carry the access token.
 */
export interface ShopifyErrorDetails {
  /** HTTP status when Shopify answered with one */
  status?: number;
  /** `extensions.code` of each GraphQL error, e.g. `THROTTLED`, `ACCESS_DENIED` */
  codes?: string[];
  cause?: unknown;
}

export class ShopifyApiError extends Error {
  override name = 'ShopifyApiError';
  readonly status?: number;
  readonly codes: string[];
  constructor(
    message: string,
    readonly transient: boolean,
    /** the GraphQL operation, e.g. `OrderSnapshot` */
    readonly operation: string,
    { status, codes = [], cause }: ShopifyErrorDetails = {},
  ) {
    super(message, { cause });
    if (status !== undefined) this.status = status;
    this.codes = codes;
  }
}

/** The token was refused or lacks a scope: a person must fix the app's configuration, retrying will not help. */
export class ShopifyAuthError extends ShopifyApiError {
  override name = 'ShopifyAuthError';
  constructor(message: string, operation: string, details: ShopifyErrorDetails = {}) {
    super(message, false, operation, details);
  }
}

/**
 * Shopify answered ACCESS_DENIED: the app's token lacks an access scope (or a protected customer field) that a field
 * of the query needs. A person must grant it to the app; retrying will not help.
 */
export class ShopifyAccessDeniedError extends ShopifyAuthError {
  override name = 'ShopifyAccessDeniedError';
  constructor(
    operation: string,
    readonly denial: {
      /** the scope to grant, e.g. `read_orders` (the first Shopify names); undefined for protected customer data */
      requiredScope: string | undefined;
      /** every scope Shopify says would do, e.g. `read_orders`, `read_marketplace_orders` */
      acceptedScopes: readonly string[];
      /** Shopify's own words, e.g. "`read_customers` access scope." */
      requiredAccess: string | undefined;
      /** the denied field's path in the answer, e.g. `orders.nodes.0.customer` */
      field: string | undefined;
    },
    details: ShopifyErrorDetails = {},
  ) {
    const what = denial.requiredScope
      ? `the ${denial.requiredScope} access scope`
      : 'access to protected customer data';
    const where = denial.field ? ` (needed for ${denial.field})` : '';
    super(
      `Shopify denied ${operation}: the app lacks ${what}${where}. Grant it to the app in Shopify and reinstall it; see the README's "Shopify app" section`,
      operation,
      details,
    );
  }

  get requiredScope(): string | undefined {
    return this.denial.requiredScope;
  }
}

/** The leaky bucket stayed empty through every retry; later, it will have refilled. */
export class ShopifyThrottledError extends ShopifyApiError {
  override name = 'ShopifyThrottledError';
  constructor(
    operation: string,
    readonly attempts: number,
    details: ShopifyErrorDetails = {},
  ) {
    super(`Shopify throttled ${operation} ${attempts} times in a row`, true, operation, details);
  }
}

export class ShopifyTimeoutError extends ShopifyApiError {
  override name = 'ShopifyTimeoutError';
  constructor(
    readonly timeoutMs: number,
    operation: string,
    details: ShopifyErrorDetails = {},
  ) {
    super(`Shopify did not answer ${operation} within ${timeoutMs} ms`, true, operation, details);
  }
}

/** Retrying helps for throttling, 5xx, timeouts and network failures; any other error needs a person or a fix. */
export const isTransientShopifyError = (error: unknown): boolean =>
  error instanceof ShopifyApiError && error.transient;
