import { HotwaxApiError, HotwaxAuthError, HotwaxHttpError } from '../errors.js';
import { type HotwaxSession, type LoginAnswer, type LoginOptions, sendAuthorized } from '../session.js';
import { postJsonOnce, type RawAnswer, type RequestInitWithHeaders, sendOnce } from '../transport.js';
import { parseJsonLossless } from '../wire.js';

/**
 * HTTP to HotWax's Maarg (Moqui) REST API under `/rest/s1/`: real status codes with `{"errors": ...}`
 * (moqui-framework `WebFacadeImpl.sendJsonError`), lists as JSON arrays with the total in `X-Total-Count`
 * (`RestApi.groovy`), plain query parameters. Errors end as the OFBiz client's classes: 401 after one re-login
 * and 403 are `HotwaxAuthError`, 400 is `HotwaxApiError` (HotWax refused the request), 5xx/408/429 are transient
 * `HotwaxHttpError`s, other statuses permanent ones.
 */

export type MaargParams = Readonly<Record<string, string | number | readonly string[] | undefined>>;

export interface MaargList {
  rows: Record<string, unknown>[];
  /** `X-Total-Count`, when Moqui sent it */
  totalCount: number | undefined;
}

export interface MaargHttp {
  /** the base the client speaks to, e.g. `https://acme.hotwax.io/rest/s1` */
  readonly restBase: string;
  getObject(endpoint: string, params?: MaargParams): Promise<Record<string, unknown>>;
  getList(endpoint: string, params?: MaargParams): Promise<MaargList>;
  put(endpoint: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  post(endpoint: string, body?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * A GET whose answer may hold customer data (a failed-record file): its body never reaches an error message.
   */
  getSensitive(endpoint: string, params?: MaargParams): Promise<Record<string, unknown>>;
}

/**
 * Maarg's base as HotWax's apps derive it (accxui `commonUtil.getMaargURL`): a full URL is used as is without
 * any `/rest/s1` suffix, a bare instance name is `https://<name>.hotwax.io`.
 */
export const normalizeMaargUrl = (value: string): string => {
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return `https://${trimmed.replace(/\/+$/, '')}.hotwax.io`;
  return trimmed.replace(/\/rest\/s1.*$/, '').replace(/\/+$/, '');
};

const maxMessageLength = 500;

/** Moqui's `errors` is a string or a list of strings. */
export const maargErrorsOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const errors = (body as Record<string, unknown>).errors;
  const text = Array.isArray(errors)
    ? errors.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('; ')
    : typeof errors === 'string'
      ? errors
      : errors === undefined || errors === null
        ? ''
        : JSON.stringify(errors);
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.length > maxMessageLength ? `${trimmed.slice(0, maxMessageLength)}…` : trimmed;
};

const parse = (text: string): unknown => {
  if (text.trim() === '') return {};
  try {
    return parseJsonLossless(text);
  } catch {
    return undefined;
  }
};

const query = (params: MaargParams = {}): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    // Moqui reads an `in` list as one comma-joined value (EntityFindBase.searchFormMap).
    search.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** Maarg's login: `POST /rest/s1/admin/login {"username","password"}`; bad credentials answer non-2xx. */
export const maargLogin =
  (options: LoginOptions & { maargUrl: string }): (() => Promise<LoginAnswer>) =>
  async () => {
    const response = await postJsonOnce(
      options,
      `${normalizeMaargUrl(options.maargUrl)}/rest/s1/admin/login`,
      { username: options.username, password: options.password },
      'admin/login',
    );
    // Moqui's message for a refused login may name the user: it stays out.
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new HotwaxAuthError(
        `HotWax (Maarg) refused the login (HTTP ${response.status}): check HOTWAX_USERNAME and HOTWAX_PASSWORD`,
        'admin/login',
      );
    }
    if (!response.ok) throw new HotwaxHttpError(response.status, 'admin/login');
    const body = parse(response.text) as Record<string, unknown> | undefined;
    if (typeof body?.token !== 'string' || body.token === '') {
      throw new HotwaxApiError('answered the login without a token', 'admin/login');
    }
    return { token: body.token, expirationTime: Number(body.expirationTime) };
  };

export const createMaargHttp = (options: {
  maargUrl: string;
  session: HotwaxSession;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): MaargHttp => {
  const restBase = `${normalizeMaargUrl(options.maargUrl)}/rest/s1`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const { session } = options;

  const send = (endpoint: string, search: string, init: RequestInitWithHeaders, token: string) =>
    sendOnce(
      fetchImpl,
      `${restBase}/${endpoint}${search}`,
      { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } },
      timeoutMs,
      endpoint,
    );

  const authorized = (endpoint: string, search: string, init: RequestInitWithHeaders): Promise<RawAnswer> =>
    sendAuthorized(
      session,
      endpoint,
      (token) => send(endpoint, search, init, token),
      'Maarg Admin › Settings › JWT Tokens',
    );

  const request = async (
    endpoint: string,
    search: string,
    init: RequestInitWithHeaders,
    sensitive: boolean,
  ): Promise<{ body: unknown; headers: Headers }> => {
    const response = await authorized(endpoint, search, init);
    const body = parse(response.text);
    const errors = sensitive ? undefined : maargErrorsOf(body);
    if (response.status === 403) {
      throw new HotwaxAuthError(
        `HotWax refused ${endpoint} (HTTP 403): the HotWax user lacks the permission for it`,
        endpoint,
      );
    }
    if (response.status === 400) {
      throw new HotwaxApiError(errors ?? 'refused the request (HTTP 400)', endpoint);
    }
    if (!response.ok) {
      throw new HotwaxHttpError(response.status, endpoint, errors ? { hotwaxMessage: errors } : {});
    }
    if (body === undefined) {
      throw new HotwaxApiError(
        /^\s*</.test(response.text)
          ? 'answered with an HTML page instead of JSON (wrong HOTWAX_MAARG_URL, or a login page)'
          : 'answered with something that is not JSON',
        endpoint,
      );
    }
    // Moqui sets 500 with `errors`; a 2xx carrying `errors` is still a refusal.
    const inline = sensitive ? undefined : maargErrorsOf(body);
    if (inline) throw new HotwaxApiError(inline, endpoint);
    return { body, headers: response.headers };
  };

  const object = (endpoint: string, body: unknown): Record<string, unknown> => {
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      return body as Record<string, unknown>;
    }
    throw new HotwaxApiError('answered with JSON that is not an object', endpoint);
  };

  const json = { Accept: 'application/json' };
  const withBody = { 'Content-Type': 'application/json', Accept: 'application/json' };

  return {
    restBase,
    async getObject(endpoint, params) {
      const { body } = await request(endpoint, query(params), { method: 'GET', headers: json }, false);
      return object(endpoint, body);
    },
    async getList(endpoint, params) {
      const { body, headers } = await request(
        endpoint,
        query(params),
        { method: 'GET', headers: json },
        false,
      );
      if (!Array.isArray(body)) throw new HotwaxApiError('answered a list with something else', endpoint);
      const total = Number(headers.get('X-Total-Count'));
      return {
        rows: body.filter(
          (row): row is Record<string, unknown> =>
            typeof row === 'object' && row !== null && !Array.isArray(row),
        ),
        totalCount: headers.has('X-Total-Count') && Number.isFinite(total) ? total : undefined,
      };
    },
    async put(endpoint, body) {
      const answer = await request(
        endpoint,
        '',
        { method: 'PUT', headers: withBody, body: JSON.stringify(body) },
        false,
      );
      return object(endpoint, answer.body);
    },
    async post(endpoint, body) {
      const init: RequestInitWithHeaders = body
        ? { method: 'POST', headers: withBody, body: JSON.stringify(body) }
        : { method: 'POST', headers: json };
      const answer = await request(endpoint, '', init, false);
      return object(endpoint, answer.body);
    },
    async getSensitive(endpoint, params) {
      const { body } = await request(endpoint, query(params), { method: 'GET', headers: json }, true);
      return object(endpoint, body);
    },
  };
};
