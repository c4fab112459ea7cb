import { HotwaxAuthError } from './errors.js';

/** What a login answers on both backends: `{"token", "expirationTime"}` (epoch ms). */
export interface LoginAnswer {
  token: string;
  expirationTime?: number;
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
