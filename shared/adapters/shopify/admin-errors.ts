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
