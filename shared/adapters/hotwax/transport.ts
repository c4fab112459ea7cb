import { HotwaxNetworkError, HotwaxTimeoutError } from './errors.js';

export interface RawAnswer {
  status: number;
  ok: boolean;
  text: string;
  headers: Headers;
}

export type RequestInitWithHeaders = Omit<RequestInit, 'headers' | 'signal'> & {
  headers: Record<string, string>;
};

/**
 * One HTTP attempt with a deadline that covers the body too (a server that stalls mid-body is a timeout).
 * `endpoint` names the call in errors; the URL (order ids in its query) stays out of them.
 */
export const sendOnce = async (
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInitWithHeaders,
  timeoutMs: number,
  endpoint: string,
): Promise<RawAnswer> => {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { ...init, signal });
    const text = await response.text();
    return { status: response.status, ok: response.ok, text, headers: response.headers };
  } catch (error) {
    if (signal.aborted) throw new HotwaxTimeoutError(timeoutMs, endpoint, { cause: error });
    throw new HotwaxNetworkError(endpoint, { cause: error });
  }
};

/** One JSON POST without credentials (a login), with the same deadline as every other call. */
export const postJsonOnce = (
  options: { fetch?: typeof fetch | undefined; timeoutMs?: number | undefined },
  url: string,
  body: Record<string, unknown>,
  endpoint: string,
): Promise<RawAnswer> =>
  sendOnce(
    options.fetch ?? globalThis.fetch,
    url,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    },
    options.timeoutMs ?? 10_000,
    endpoint,
  );
