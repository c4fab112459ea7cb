import { HotwaxAuthError } from './errors.js';
import type { RawAnswer } from './transport.js';

/** What a login answers on both backends: `{"token", "expirationTime"}` (epoch ms). */
export interface LoginAnswer {
  token: string;
  expirationTime?: number;
}

/** How a port reaches one backend: its credentials and the HTTP settings every call uses. */
export interface HotwaxConnectionOptions {
  /** a long-lived JWT made in HotWax, used as Bearer as is */
  apiToken?: string;
  username?: string;
  password?: string;
  /** per HTTP attempt, default 10 000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** credentials shared with another client of the same tenant; replaces apiToken/username/password */
  session?: HotwaxSession;
}

/** What a login call needs besides where to send it. */
export interface LoginOptions {
  username: string;
  password: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface HotwaxSession {
  /** true with a long-lived API token: a 401 cannot be cured by logging in again */
  readonly fixedToken: boolean;
  /** The Bearer token to send now; logs in when there is none or it is about to expire. */
  token(): Promise<string>;
  /** HotWax answered 401 to `token`: forget it, so the next `token()` logs in again. */
  rejected(token: string): void;
}

/** Renew a token this long before HotWax says it expires, capped to a tenth of its life for short-lived tokens. */
const renewMarginMs = 60_000;

/**
 * The credentials of one HotWax tenant: a long-lived JWT used as is, or a login shared by every caller (one login
 * for a burst of concurrent calls) and cached until shortly before `expirationTime`.
 */
export const createHotwaxSession = (options: {
  apiToken?: string | undefined;
  login?: (() => Promise<LoginAnswer>) | undefined;
  now?: () => number;
}): HotwaxSession => {
  const now = options.now ?? Date.now;
  const fixed = options.apiToken;
  const login = options.login;
  if (!fixed && !login) {
    throw new HotwaxAuthError(
      'HotWax needs HOTWAX_API_TOKEN, or HOTWAX_USERNAME and HOTWAX_PASSWORD',
      'login',
    );
  }
  let current: { value: string; renewAt: number } | undefined;
  let pending: Promise<{ value: string; renewAt: number }> | undefined;

  const fresh = async () => {
    const loggedInAt = now();
    const answer = await (login as () => Promise<LoginAnswer>)();
    const expiration = Number(answer.expirationTime);
    const renewAt =
      Number.isFinite(expiration) && expiration > 0
        ? expiration - Math.min(renewMarginMs, Math.max(0, expiration - loggedInAt) / 10)
        : Number.POSITIVE_INFINITY; // no expiry given: keep it until HotWax answers 401
    return { value: answer.token, renewAt };
  };

  return {
    fixedToken: Boolean(fixed),
    async token() {
      if (fixed) return fixed;
      if (current && now() < current.renewAt) return current.value;
      pending ??= fresh().finally(() => {
        pending = undefined;
      });
      current = await pending;
      return current.value;
    },
    rejected(token) {
      // Only the holder of the rejected token drops it, so a burst of 401s still shares one new login.
      if (current?.value === token) current = undefined;
    },
  };
};

/**
 * One call with the session's Bearer token, as both backends want it: on a 401 log in again once and retry; a
 * long-lived API token cannot be renewed, so its 401 is an auth error saying where to make a new one.
 */
export const sendAuthorized = async (
  session: HotwaxSession,
  endpoint: string,
  send: (token: string) => Promise<RawAnswer>,
  /** where a person makes a new long-lived token on this backend */
  newTokenAt: string,
): Promise<RawAnswer> => {
  const first = await session.token();
  const response = await send(first);
  if (response.status !== 401) return response;
  if (session.fixedToken) {
    throw new HotwaxAuthError(
      `HotWax rejected HOTWAX_API_TOKEN (HTTP 401): create a new JWT in ${newTokenAt}`,
      endpoint,
    );
  }
  session.rejected(first);
  const retried = await send(await session.token());
  if (retried.status === 401) {
    throw new HotwaxAuthError(`HotWax ${endpoint} answered 401 even right after a fresh login`, endpoint);
  }
  return retried;
};
