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
  readonly hotwaxMessage: string | undefined;
  constructor(
    readonly status: number,
    endpoint: string,
    options?: {
      cause?: unknown;
      /** Maarg's `errors` text of the answer, when it carries one (never for file downloads) */
      hotwaxMessage?: string;
    },
  ) {
    super(
      `HotWax ${endpoint} answered HTTP ${status}${options?.hotwaxMessage ? `: ${options.hotwaxMessage}` : ''}`,
      status >= 500 || status === 408 || status === 429,
      endpoint,
      options,
    );
    this.hotwaxMessage = options?.hotwaxMessage;
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

/**
 * HotWax lacks something the repair needs (the New Orders job, the shop's fallback sync job, its remote id): a
 * person must set it up, retrying will not help. A `HotwaxApiError`, so callers treat it as HotWax refusing.
 */
export class HotwaxSetupError extends HotwaxApiError {
  override name = 'HotwaxSetupError';
}

/** Another re-import of this shop is swapping the fallback job's parameters right now: retry shortly. */
export class HotwaxRepairBusyError extends HotwaxError {
  override name = 'HotwaxRepairBusyError';
  constructor(endpoint: string, options?: { cause?: unknown }) {
    super(
      'another re-import of this shop is changing the HotWax fallback sync job; retrying later',
      true,
      endpoint,
      options,
    );
  }
}

/** Retrying helps for 5xx, timeouts and network failures; any other error is not a HotWax outage. */
export const isTransientHotwaxError = (error: unknown): boolean =>
  error instanceof HotwaxError && error.transient;
