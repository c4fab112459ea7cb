import {
  HotwaxApiError,
  HotwaxAuthError,
  HotwaxHttpError,
  HotwaxNetworkError,
  HotwaxTimeoutError,
} from './errors.js';
import { parseHotwaxBody, parseHotwaxFile, type QueryValue, serializeParams } from './wire.js';

export interface HotwaxHttpOptions {
  /** e.g. `https://acme.hotwax.io`; `/api/...` is appended */
  baseUrl: string;
  /** a long-lived JWT made in HotWax (OMS Settings › Create JWT Token), used as Bearer as is */
  apiToken?: string;
  username?: string;
  password?: string;
  /** per HTTP attempt, default 10 000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

type Params = Readonly<Record<string, QueryValue>>;
type Init = Omit<RequestInit, 'headers'> & { headers: Record<string, string> };

export interface HotwaxHttp {
  /** GET returning the JSON object; with `allowNoRecord`, `{"error":"No record found"}` comes back as `undefined`. */
  get(
    endpoint: string,
    params: Params,
    options?: { allowNoRecord?: boolean },
  ): Promise<Record<string, unknown> | undefined>;
  post(endpoint: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** GET of a file (DownloadCsvFile): raw text. */
  download(endpoint: string, params: Params): Promise<string>;
}

/** Renew a token this long before HotWax says it expires, capped to a tenth of its life for short-lived tokens. */
const renewMarginMs = 60_000;

/** Origin plus path, without a trailing slash or a trailing `/api` (people paste either). */
export const normalizeBaseUrl = (baseUrl: string): string =>
  baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');

interface Token {
  value: string;
  renewAt: number;
}

/**
 * HTTP to HotWax: Bearer auth with one shared login (cached until shortly before `expirationTime`), one re-login
 * and retry on a 401, a timeout on every attempt, and HotWax's error-inside-200 rule. No retries otherwise: the
 * caller (an SQS-driven check) owns backoff.
 */
export const createHotwaxHttp = (options: HotwaxHttpOptions): HotwaxHttp => {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const fixedToken = options.apiToken;
  if (!fixedToken && !(options.username && options.password)) {
    throw new HotwaxAuthError(
      'HotWax needs HOTWAX_API_TOKEN, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
      'login',
    );
  }

  let token: Token | undefined;
  let pendingLogin: Promise<Token> | undefined;

  // `endpoint` names the call in errors; the query string (order ids) stays out of error messages.
  const send = async (endpoint: string, search: string, init: Init) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(`${baseUrl}/api/${endpoint}${search}`, { ...init, signal });
      // The body is read under the same deadline: a server that stalls mid-body is a timeout too.
      const text = await response.text();
      return { status: response.status, ok: response.ok, text };
    } catch (error) {
      if (signal.aborted) throw new HotwaxTimeoutError(timeoutMs, endpoint, { cause: error });
      throw new HotwaxNetworkError(endpoint, { cause: error });
    }
  };

  const login = async (): Promise<Token> => {
    const response = await send('login', '', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ USERNAME: options.username, PASSWORD: options.password }),
    });
    if (response.status === 401 || response.status === 403) {
      throw new HotwaxAuthError(
        `HotWax refused the login (HTTP ${response.status}): check HOTWAX_USERNAME and HOTWAX_PASSWORD`,
        'login',
      );
    }
    if (!response.ok) throw new HotwaxHttpError(response.status, 'login');
    const parsed = parseHotwaxBody(response.text);
    if (parsed.kind === 'error' && parsed.notJson) {
      throw new HotwaxApiError(parsed.message, 'login');
    }
    // HotWax answers a wrong password with 200 and _ERROR_MESSAGE_; its text may name the user, so it stays out.
    if (parsed.kind !== 'ok' || typeof parsed.body.token !== 'string' || parsed.body.token === '') {
      throw new HotwaxAuthError(
        'HotWax refused the login: check HOTWAX_USERNAME and HOTWAX_PASSWORD',
        'login',
      );
    }
    const loggedInAt = now();
    const expiration = Number(parsed.body.expirationTime);
    const renewAt =
      Number.isFinite(expiration) && expiration > 0
        ? expiration - Math.min(renewMarginMs, Math.max(0, expiration - loggedInAt) / 10)
        : Number.POSITIVE_INFINITY; // no expiry given: keep it until HotWax answers 401
    return { value: parsed.body.token, renewAt };
  };

  const currentToken = async (): Promise<string> => {
    if (fixedToken) return fixedToken;
    if (token && now() < token.renewAt) return token.value;
    // Concurrent callers share one login instead of each opening a session.
    pendingLogin ??= login().finally(() => {
      pendingLogin = undefined;
    });
    token = await pendingLogin;
    return token.value;
  };

  const withBearer = (init: Init, value: string): Init => ({
    ...init,
    headers: { ...init.headers, Authorization: `Bearer ${value}` },
  });

  const authorized = async (endpoint: string, search: string, init: Init) => {
    const first = await currentToken();
    const response = await send(endpoint, search, withBearer(init, first));
    if (response.status !== 401) return response;
    if (fixedToken) {
      throw new HotwaxAuthError(
        'HotWax rejected HOTWAX_API_TOKEN (HTTP 401): create a new JWT in OMS Settings › Create JWT Token',
        endpoint,
      );
    }
    // Only the caller holding the rejected token drops it, so a burst of 401s still shares one new login.
    if (token?.value === first) token = undefined;
    const retried = await send(endpoint, search, withBearer(init, await currentToken()));
    if (retried.status === 401) {
      throw new HotwaxAuthError(`HotWax ${endpoint} answered 401 even right after a fresh login`, endpoint);
    }
    return retried;
  };

  const json = async (endpoint: string, search: string, init: Init, allowNoRecord: boolean) => {
    const response = await authorized(endpoint, search, init);
    if (!response.ok) throw new HotwaxHttpError(response.status, endpoint);
    const parsed = parseHotwaxBody(response.text, { allowNoRecord });
    if (parsed.kind === 'error') throw new HotwaxApiError(parsed.message, endpoint);
    return parsed.kind === 'ok' ? parsed.body : undefined;
  };

  const query = (params: Params) => {
    const serialized = serializeParams(params);
    return serialized ? `?${serialized}` : '';
  };

  return {
    get(endpoint, params, getOptions = {}) {
      const init = { method: 'GET', headers: { Accept: 'application/json' } };
      return json(endpoint, query(params), init, getOptions.allowNoRecord ?? false);
    },
    async post(endpoint, body) {
      const init = {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      };
      return (await json(endpoint, '', init, false)) ?? {};
    },
    async download(endpoint, params) {
      const response = await authorized(endpoint, query(params), { method: 'GET', headers: {} });
      if (!response.ok) throw new HotwaxHttpError(response.status, endpoint);
      const parsed = parseHotwaxFile(response.text);
      if (parsed.kind === 'error') throw new HotwaxApiError(parsed.message, endpoint);
      return parsed.text;
    },
  };
};
