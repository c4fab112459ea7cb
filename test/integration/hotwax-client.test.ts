import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HotwaxApiError,
  HotwaxAuthError,
  HotwaxHttpError,
  HotwaxNetworkError,
  HotwaxTimeoutError,
} from '../../shared/adapters/hotwax/errors.js';
import { createHotwaxClient, type HotwaxClientOptions } from '../../shared/adapters/hotwax/hotwax-client.js';
import { classifyImportError } from '../../shared/domain/classify-import-error.js';
import { pickLiveVersion, wasRefreshed } from '../../shared/domain/hotwax-versions.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';

describe('the HotWax client against the HotWax simulator', () => {
  let sim: HotwaxSim;
  let counter = 0;
  const shopifyId = () => String(5_100_000_000_000 + ++counter);

  const clientOptions = (overrides: Partial<HotwaxClientOptions> = {}): HotwaxClientOptions => ({
    baseUrl: sim.url,
    username: sim.settings.username,
    password: sim.settings.password,
    shopifyConfigId: sim.settings.shopifyConfigId,
    shopId: sim.settings.shopId,
    productStoreId: sim.settings.productStoreId,
    importOrderService: sim.settings.importOrderService,
    refreshOrderService: sim.settings.refreshOrderService,
    timeoutMs: 5_000,
    ...overrides,
  });
  const client = (overrides: Partial<HotwaxClientOptions> = {}) =>
    createHotwaxClient(clientOptions(overrides));

  beforeAll(async () => {
    sim = await startHotwaxSim();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  describe('authentication', () => {
    it('logs in once and reuses the token for later calls', async () => {
      const hotwax = client();
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      await hotwax.approvalJobStatus();
      expect(sim.callCount('login')).toBe(1);
    });

    it('shares one login between concurrent callers', async () => {
      const hotwax = client();
      await Promise.all(Array.from({ length: 5 }, () => hotwax.findOrdersByShopifyIds([shopifyId()])));
      expect(sim.callCount('login')).toBe(1);
      expect(sim.callCount('performFind')).toBe(5);
    });

    it('logs in again once and retries when the token has expired', async () => {
      const hotwax = client();
      const id = shopifyId();
      sim.addOrder({ externalId: id });
      await hotwax.findOrdersByShopifyIds([id]);
      sim.expireTokens();
      const found = await hotwax.findOrdersByShopifyIds([id]);
      expect(found.get(id)).toHaveLength(1);
      expect(sim.callCount('login')).toBe(2);
      expect(sim.callCount('performFind')).toBe(3);
    });

    it('logs in again before HotWax says the token expires', async () => {
      let offset = 0;
      const hotwax = client({ now: () => Date.now() + offset });
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      offset = sim.settings.tokenTtlMs;
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('login')).toBe(2);
      expect(sim.callCount('performFind', (call) => call.status === 401)).toBe(0);
    });

    it('uses a long-lived API token as Bearer without logging in', async () => {
      const hotwax = client({ username: undefined, password: undefined, apiToken: sim.settings.apiToken });
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('login')).toBe(0);
    });

    it('reports a rejected API token as an auth error without retrying', async () => {
      const hotwax = client({ username: undefined, password: undefined, apiToken: 'revoked-token' });
      const error = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as HotwaxAuthError).transient).toBe(false);
      expect((error as Error).message).not.toContain('revoked-token');
      expect(sim.callCount()).toBe(1);
    });

    it('reports wrong credentials as an auth error that does not reveal them', async () => {
      const hotwax = client({ password: 'wrong-password' });
      const error = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as Error).message).not.toContain('wrong-password');
      expect(sim.callCount('performFind')).toBe(0);
    });
  });

  describe('finding orders', () => {
    it('looks up a batch of 10 Shopify order ids with one performFind', async () => {
      const ids = Array.from({ length: 10 }, shopifyId);
      for (const id of ids.slice(0, 7)) sim.addOrder({ externalId: id });
      const found = await client().findOrdersByShopifyIds(ids);
      expect(sim.callCount('performFind', { entityName: 'OrderHeader' })).toBe(1);
      expect([...found.keys()].sort()).toEqual(ids.slice(0, 7).sort());
    });

    it('splits more than 100 ids into several finds', async () => {
      const ids = Array.from({ length: 150 }, shopifyId);
      await client().findOrdersByShopifyIds(ids);
      expect(sim.callCount('performFind', { entityName: 'OrderHeader' })).toBe(2);
    });

    it('answers an empty map when HotWax has none of the orders', async () => {
      const found = await client().findOrdersByShopifyIds([shopifyId(), shopifyId()]);
      expect(found.size).toBe(0);
    });

    it('returns the order fields HotWax holds', async () => {
      const id = shopifyId();
      const added = sim.addOrder({
        externalId: id,
        orderName: '#1042',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      const [order] = (await client().findOrdersByShopifyIds([id])).get(id) ?? [];
      expect(order).toMatchObject({
        orderId: added.orderId,
        externalId: id,
        orderName: '#1042',
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
        entryDate: added.entryDate,
      });
    });
  });

  describe('refresh', () => {
    it('leaves two versions after a refresh, and the new one is the live Completed order', async () => {
      const id = shopifyId();
      const old = sim.addOrder({ externalId: id, salesChannelEnumId: 'POS_SALES_CHANNEL' });
      const hotwax = client();
      await hotwax.refreshOrder?.(old.orderId);
      await sim.idle();
      const versions = (await hotwax.findOrdersByShopifyIds([id])).get(id) ?? [];
      expect(versions).toHaveLength(2);
      const live = pickLiveVersion(versions);
      expect(live?.orderId).not.toBe(old.orderId);
      expect(live?.statusId).toBe('ORDER_COMPLETED');
      expect(versions.find((version) => version.orderId === old.orderId)?.statusId).toBe('ORDER_CANCELLED');
      expect(wasRefreshed(versions, old.orderId)).toBe(true);
    });

    it('leaves the order alone when refreshes do not work', async () => {
      const id = shopifyId();
      const old = sim.addOrder({ externalId: id });
      sim.setRefreshWorks(false);
      const hotwax = client();
      await hotwax.refreshOrder?.(old.orderId);
      await sim.idle();
      const versions = (await hotwax.findOrdersByShopifyIds([id])).get(id) ?? [];
      expect(wasRefreshed(versions, old.orderId)).toBe(false);
    });

    it('offers refresh and per-order import only when their services are configured', () => {
      const bare = client({ importOrderService: undefined, refreshOrderService: undefined });
      expect(bare.refreshOrder).toBeUndefined();
      expect(bare.importOrder).toBeUndefined();
      expect(client().refreshOrder).toBeTypeOf('function');
    });
  });

  describe('importing', () => {
    it('imports queued Shopify orders when the New Orders job runs', async () => {
      const pos = shopifyId();
      const web = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: pos, channel: 'pos', importAs: 'ORDER_COMPLETED' });
      sim.queueShopifyOrder({ shopifyOrderId: web, channel: 'web' });
      const hotwax = client();
      const run = await hotwax.runNewOrdersJob();
      expect(run).toMatchObject({ serviceName: 'createOrdersFromShopify', parentJobId: '10231' });
      await sim.idle();
      const found = await hotwax.findOrdersByShopifyIds([pos, web]);
      expect(found.get(pos)?.[0]).toMatchObject({
        statusId: 'ORDER_COMPLETED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      expect(found.get(web)?.[0]).toMatchObject({
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'WEB_SALES_CHANNEL',
      });
    });

    it('schedules the run with the body Job Manager sends', async () => {
      await client().runNewOrdersJob();
      const call = sim.calls.find((candidate) => candidate.endpoint === 'scheduleService');
      expect(call?.body).toEqual({
        JOB_NAME: 'Import new orders',
        SERVICE_NAME: 'createOrdersFromShopify',
        SERVICE_COUNT: '0',
        jobFields: {
          productStoreId: sim.settings.productStoreId,
          systemJobEnumId: 'JOB_IMP_ORD',
          parentJobId: '10231',
          shopId: sim.settings.shopId,
        },
        statusId: 'SERVICE_PENDING',
        systemJobEnumId: 'JOB_IMP_ORD',
        shopifyConfigId: sim.settings.shopifyConfigId,
        shopId: sim.settings.shopId,
        productStoreId: sim.settings.productStoreId,
      });
    });

    it('reuses the cached job definition for repeated runs', async () => {
      const hotwax = client();
      await hotwax.runNewOrdersJob();
      await hotwax.runNewOrdersJob();
      await hotwax.runNewOrdersJob();
      expect(sim.callCount('findJobs')).toBe(1);
      expect(sim.callCount('scheduleService')).toBe(3);
    });

    it('looks the job definition up again once the cache has expired', async () => {
      let offset = 0;
      const hotwax = client({ apiToken: sim.settings.apiToken, now: () => Date.now() + offset });
      await hotwax.runNewOrdersJob();
      offset = 10 * 60_000;
      await hotwax.runNewOrdersJob();
      expect(sim.callCount('findJobs')).toBe(2);
    });

    it('imports one order through the configured import service', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id });
      const hotwax = client();
      await hotwax.importOrder?.(id);
      await sim.idle();
      expect((await hotwax.findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    });

    it('explains that the New Orders job is missing when HotWax has none', async () => {
      const bare = await startHotwaxSim({ newOrdersJobDefined: false });
      try {
        const hotwax = createHotwaxClient({ ...clientOptions(), baseUrl: bare.url });
        await expect(hotwax.runNewOrdersJob()).rejects.toThrow(/JOB_IMP_ORD/);
      } finally {
        await bare.stop();
      }
    });
  });

  describe('failed imports in the Shopify Order MDM', () => {
    it("finds the failed record of the right order and reads HotWax's error", async () => {
      const since = Date.now() - 1000;
      const failing = shopifyId();
      const other = shopifyId();
      const fine = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: failing, orderName: '#1042' });
      sim.failImport(failing, 'Phone number is missing in shipping address');
      sim.failImport(other, 'E-mail address not formatted correctly, must be like: name@domain');
      sim.queueShopifyOrder({ shopifyOrderId: fine });
      const hotwax = client();
      await hotwax.runNewOrdersJob();
      await sim.idle();

      const failures = await hotwax.findImportFailures({ since, shopifyOrderIds: [failing, fine] });
      expect([...failures.keys()]).toEqual([failing]);
      const failure = failures.get(failing);
      expect(failure).toMatchObject({
        shopifyOrderId: failing,
        errorText: 'Phone number is missing in shipping address',
        logId: sim.mdmLogs()[0]?.logId,
      });
      expect(classifyImportError(failure?.errorText ?? '').cause).toBe('missing_phone');
    });

    it('reports the newest failure when an order failed in several runs', async () => {
      const since = Date.now() - 1000;
      const id = shopifyId();
      sim.failImport(id, 'Connection timeout');
      const hotwax = client();
      await hotwax.runNewOrdersJob();
      await sim.idle();
      sim.failImport(id, 'Rollback called in Entity Engine SQLProcessor', { shape: 'wrapped' });
      await hotwax.runNewOrdersJob();
      await sim.idle();
      const failure = (await hotwax.findImportFailures({ since, shopifyOrderIds: [id] })).get(id);
      expect(failure?.errorText).toBe('Rollback called in Entity Engine SQLProcessor');
    });

    it('finds an order named by gid and stops failing once the data is fixed', async () => {
      const since = Date.now() - 1000;
      const id = shopifyId();
      sim.failImport(id, 'Valid fields are missing in order JSON', { shape: 'gid' });
      const hotwax = client();
      await hotwax.runNewOrdersJob();
      await sim.idle();
      expect((await hotwax.findImportFailures({ since, shopifyOrderIds: [id] })).get(id)?.errorText).toBe(
        'Valid fields are missing in order JSON',
      );
      sim.fixImport(id);
      await hotwax.runNewOrdersJob();
      await sim.idle();
      expect((await hotwax.findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    });

    it('reads all error files with one content lookup and downloads each file once', async () => {
      const since = Date.now() - 1000;
      const hotwax = client();
      const ids = [shopifyId(), shopifyId()];
      for (const id of ids) {
        sim.failImport(id, 'Customer address is missing');
        await hotwax.runNewOrdersJob();
        await sim.idle();
        sim.fixImport(id);
      }
      await hotwax.findImportFailures({ since, shopifyOrderIds: ids });
      await hotwax.findImportFailures({ since, shopifyOrderIds: ids });
      expect(sim.callCount('performFind', { entityName: 'DataResourceContentView' })).toBe(2);
      expect(sim.callCount('DownloadCsvFile')).toBe(2);
    });

    it('skips an unreadable error file but still fails the search when HotWax is down', async () => {
      const since = Date.now() - 1000;
      const id = shopifyId();
      const warnings: string[] = [];
      const hotwax = client({ logger: { warn: (message) => warnings.push(message) } });
      sim.failImport(id, 'Customer address is missing');
      await hotwax.runNewOrdersJob();
      await sim.idle();
      sim.failImport(id, 'Zip code is missing');
      await hotwax.runNewOrdersJob();
      await sim.idle();

      sim.errorIn200Next(1, 'DataResource not found', { path: 'DownloadCsvFile' });
      const failure = (await hotwax.findImportFailures({ since, shopifyOrderIds: [id] })).get(id);
      expect(failure?.errorText).toBe('Customer address is missing');
      expect(warnings).toHaveLength(1);

      sim.failNext(1, { status: 502, path: 'performFind' });
      await expect(hotwax.findImportFailures({ since, shopifyOrderIds: [id] })).rejects.toMatchObject({
        status: 502,
        transient: true,
      });
    });

    it('finds nothing when no MDM log has failed records', async () => {
      const hotwax = client();
      sim.queueShopifyOrder({ shopifyOrderId: shopifyId() });
      await hotwax.runNewOrdersJob();
      await sim.idle();
      const failures = await hotwax.findImportFailures({ since: 0, shopifyOrderIds: [shopifyId()] });
      expect(failures.size).toBe(0);
      expect(sim.callCount('DownloadCsvFile')).toBe(0);
    });
  });

  describe('approval', () => {
    it('approves one Created web order through the approval job', async () => {
      const order = sim.addOrder({ externalId: shopifyId() });
      await client().runApprovalJob(order.orderId);
      await sim.idle();
      expect(sim.getOrder(order.orderId)?.statusId).toBe('ORDER_APPROVED');
      expect(sim.jobRuns('JOB_APR_ORD')[0]?.parameters).toEqual({ orderId: order.orderId });
    });

    it('tells whether the approval job is scheduled and how its recent runs ended', async () => {
      const hotwax = client();
      sim.setJobRunOutcome('JOB_APR_ORD', 'SERVICE_FAILED');
      await hotwax.runApprovalJob(sim.addOrder({ externalId: shopifyId() }).orderId);
      await sim.idle();
      expect(await hotwax.approvalJobStatus()).toEqual({
        scheduled: true,
        recentRunStatuses: ['SERVICE_FAILED'],
      });
      sim.setApprovalJobScheduled(false);
      expect((await hotwax.approvalJobStatus()).scheduled).toBe(false);
    });

    it('links to the order in HotWax', () => {
      expect(client().orderUrl('HC10041')).toBe(`${sim.url}/commerce/control/ViewOrder?orderId=HC10041`);
    });
  });

  describe('failures', () => {
    it('turns a 500 into a transient HotwaxHttpError', async () => {
      const hotwax = client({ apiToken: sim.settings.apiToken });
      sim.failNext(1, { status: 500, path: 'performFind' });
      const error = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxHttpError);
      expect(error).toMatchObject({ status: 500, transient: true, endpoint: 'performFind' });
    });

    it('turns a 404 into a HotwaxHttpError that is not transient', async () => {
      const hotwax = client({ apiToken: sim.settings.apiToken });
      sim.failNext(1, { status: 404 });
      await expect(hotwax.runApprovalJob('HC1')).rejects.toMatchObject({ status: 404, transient: false });
    });

    it('turns a silent server into a transient HotwaxTimeoutError', async () => {
      const hotwax = client({ apiToken: sim.settings.apiToken, timeoutMs: 200 });
      sim.timeoutNext(1);
      const error = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxTimeoutError);
      expect(error).toMatchObject({ transient: true });
    });

    it('turns an error inside a 200 into a HotwaxApiError', async () => {
      const hotwax = client({ apiToken: sim.settings.apiToken });
      sim.errorIn200Next(1, 'Service scheduleService failed');
      const error = await hotwax.runNewOrdersJob().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxApiError);
      expect(error).toMatchObject({ transient: false, hotwaxMessage: 'Service scheduleService failed' });
    });

    it('turns an HTML page inside a 200 into a HotwaxApiError', async () => {
      const hotwax = client({ apiToken: sim.settings.apiToken });
      sim.htmlNext(1);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxApiError);
    });

    it('turns a HotWax outage into transient errors, and recovers when it is back', async () => {
      const hotwax = client();
      sim.down(true);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toMatchObject({
        status: 503,
        transient: true,
      });
      sim.down(false);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).resolves.toBeInstanceOf(Map);
    });

    it('turns a refused connection into a transient HotwaxNetworkError', async () => {
      const gone = await startHotwaxSim();
      const url = gone.url;
      await gone.stop();
      const hotwax = createHotwaxClient({ ...clientOptions(), baseUrl: url, apiToken: 'x' });
      const error = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxNetworkError);
      expect(error).toMatchObject({ transient: true });
    });

    it('answers slowly but correctly under latency', async () => {
      sim.setLatency(50);
      const id = shopifyId();
      sim.addOrder({ externalId: id });
      expect((await client().findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    });
  });

  describe('the simulator', () => {
    it('answers an empty find with {"error":"No record found"}', async () => {
      const response = await fetch(
        `${sim.url}/api/performFind?entityName=OrderHeader&inputFields=${encodeURIComponent('{"externalId":"1"}')}`,
        { headers: { Authorization: `Bearer ${sim.settings.apiToken}` } },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ error: 'No record found' });
    });

    it('rejects calls without a Bearer token', async () => {
      const response = await fetch(`${sim.url}/api/findJobs`);
      expect(response.status).toBe(401);
    });

    it('counts every call, including failed ones', async () => {
      sim.failNext(2);
      const hotwax = client({ apiToken: sim.settings.apiToken });
      await hotwax.findOrdersByShopifyIds(['1']).catch(() => {});
      await hotwax.findOrdersByShopifyIds(['1']).catch(() => {});
      await hotwax.findOrdersByShopifyIds(['1']);
      expect(sim.callCount()).toBe(3);
      expect(sim.callCount('performFind')).toBe(3);
    });
  });
});
