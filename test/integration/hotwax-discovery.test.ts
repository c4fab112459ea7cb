import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeferredHotwaxPort,
  createHotwaxPort,
  describeHotwaxBackend,
  type HotwaxPortOptions,
  onHotwaxDiscovered,
} from '../../shared/adapters/hotwax/create-hotwax-port.js';
import { discoverHotwaxBackend } from '../../shared/adapters/hotwax/discover.js';
import { HotwaxSetupError } from '../../shared/adapters/hotwax/errors.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';

describe('choosing the HotWax backend', () => {
  let ofbiz: HotwaxSim;
  let maarg: HotwaxSim;
  const options = (sim: HotwaxSim, overrides: Partial<HotwaxPortOptions> = {}): HotwaxPortOptions => ({
    baseUrl: sim.url,
    username: sim.settings.username,
    password: sim.settings.password,
    shop: 'discovery.myshopify.com',
    shopifyConfigId: sim.settings.shopifyConfigId,
    shopId: sim.settings.shopId,
    productStoreId: sim.settings.productStoreId,
    timeoutMs: 5_000,
    ...overrides,
  });

  beforeAll(async () => {
    [ofbiz, maarg] = await Promise.all([startHotwaxSim(), startHotwaxSim({ backend: 'maarg' })]);
  });
  afterAll(() => Promise.all([ofbiz.stop(), maarg.stop()]));
  beforeEach(() => {
    ofbiz.reset();
    maarg.reset();
  });

  it('finds an OFBiz tenant by /api/checkLoginOptions and notes the Maarg server it names', async () => {
    const port = await createHotwaxPort(options(ofbiz));
    expect(port.capabilities.backend).toBe('ofbiz');
    expect(port.describe()).toMatchObject({
      backend: 'ofbiz',
      apiUrl: `${ofbiz.url}/api`,
      maargUrl: ofbiz.url,
      login: 'ofbiz',
    });
    expect(describeHotwaxBackend(port.describe())).toContain(`HotWax backend: ofbiz at ${ofbiz.url}/api`);
    const id = '5400000000001';
    ofbiz.addOrder({ externalId: id });
    expect((await port.findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    expect(ofbiz.callCount('checkLoginOptions')).toBe(1);
    expect(ofbiz.callCount('performFind')).toBe(1);
  });

  it('finds a Maarg-only tenant: no /api/, /rest/s1/admin/checkLoginOptions answers, login at admin/login', async () => {
    const port = await createHotwaxPort(options(maarg));
    expect(port.capabilities.backend).toBe('maarg');
    expect(port.describe()).toMatchObject({
      backend: 'maarg',
      apiUrl: `${maarg.url}/rest/s1`,
      login: 'maarg',
    });
    expect(port.describe().repairJournal).toBe('in memory (not crash safe)');
    await port.findOrdersByShopifyIds(['5400000000002']);
    expect(maarg.callCount('checkLoginOptions')).toBe(1);
    expect(maarg.callCount('admin/checkLoginOptions')).toBe(1);
    expect(maarg.callCount('admin/login')).toBe(1);
    expect(maarg.callCount('oms/orders')).toBe(1);
  });

  it('HOTWAX_BACKEND=maarg on an OFBiz tenant speaks Maarg with the OMS login, as HotWax’s apps do', async () => {
    const port = await createHotwaxPort(options(ofbiz, { backend: 'maarg' }));
    expect(port.describe()).toMatchObject({ backend: 'maarg', login: 'ofbiz', maargUrl: ofbiz.url });
    await port.findOrdersByShopifyIds(['5400000000003']);
    expect(ofbiz.callCount('login')).toBe(1);
    expect(ofbiz.callCount('admin/login')).toBe(0);
    expect(ofbiz.callCount('oms/orders')).toBe(1);
  });

  it('HOTWAX_BACKEND=ofbiz asks nothing before the first call', async () => {
    const port = await createHotwaxPort(options(ofbiz, { backend: 'ofbiz' }));
    expect(port.describe().how).toBe('HOTWAX_BACKEND=ofbiz');
    expect(ofbiz.callCount()).toBe(0);
  });

  it('HOTWAX_MAARG_URL wins over the discovered Maarg server', async () => {
    // Both simulators accept the same long-lived token (two real servers of one tenant would).
    const port = await createHotwaxPort(
      options(ofbiz, {
        backend: 'maarg',
        maargUrl: `${maarg.url}/rest/s1/`,
        username: undefined,
        password: undefined,
        apiToken: ofbiz.settings.apiToken,
      }),
    );
    expect(port.describe()).toMatchObject({ backend: 'maarg', maargUrl: maarg.url, login: 'ofbiz' });
    await port.findOrdersByShopifyIds(['5400000000004']);
    expect(ofbiz.callCount()).toBe(0);
    expect(maarg.callCount('oms/orders')).toBe(1);
  });

  it('says HotWax is down rather than guessing the backend', async () => {
    ofbiz.down(true);
    await expect(discoverHotwaxBackend({ baseUrl: ofbiz.url })).rejects.toMatchObject({ transient: true });
    ofbiz.down(false);
  });

  it('tells the person when the URL is neither kind of HotWax', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('<html>nothing here</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await discoverHotwaxBackend({ baseUrl: `http://127.0.0.1:${port}` }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(HotwaxSetupError);
      expect((error as Error).message).toContain('HOTWAX_BASE_URL');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('discovers on the first call, tells every listener once, and answers how a Maarg re-import run went', async () => {
    const heard: string[] = [];
    const stop = onHotwaxDiscovered((line) => heard.push(line));
    try {
      const port = createDeferredHotwaxPort(options(maarg));
      maarg.queueShopifyOrder({ shopifyOrderId: '5300000000001' });
      const run = await port.reimport({
        orders: [{ shopifyOrderId: '5300000000001', updatedAt: Date.now() }],
      });
      await port.findOrdersByShopifyIds(['5300000000001']);
      expect(heard).toEqual([expect.stringMatching(/^HotWax backend: maarg at /)]);
      await maarg.idle();
      expect(await port.reimportRunOutcome?.(run.runId as string)).toBe('succeeded');
    } finally {
      stop();
    }
    // An OFBiz tenant names no runs: the port does not offer to say how one went.
    expect(createDeferredHotwaxPort(options(ofbiz, { backend: 'ofbiz' })).reimportRunOutcome).toBeUndefined();
  });

  it('refuses HOTWAX_BACKEND=maarg on an OFBiz tenant that names no Maarg server', async () => {
    const fetchWithout: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/api/checkLoginOptions')) return response;
      const body = (await response.json()) as Record<string, unknown>;
      delete body.maargInstanceUrl;
      return new Response(JSON.stringify(body), { status: 200 });
    };
    await expect(
      discoverHotwaxBackend({ baseUrl: ofbiz.url, backend: 'maarg', fetch: fetchWithout }),
    ).rejects.toBeInstanceOf(HotwaxSetupError);
  });
});
