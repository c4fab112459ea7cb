import { GraphqlQueryError, HttpResponseError, HttpThrottlingError } from '@shopify/shopify-api';
import {
  ShopifyAccessDeniedError,
  ShopifyApiError,
  ShopifyAuthError,
  ShopifyThrottledError,
  ShopifyTimeoutError,
} from './admin-errors.js';
import { type QueryCost, readQueryCost } from './query-cost.js';

export interface AdminFailure {
  error: ShopifyApiError;
  /** THROTTLED or HTTP 429: worth waiting and sending again */
  throttled: boolean;
  cost?: QueryCost;
  /** Retry-After of an HTTP 429 */
  retryAfterMs?: number;
}

interface GraphqlErrorEntry {
  message?: unknown;
  path?: unknown;
  extensions?: { code?: unknown; requiredAccess?: unknown };
}

/** Scope handles Shopify quotes in `requiredAccess`, e.g. "`read_orders` access scope or `read_quick_sale` …". */
const scopesIn = (text: string): string[] =>
  [...text.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((match) => match[1] as string);

const accessDenied = (
  operation: string,
  entry: GraphqlErrorEntry,
  details: { status: number; codes: string[]; cause: unknown },
) => {
  const requiredAccess =
    typeof entry.extensions?.requiredAccess === 'string'
      ? entry.extensions.requiredAccess
      : typeof entry.message === 'string'
        ? /Required access: (.*)$/s.exec(entry.message)?.[1]
        : undefined;
  const acceptedScopes = requiredAccess ? scopesIn(requiredAccess) : [];
  const field = Array.isArray(entry.path) ? entry.path.map(String).join('.') : undefined;
  return new ShopifyAccessDeniedError(
    operation,
    { requiredScope: acceptedScopes[0], acceptedScopes, requiredAccess, field },
    details,
  );
};

/** GraphQL error codes Shopify uses for failures on its side rather than in the query. */
const transientCodes = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);
const maxMessageLength = 500;

const isTimeout = (signal: AbortSignal): boolean =>
  signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';

/**
 * Turns what @shopify/shopify-api throws into the adapter's errors. The library's own errors are kept as `cause`;
 * they hold the response, never the request, so the access token cannot leak through them.
 */
export const classifyAdminError = (
  error: unknown,
  context: { operation: string; signal: AbortSignal; timeoutMs: number },
): AdminFailure => {
  const { operation } = context;
  if (error instanceof ShopifyApiError) return { error, throttled: false };
  if (isTimeout(context.signal)) {
    return {
      error: new ShopifyTimeoutError(context.timeoutMs, operation, { cause: error }),
      throttled: false,
    };
  }

  if (error instanceof GraphqlQueryError) {
    const body = error.body ?? {};
    const entries: GraphqlErrorEntry[] = Array.isArray(body.errors?.graphQLErrors)
      ? body.errors.graphQLErrors
      : [];
    const codes = entries
      .map((entry) => entry.extensions?.code)
      .filter((code): code is string => typeof code === 'string');
    const cost = readQueryCost(body.extensions);
    const details = { status: 200, codes, cause: error };
    if (codes.includes('THROTTLED')) {
      return {
        error: new ShopifyThrottledError(operation, 1, details),
        throttled: true,
        ...(cost && { cost }),
      };
    }
    const denied = entries.find((entry) => entry.extensions?.code === 'ACCESS_DENIED');
    if (denied) return { error: accessDenied(operation, denied, details), throttled: false };
    const messages = entries
      .map((entry) => (typeof entry.message === 'string' ? entry.message : ''))
      .filter(Boolean)
      .join('; ')
      .slice(0, maxMessageLength);
    return {
      error: new ShopifyApiError(
        `Shopify rejected ${operation}: ${messages || 'GraphQL error'}`,
        codes.some((code) => transientCodes.has(code)),
        operation,
        details,
      ),
      throttled: false,
      ...(cost && { cost }),
    };
  }

  if (error instanceof HttpThrottlingError) {
    const retryAfter = (error.response as { retryAfter?: number }).retryAfter;
    return {
      error: new ShopifyThrottledError(operation, 1, { status: error.response.code, cause: error }),
      throttled: true,
      ...(typeof retryAfter === 'number' &&
        Number.isFinite(retryAfter) && { retryAfterMs: retryAfter * 1000 }),
    };
  }

  if (error instanceof HttpResponseError) {
    const status = error.response.code;
    if (status === 401 || status === 403) {
      return {
        error: new ShopifyAuthError(
          `Shopify refused the Admin API access token for ${operation} (HTTP ${status}): check SHOPIFY_ADMIN_TOKEN`,
          operation,
          { status, cause: error },
        ),
        throttled: false,
      };
    }
    return {
      error: new ShopifyApiError(
        `Shopify answered ${operation} with HTTP ${status}`,
        status >= 500 || status === 408 || status === 429,
        operation,
        { status, cause: error },
      ),
      throttled: false,
    };
  }

  // No answer at all: DNS, refused or reset connections.
  return {
    error: new ShopifyApiError(`Shopify could not be reached for ${operation}`, true, operation, {
      cause: error,
    }),
    throttled: false,
  };
};
