/**
 * Errors of the HotWax client. Every one says whether retrying later can help (`transient`): the checker
 * retries transient failures with backoff and reports the others. Messages never carry credentials or tokens.
 */
export class HotwaxError extends Error {
  override name = 'HotwaxError';
  constructor(
    message: string,
    readonly transient: boolean,
    /** the HotWax endpoint, e.g. `performFind` or `service/refreshShopifyOrder` */
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HotWax answered with a non-2xx status. 5xx, 408 and 429 are worth retrying; other 4xx are not. */
export class HotwaxHttpError extends HotwaxError {
  override name = 'HotwaxHttpError';
  constructor(
    readonly status: number,
    endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(
      `HotWax ${endpoint} answered HTTP ${status}`,
      status >= 500 || status === 408 || status === 429,
      endpoint,
      options,
    );
  }
}

/** HotWax answered 200 but the body carries an error (`_ERROR_MESSAGE_`, `error`, ...) or is not JSON (HTML). */
export class HotwaxApiError extends HotwaxError {
  override name = 'HotwaxApiError';
  constructor(
    /** HotWax's own error text, verbatim (truncated) */
    readonly hotwaxMessage: string,
    endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(`HotWax ${endpoint} failed: ${hotwaxMessage}`, false, endpoint, options);
  }
}

export class HotwaxTimeoutError extends HotwaxError {
  override name = 'HotwaxTimeoutError';
  constructor(
    readonly timeoutMs: number,
    endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(`HotWax ${endpoint} did not answer within ${timeoutMs} ms`, true, endpoint, options);
  }
}

/** The connection failed before any answer (DNS, refused, reset). */
export class HotwaxNetworkError extends HotwaxError {
  override name = 'HotwaxNetworkError';
  constructor(endpoint: string, options?: { cause?: unknown }) {
    super(`HotWax ${endpoint} could not be reached`, true, endpoint, options);
  }
}

/** The credentials were refused: a person must fix the configuration, retrying will not help. */
export class HotwaxAuthError extends HotwaxError {
  override name = 'HotwaxAuthError';
  constructor(message: string, endpoint: string, options?: { cause?: unknown }) {
    super(message, false, endpoint, options);
  }
}

/** Retrying helps for 5xx, timeouts and network failures; any other error is not a HotWax outage. */
export const isTransientHotwaxError = (error: unknown): boolean =>
  error instanceof HotwaxError && error.transient;
