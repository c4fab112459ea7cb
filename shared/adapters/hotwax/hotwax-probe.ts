import type { HotwaxPortOptions } from './create-hotwax-port.js';
import { discoverHotwaxBackend, type HotwaxDiscovery } from './discover.js';
import { HotwaxHttpError } from './errors.js';
import { createHotwaxHttp, normalizeBaseUrl, ofbizLogin } from './hotwax-http.js';
import { createMaargHttp, maargLogin, normalizeMaargUrl } from './maarg/maarg-http.js';
import { orderImportConfigs } from './maarg/maarg-port.js';
import { createHotwaxSession, type HotwaxSession } from './session.js';

export interface HotwaxTenant {
  backend: 'ofbiz' | 'maarg';
  /** the API the monitor talks to */
  apiUrl: string;
  /** how it was found out, in words */
  how: string;
}

/** What `doctor` reads of HotWax beside the port (its use case's HotwaxProbe). */
export interface HotwaxProbe {
  readonly productStoreId: string;
  discover(): Promise<HotwaxTenant>;
  authenticate(): Promise<string>;
  importConfigs(): Promise<Array<{ configId: string; found: boolean }>>;
}

/**
 * What `doctor` asks HotWax beside the port: the discovery itself, a login of its own (so a refused password is
 * its own line), and whether the import configs exist. Only reads; a login is HotWax's read of a session.
 */
export const createHotwaxProbe = (options: HotwaxPortOptions): HotwaxProbe => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = { timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  let discovery: Promise<HotwaxDiscovery> | undefined;
  const discovered = () => {
    discovery ??= discoverHotwaxBackend(options).catch((error: unknown) => {
      discovery = undefined;
      throw error;
    });
    return discovery;
  };
  const ofbizUrl = (found: HotwaxDiscovery) => normalizeBaseUrl(found.ofbizUrl ?? options.baseUrl);
  const maargUrl = (found: HotwaxDiscovery) => normalizeMaargUrl(found.maargUrl ?? options.baseUrl);

  /** The login HotWax's apps use for this tenant: OFBiz's, whose token Maarg accepts, or Maarg's own. */
  const login = (found: HotwaxDiscovery) =>
    options.username && options.password
      ? found.login === 'ofbiz'
        ? ofbizLogin({
            baseUrl: ofbizUrl(found),
            username: options.username,
            password: options.password,
            ...transport,
          })
        : maargLogin({
            maargUrl: maargUrl(found),
            username: options.username,
            password: options.password,
            ...transport,
          })
      : undefined;

  let session: HotwaxSession | undefined;
  const sessionOf = (found: HotwaxDiscovery) => {
    session ??= createHotwaxSession({ apiToken: options.apiToken, login: login(found) });
    return session;
  };
  const ofbizHttp = (found: HotwaxDiscovery) =>
    createHotwaxHttp({ baseUrl: ofbizUrl(found), session: sessionOf(found), ...transport });
  const maargHttp = (found: HotwaxDiscovery) =>
    createMaargHttp({ maargUrl: maargUrl(found), session: sessionOf(found), ...transport });

  return {
    productStoreId: options.productStoreId,

    async discover(): Promise<HotwaxTenant> {
      const found = await discovered();
      const apiUrl = found.backend === 'ofbiz' ? `${ofbizUrl(found)}/api` : `${maargUrl(found)}/rest/s1`;
      return { backend: found.backend, apiUrl, how: found.how };
    },

    async authenticate() {
      const found = await discovered();
      const where = found.login === 'ofbiz' ? 'OFBiz /api/login' : 'Maarg admin/login';
      if (options.username && options.password) {
        // Through the session, so the reads below reuse this login.
        await sessionOf(found).token();
        return `HOTWAX_USERNAME ${options.username} logged in (${where}).`;
      }
      // A long-lived token proves itself on an authenticated read: the cheapest one asks for an order that is not.
      if (found.backend === 'ofbiz') {
        await ofbizHttp(found).get(
          'performFind',
          {
            entityName: 'OrderHeader',
            inputFields: { externalId: '0' },
            fieldList: ['orderId'],
            viewSize: 1,
          },
          { allowNoRecord: true },
        );
      } else {
        await maargHttp(found).getList('oms/orders', { externalId: '0', pageSize: 1 });
      }
      return 'HOTWAX_API_TOKEN is accepted.';
    },

    async importConfigs() {
      const found = await discovered();
      if (found.backend === 'ofbiz') {
        // As Job Manager reads a config (fetchDataManagerConfig): performFind on DataManagerConfig by configId.
        const configId = options.orderMdmConfigId ?? 'CRT_SHOPIFY_ORDER';
        const body = await ofbizHttp(found).get(
          'performFind',
          {
            entityName: 'DataManagerConfig',
            inputFields: { configId },
            fieldList: ['configId', 'description'],
            noConditionFind: 'Y',
            viewSize: 1,
          },
          { allowNoRecord: true },
        );
        const docs = Array.isArray(body?.docs) ? (body.docs as Array<Record<string, unknown>>) : [];
        return [{ configId, found: docs.some((doc) => doc.configId === configId) }];
      }
      // As Job Manager's fetchConfigById: `admin/dataManager/{configId}` answers the config, or 404.
      const http = maargHttp(found);
      return Promise.all(
        orderImportConfigs.map(async (configId) => {
          try {
            const config = await http.getObject(`admin/dataManager/${encodeURIComponent(configId)}`);
            return { configId, found: config.configId === configId };
          } catch (error) {
            if (error instanceof HotwaxHttpError && error.status === 404) return { configId, found: false };
            throw error;
          }
        }),
      );
    },
  };
};
