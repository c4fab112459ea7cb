import { HotwaxApiError, HotwaxAuthError, HotwaxHttpError } from './errors.js';
import {
  createHotwaxSession,
  type HotwaxConnectionOptions,
  type HotwaxSession,
  type LoginAnswer,
  type LoginOptions,
  sendAuthorized,
} from './session.js';
import { postJsonOnce, type RequestInitWithHeaders, sendOnce } from './transport.js';
import { parseHotwaxBody, parseHotwaxFile, type QueryValue, serializeParams } from './wire.js';

export interface HotwaxHttpOptions extends HotwaxConnectionOptions {
  /** e.g. `https://acme.hotwax.io`; `/api/...` is appended. A long-lived token: OMS Settings › Create JWT Token */
  baseUrl: string;
}

type Params = Readonly<Record<string, QueryValue>>;

export interface HotwaxHttp {
  /** GET returning the JSON object; with `allowNoRecord`, `{"error":"No record found"}` comes back as `undefined`. */
  get(
    endpoint: string,
    params: Params,
    options?: { allowNoRecord?: boolean },
  ): Promise<Record<string, unknown> | undefined>;
  /** POST of a JSON body; with `allowNoRecord`, `{"error":"No record found"}` comes back as `{}`. */
  post(
    endpoint: string,
    body: Record<string, unknown>,
    options?: { allowNoRecord?: boolean },
  ): Promise<Record<string, unknown>>;
  /** GET of a file (DownloadCsvFile): raw text. */
  download(endpoint: string, params: Params): Promise<string>;
}

/** Origin plus path, without a trailing slash or a trailing `/api` (people paste either). */
export const normalizeBaseUrl = (baseUrl: string): string =>
  baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');

/**
 * OFBiz's login: `POST /api/login {"USERNAME","PASSWORD"}` → `{"token","expirationTime"}`. A wrong password is a
 * 200 with `_ERROR_MESSAGE_`, whose text may name the user, so it stays out of the error.
 */
export const ofbizLogin =
  (options: LoginOptions & { baseUrl: string }): (() => Promise<LoginAnswer>) =>
  async () => {
    const response = await postJsonOnce(
      options,
      `${normalizeBaseUrl(options.baseUrl)}/api/login`,
      { USERNAME: options.username, PASSWORD: options.password },
      'login',
    );
    if (response.status === 401 || response.status === 403) {
      throw new HotwaxAuthError(
        `HotWax refused the login (HTTP ${response.status}): check HOTWAX_USERNAME and HOTWAX_PASSWORD`,
        'login',
      );
    }
    if (!response.ok) throw new HotwaxHttpError(response.status, 'login');
    const parsed = parseHotwaxBody(response.text);
    if (parsed.kind === 'error' && parsed.notJson) throw new HotwaxApiError(parsed.message, 'login');
    if (parsed.kind !== 'ok' || typeof parsed.body.token !== 'string' || parsed.body.token === '') {
      throw new HotwaxAuthError(
        'HotWax refused the login: check HOTWAX_USERNAME and HOTWAX_PASSWORD',
        'login',
      );
    }
    return { token: parsed.body.token, expirationTime: Number(parsed.body.expirationTime) };
  };

/** The session of an OFBiz tenant from its options (API token, or OFBiz login). */
export const ofbizSession = (options: HotwaxHttpOptions): HotwaxSession =>
  options.session ??
  createHotwaxSession({
    apiToken: options.apiToken,
    login:
      options.username && options.password
        ? ofbizLogin({
            baseUrl: options.baseUrl,
            username: options.username,
            password: options.password,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          })
        : undefined,
    ...(options.now ? { now: options.now } : {}),
  });

/**
 * HTTP to HotWax's OFBiz API: Bearer auth with one shared login (cached until shortly before `expirationTime`),
 * one re-login and retry on a 401, a timeout on every attempt, and HotWax's error-inside-200 rule. No retries
 * otherwise: the caller (an SQS-driven check) owns backoff.
 */
export const createHotwaxHttp = (options: HotwaxHttpOptions): HotwaxHttp => {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const session = ofbizSession(options);

  const send = (endpoint: string, search: string, init: RequestInitWithHeaders) =>
    sendOnce(fetchImpl, `${baseUrl}/api/${endpoint}${search}`, init, timeoutMs, endpoint);

  const withBearer = (init: RequestInitWithHeaders, value: string): RequestInitWithHeaders => ({
    ...init,
    headers: { ...init.headers, Authorization: `Bearer ${value}` },
  });

  const authorized = (endpoint: string, search: string, init: RequestInitWithHeaders) =>
    sendAuthorized(
      session,
      endpoint,
      (token) => send(endpoint, search, withBearer(init, token)),
      'OMS Settings › Create JWT Token',
    );

  const json = async (
    endpoint: string,
    search: string,
    init: RequestInitWithHeaders,
    allowNoRecord: boolean,
  ) => {
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
    async post(endpoint, body, postOptions = {}) {
      const init = {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      };
      return (await json(endpoint, '', init, postOptions.allowNoRecord ?? false)) ?? {};
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
