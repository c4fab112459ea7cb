import { HotwaxHttpError, HotwaxSetupError } from './errors.js';
import { normalizeBaseUrl } from './hotwax-http.js';
import { normalizeMaargUrl } from './maarg/maarg-http.js';
import { sendOnce } from './transport.js';
import { parseHotwaxBody } from './wire.js';

/** HOTWAX_BACKEND: `auto` discovers the tenant's shape. */
export type HotwaxBackendChoice = 'auto' | 'ofbiz' | 'maarg';

export interface HotwaxDiscovery {
  backend: 'ofbiz' | 'maarg';
  /** the OFBiz OMS (`/api/`); absent on a Maarg-only tenant */
  ofbizUrl?: string;
  /** the Maarg server (`/rest/s1/`), when known */
  maargUrl?: string;
  /** where the credentials are checked: the OFBiz OMS (`/api/login`) or Maarg (`admin/login`) */
  login: 'ofbiz' | 'maarg';
  /** how the choice was made, in words, for the start-up log line */
  how: string;
}

export interface DiscoverOptions {
  baseUrl: string;
  backend?: HotwaxBackendChoice;
  /** HOTWAX_MAARG_URL: wins over the discovered `maargInstanceUrl` */
  maargUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const probe = async (url: string, endpoint: string, options: DiscoverOptions) => {
  const answer = await sendOnce(
    options.fetch ?? globalThis.fetch,
    url,
    { method: 'GET', headers: { Accept: 'application/json' } },
    options.timeoutMs ?? 10_000,
    endpoint,
  );
  // An outage is not an answer about the tenant's shape: say so rather than guess.
  if (answer.status >= 500 || answer.status === 408 || answer.status === 429)
    throw new HotwaxHttpError(answer.status, endpoint);
  if (!answer.ok) return undefined;
  const parsed = parseHotwaxBody(answer.text);
  return parsed.kind === 'ok' ? parsed.body : undefined;
};

/**
 * Which backend a tenant runs, as HotWax's own apps find out (accxui `useAuth.fetchLoginOptions`): an OFBiz OMS
 * answers `GET /api/checkLoginOptions` and names its Maarg server in `maargInstanceUrl`; a Maarg-only tenant has
 * no `/api/` and answers `GET /rest/s1/admin/checkLoginOptions`. An explicit HOTWAX_BACKEND skips the probe when
 * nothing is left to find out.
 */
export const discoverHotwaxBackend = async (options: DiscoverOptions): Promise<HotwaxDiscovery> => {
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  const choice = options.backend ?? 'auto';
  const override = options.maargUrl ? normalizeMaargUrl(options.maargUrl) : undefined;

  if (choice === 'ofbiz') {
    return {
      backend: 'ofbiz',
      ofbizUrl: baseUrl,
      ...(override ? { maargUrl: override } : {}),
      login: 'ofbiz',
      how: 'HOTWAX_BACKEND=ofbiz',
    };
  }
  if (choice === 'maarg' && override) {
    // Credentials are checked where HOTWAX_BASE_URL points: an OMS beside Maarg is OFBiz.
    const sameHost = normalizeMaargUrl(baseUrl) === override;
    return {
      backend: 'maarg',
      ...(sameHost ? {} : { ofbizUrl: baseUrl }),
      maargUrl: override,
      login: sameHost ? 'maarg' : 'ofbiz',
      how: 'HOTWAX_BACKEND=maarg with HOTWAX_MAARG_URL',
    };
  }

  const ofbiz = await probe(`${baseUrl}/api/checkLoginOptions`, 'checkLoginOptions', options);
  if (ofbiz) {
    const announced =
      typeof ofbiz.maargInstanceUrl === 'string' && ofbiz.maargInstanceUrl.trim() !== ''
        ? normalizeMaargUrl(ofbiz.maargInstanceUrl)
        : undefined;
    const maargUrl = override ?? announced;
    if (choice === 'maarg' && !maargUrl) {
      throw new HotwaxSetupError(
        'HOTWAX_BACKEND=maarg, but this OFBiz tenant names no Maarg server (no maargInstanceUrl): set HOTWAX_MAARG_URL',
        'checkLoginOptions',
      );
    }
    return {
      backend: choice === 'maarg' ? 'maarg' : 'ofbiz',
      ofbizUrl: baseUrl,
      ...(maargUrl ? { maargUrl } : {}),
      login: 'ofbiz',
      how: `${choice === 'maarg' ? 'HOTWAX_BACKEND=maarg on' : 'discovered'} an OFBiz tenant (/api/checkLoginOptions answered${
        announced ? `, Maarg at ${announced}` : ''
      }${override ? ', HOTWAX_MAARG_URL set' : ''})`,
    };
  }

  const maargBase = override ?? normalizeMaargUrl(baseUrl);
  const maarg = await probe(
    `${maargBase}/rest/s1/admin/checkLoginOptions`,
    'admin/checkLoginOptions',
    options,
  );
  if (maarg) {
    return {
      backend: 'maarg',
      maargUrl: maargBase,
      login: 'maarg',
      how: `${choice === 'maarg' ? 'HOTWAX_BACKEND=maarg on' : 'discovered'} a Maarg-only tenant (no /api/; /rest/s1/admin/checkLoginOptions answered)`,
    };
  }
  throw new HotwaxSetupError(
    `HotWax answered neither /api/checkLoginOptions nor /rest/s1/admin/checkLoginOptions at ${baseUrl}: check HOTWAX_BASE_URL (and HOTWAX_MAARG_URL)`,
    'checkLoginOptions',
  );
};
