import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HotwaxApiError,
  HotwaxAuthError,
  HotwaxHttpError,
  HotwaxNetworkError,
  HotwaxSetupError,
  HotwaxTimeoutError,
} from '../../shared/adapters/hotwax/errors.js';
import {
  createOfbizHotwaxPort,
  type OfbizPortOptions,
} from '../../shared/adapters/hotwax/ofbiz/ofbiz-port.js';
import { classifyImportError } from '../../shared/domain/classify-import-error.js';
import { pickLiveVersion, wasRefreshed } from '../../shared/domain/hotwax-versions.js';
import { type HotwaxSim, simCustomer, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';

describe('the OFBiz HotWax port against the simulator', () => {
  let sim: HotwaxSim;
  let counter = 0;
  const shopifyId = () => String(5_200_000_000_000 + ++counter);

  const portOptions = (overrides: Partial<OfbizPortOptions> = {}): OfbizPortOptions => ({
    baseUrl: sim.url,
    username: sim.settings.username,
    password: sim.settings.password,
    shopifyConfigId: sim.settings.shopifyConfigId,
    shopId: sim.settings.shopId,
    productStoreId: sim.settings.productStoreId,
    timeoutMs: 5_000,
    ...overrides,
  });
  const port = (overrides: Partial<OfbizPortOptions> = {}) => createOfbizHotwaxPort(portOptions(overrides));
  const bodiesOf = (endpoint: string) =>
    sim.calls
      .filter((call) => call.endpoint === endpoint)
      .map((call) => call.body as Record<string, unknown>);
  const inputFieldsOf = (endpoint: string, entityName?: string) =>
    sim.calls
      .filter(
        (call) => call.endpoint === endpoint && (!entityName || call.query.entityName?.[0] === entityName),
      )
      .map((call) => JSON.parse(call.query.inputFields?.[0] ?? '{}') as Record<string, unknown>);
  /** A request straight to the simulated OMS, as another client of HotWax would send it. */
  const callOms = (endpoint: string, init: { query?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${sim.url}/api/${endpoint}${init.query ? `?${new URLSearchParams(init.query)}` : ''}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${sim.settings.apiToken}`, 'Content-Type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const reimportOne = (hotwax = port()) =>
    hotwax.reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] });

  beforeAll(async () => {
    // Strict by default: a New Orders run without Job Manager's payload (frequency…) fails, as HotWax's would.
    sim = await startHotwaxSim();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('says what it can do: no refresh without its service, re-import by the New Orders window, approval by job', () => {
    expect(port().capabilities).toEqual({
      backend: 'ofbiz',
      canRefresh: false,
      reimportRepairsStuck: false,
      reimportScope: 'window',
      approval: 'job',
    });
    const configured = port({
      refreshOrderService: 'refreshShopifyOrder',
      importOrderService: 'importShopifyOrdersByIds',
    });
    expect(configured.capabilities).toMatchObject({ canRefresh: true, reimportScope: 'order' });
    expect(configured.refreshOrder).toBeTypeOf('function');
    expect(port().refreshOrder).toBeUndefined();
  });

  describe('logging in', () => {
    it('logs in once, shares the login between concurrent callers, and logs in again once on a 401', async () => {
      const hotwax = port();
      await Promise.all(Array.from({ length: 4 }, () => hotwax.findOrdersByShopifyIds([shopifyId()])));
      await hotwax.approvalStatus();
      expect(sim.callCount('login')).toBe(1);
      expect(sim.callCount('performFind')).toBe(4);

      const id = shopifyId();
      sim.addOrder({ externalId: id });
      sim.expireTokens();
      const found = await hotwax.findOrdersByShopifyIds([id]);
      expect(found.get(id)).toHaveLength(1);
      expect(sim.callCount('login')).toBe(2);
      // The refused call, then the same call again after the new login.
      expect(sim.callCount('performFind')).toBe(6);
    });

    it('logs in again before HotWax says the token expires', async () => {
      let offset = 0;
      const hotwax = port({ now: () => Date.now() + offset });
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      offset = sim.settings.tokenTtlMs;
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('login')).toBe(2);
      expect(sim.callCount('performFind', (call) => call.status === 401)).toBe(0);
    });

    it('uses a long-lived API token as Bearer without logging in', async () => {
      await port({
        username: undefined,
        password: undefined,
        apiToken: sim.settings.apiToken,
      }).findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('login')).toBe(0);
    });

    it('reports a rejected API token as an auth error, without retrying and without repeating it', async () => {
      const error = await port({ username: undefined, password: undefined, apiToken: 'revoked-token' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as HotwaxAuthError).transient).toBe(false);
      expect((error as Error).message).not.toContain('revoked-token');
      expect(sim.callCount()).toBe(1);
    });

    it('reports wrong credentials as an auth error that does not reveal them', async () => {
      const error = await port({ password: 'not-the-password' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as Error).message).not.toContain('not-the-password');
      expect(sim.callCount('performFind')).toBe(0);
    });
  });

  describe('errors', () => {
    it('turns a 500 into a transient error, an error inside a 200 or an HTML page into a refusal', async () => {
      const hotwax = port({ apiToken: sim.settings.apiToken });
      sim.failNext(1, { status: 500, path: 'performFind' });
      const failed = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(failed).toBeInstanceOf(HotwaxHttpError);
      expect(failed).toMatchObject({ status: 500, transient: true, endpoint: 'performFind' });
      sim.errorIn200Next(1, 'Entity engine exploded', { path: 'performFind' });
      const refused = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(HotwaxApiError);
      expect(refused).toMatchObject({ transient: false, hotwaxMessage: 'Entity engine exploded' });
      sim.htmlNext(1, { path: 'performFind' });
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxApiError);
    });

    it('turns a 404 into an HTTP error that is not transient', async () => {
      sim.failNext(1, { status: 404, path: 'performFind' });
      await expect(
        port({ apiToken: sim.settings.apiToken }).findOrdersByShopifyIds([shopifyId()]),
      ).rejects.toMatchObject({ name: 'HotwaxHttpError', status: 404, transient: false });
    });

    it("turns HotWax's refusal of a New Orders run into a refusal that is not transient", async () => {
      sim.errorIn200Next(1, 'Service scheduleService failed', { path: 'scheduleService' });
      const error = await reimportOne(port({ apiToken: sim.settings.apiToken })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(HotwaxApiError);
      expect(error).toMatchObject({ transient: false, hotwaxMessage: 'Service scheduleService failed' });
    });

    it('turns a HotWax outage into transient errors, and recovers when it is back', async () => {
      const hotwax = port();
      sim.down(true);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toMatchObject({
        status: 503,
        transient: true,
      });
      sim.down(false);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).resolves.toBeInstanceOf(Map);
    });

    it('turns a refused connection into a transient network error', async () => {
      const gone = await startHotwaxSim();
      const url = gone.url;
      await gone.stop();
      const error = await port({ baseUrl: url, apiToken: 'x' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxNetworkError);
      expect(error).toMatchObject({ transient: true });
    });

    it('answers slowly but correctly under latency', async () => {
      sim.setLatency(50);
      const id = shopifyId();
      sim.addOrder({ externalId: id });
      expect((await port().findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    });

    it('turns a silent server into a transient timeout', async () => {
      sim.timeoutNext(1, { path: 'performFind' });
      const error = await port({ apiToken: sim.settings.apiToken, timeoutMs: 200 })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxTimeoutError);
      expect(error).toMatchObject({ transient: true });
    });
  });

  describe('finding orders', () => {
    it('looks up a batch of 10 Shopify order ids with one performFind, and answers only the ones it holds', async () => {
      const ids = Array.from({ length: 10 }, shopifyId);
      for (const id of ids.slice(0, 7)) sim.addOrder({ externalId: id });
      const found = await port().findOrdersByShopifyIds(ids);
      expect(sim.callCount('performFind', { entityName: 'OrderHeader' })).toBe(1);
      expect([...found.keys()].sort()).toEqual(ids.slice(0, 7).sort());
      expect((await port().findOrdersByShopifyIds([shopifyId(), shopifyId()])).size).toBe(0);
    });

    it('returns the order fields HotWax holds', async () => {
      const id = shopifyId();
      const added = sim.addOrder({
        externalId: id,
        orderName: '#1042',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      const [order] = (await port().findOrdersByShopifyIds([id])).get(id) ?? [];
      expect(order).toMatchObject({
        orderId: added.orderId,
        externalId: id,
        orderName: '#1042',
        statusId: 'ORDER_CREATED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
        entryDate: added.entryDate,
      });
    });

    it('looks up a batch of 100 ids with ONE performFind, sent as a POST with a JSON body (the URL would be long)', async () => {
      const ids = Array.from({ length: 100 }, shopifyId);
      for (const id of ids.slice(0, 60)) sim.addOrder({ externalId: id });
      const found = await port().findOrdersByShopifyIds(ids);
      const finds = sim.calls.filter((call) => call.endpoint === 'performFind');
      expect(finds).toHaveLength(1);
      expect(finds[0]?.method).toBe('POST');
      expect(finds[0]?.body).toMatchObject({
        entityName: 'OrderHeader',
        inputFields: { externalId: ids, externalId_op: 'in' },
        noConditionFind: 'Y',
      });
      expect(found.size).toBe(60);
      // A short list stays a GET, as Job Manager sends it.
      await port().findOrdersByShopifyIds([shopifyId()]);
      expect(sim.calls.at(-1)?.method).toBe('GET');
    });

    it('pages past the 250 rows HotWax answers at once when orders share ids (exchanges, refreshes)', async () => {
      const ids = Array.from({ length: 100 }, shopifyId);
      for (const id of ids) for (let version = 0; version < 3; version++) sim.addOrder({ externalId: id });
      const found = await port().findOrdersByShopifyIds(ids);
      expect(sim.callCount('performFind')).toBe(2);
      expect([...found.values()].every((versions) => versions.length === 3)).toBe(true);
    });

    it('a long lookup by GET is refused by the front of HotWax (414), which is why it goes by POST', async () => {
      const ids = Array.from({ length: 400 }, shopifyId);
      const response = await callOms('performFind', {
        query: {
          entityName: 'OrderHeader',
          inputFields: JSON.stringify({ externalId: ids, externalId_op: 'in' }),
        },
      });
      expect(response.status).toBe(414);
    });

    it('finds every version of each order and splits more than 100 ids into several finds', async () => {
      const ids = Array.from({ length: 150 }, shopifyId);
      const exchanged = ids[0] as string;
      sim.addOrder({ externalId: exchanged, statusId: 'ORDER_COMPLETED' });
      sim.addOrder({ externalId: exchanged, statusId: 'ORDER_APPROVED' });
      sim.addOrder({ externalId: ids[149] as string, statusId: 'ORDER_REJECTED' });
      sim.addOrder({ externalId: ids[148] as string, statusId: 'ORDER_EXPIRED' });

      const found = await port().findOrdersByShopifyIds(ids);

      expect(sim.callCount('performFind')).toBe(2);
      expect(found.get(exchanged)?.map((order) => order.statusId)).toEqual([
        'ORDER_APPROVED',
        'ORDER_COMPLETED',
      ]);
      expect(found.get(ids[149] as string)?.[0]?.statusId).toBe('ORDER_REJECTED');
      expect(found.get(ids[148] as string)?.[0]?.statusId).toBe('ORDER_EXPIRED');
      expect(found.size).toBe(3);
    });
  });

  describe('re-importing', () => {
    it('runs the New Orders job with exactly the body Job Manager sends, and the run imports the order', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id, importAs: 'ORDER_APPROVED' });

      const run = await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: Date.now() }] });
      await sim.idle();

      expect(run).toMatchObject({ kind: 'new_orders_job', detail: expect.stringContaining('JOB_IMP_ORD') });
      expect(bodiesOf('scheduleService')).toEqual([
        {
          JOB_NAME: 'Import new orders',
          SERVICE_NAME: 'createOrdersFromShopify',
          SERVICE_COUNT: '0',
          jobFields: {
            productStoreId: sim.settings.productStoreId,
            systemJobEnumId: 'JOB_IMP_ORD',
            instanceOfProductId: 'JOB_IMP_ORD',
            parentJobId: '10231',
            recurrenceTimeZone: 'UTC',
            shopId: sim.settings.shopId,
          },
          statusId: 'SERVICE_PENDING',
          systemJobEnumId: 'JOB_IMP_ORD',
          // the schedule's runtime data, copied to the top level
          shopifyConfigId: sim.settings.shopifyConfigId,
          frequency: '15',
        },
      ]);
      expect(sim.jobRuns('JOB_IMP_ORD').at(-1)?.statusId).toBe('SERVICE_FINISHED');
      expect(sim.getOrdersByExternalId(id)[0]?.statusId).toBe('ORDER_APPROVED');
    });

    it("finds the job's definitions with Job Manager's shop OR-group and asks for every field", async () => {
      await port().reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] });
      const [query] = sim.calls.filter((call) => call.endpoint === 'findJobs');
      expect(query?.query.fieldList).toBeUndefined();
      expect(JSON.parse(query?.query.inputFields?.[0] ?? '{}')).toEqual({
        systemJobEnumId: 'JOB_IMP_ORD',
        statusId: ['SERVICE_DRAFT', 'SERVICE_PENDING'],
        statusId_op: 'in',
        shopId_fld0_value: sim.settings.shopId,
        shopId_fld0_grp: '1',
        shopId_fld0_op: 'equals',
        shopId_fld1_grp: '2',
        shopId_fld1_op: 'empty',
      });
    });

    it('imports queued Shopify orders of both channels when the New Orders job runs', async () => {
      const [pos, web] = [shopifyId(), shopifyId()];
      sim.queueShopifyOrder({ shopifyOrderId: pos, channel: 'pos', importAs: 'ORDER_COMPLETED' });
      sim.queueShopifyOrder({ shopifyOrderId: web, channel: 'web' });
      const hotwax = port();
      await hotwax.reimport({
        orders: [pos, web].map((id) => ({ shopifyOrderId: id, updatedAt: Date.now() })),
      });
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
      expect(sim.jobRuns('JOB_IMP_ORD').at(-1)).toMatchObject({
        serviceName: 'createOrdersFromShopify',
        parentJobId: '10231',
      });
    });

    it('reuses the job definition for repeated runs, and looks it up again once the cache has expired', async () => {
      let offset = 0;
      const hotwax = port({ apiToken: sim.settings.apiToken, now: () => Date.now() + offset });
      for (const _run of [1, 2, 3]) await reimportOne(hotwax);
      expect(sim.callCount('findJobs')).toBe(1);
      expect(sim.callCount('scheduleService')).toBe(3);
      offset = 10 * 60_000;
      await reimportOne(hotwax);
      expect(sim.callCount('findJobs')).toBe(2);
    });

    it('fails a run scheduled without Job Manager’s payload (no frequency), as a strict HotWax does: it imports nothing', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id });
      // The body the old client sent: no runtime data at the top level, no instanceOfProductId.
      const answer = await callOms('scheduleService', {
        body: {
          JOB_NAME: 'Import new orders',
          SERVICE_NAME: 'createOrdersFromShopify',
          SERVICE_COUNT: '0',
          jobFields: {
            productStoreId: sim.settings.productStoreId,
            systemJobEnumId: 'JOB_IMP_ORD',
            parentJobId: '10231',
          },
          statusId: 'SERVICE_PENDING',
          systemJobEnumId: 'JOB_IMP_ORD',
          shopifyConfigId: sim.settings.shopifyConfigId,
        },
      });
      expect(answer.status).toBe(200);
      await sim.idle();
      expect(sim.jobRuns('JOB_IMP_ORD').at(-1)?.statusId).toBe('SERVICE_FAILED');
      expect(sim.getOrdersByExternalId(id)).toHaveLength(0);
    });

    it('runs the draft when the shop has no schedule, with the monitor’s shop ids', async () => {
      const bare = await startHotwaxSim({ newOrdersJobScheduled: false });
      try {
        const id = shopifyId();
        bare.queueShopifyOrder({ shopifyOrderId: id });
        await createOfbizHotwaxPort({ ...portOptions(), baseUrl: bare.url }).reimport({
          orders: [{ shopifyOrderId: id, updatedAt: Date.now() }],
        });
        await bare.idle();
        const body = bare.calls.find((call) => call.endpoint === 'scheduleService')?.body as Record<
          string,
          unknown
        >;
        // A draft has no parent; the "null" placeholders of its runtime data give way to this shop's ids.
        expect(body.jobFields).not.toHaveProperty('parentJobId');
        expect(body).toMatchObject({ shopifyConfigId: bare.settings.shopifyConfigId, frequency: '15' });
        expect(bare.getOrdersByExternalId(id)).toHaveLength(1);
      } finally {
        await bare.stop();
      }
    });

    it('explains that the New Orders job is missing when HotWax has none', async () => {
      const bare = await startHotwaxSim({ newOrdersJobDefined: false });
      try {
        const error = await createOfbizHotwaxPort({ ...portOptions(), baseUrl: bare.url })
          .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(HotwaxSetupError);
        expect((error as Error).message).toContain('Job Manager');
      } finally {
        await bare.stop();
      }
    });

    it('calls a configured per-order import service once per order, with the default payload', async () => {
      const [first, second] = [shopifyId(), shopifyId()];
      sim.queueShopifyOrder({ shopifyOrderId: first });
      sim.queueShopifyOrder({ shopifyOrderId: second });
      const hotwax = port({ importOrderService: sim.settings.importOrderService });

      const run = await hotwax.reimport({
        orders: [
          { shopifyOrderId: first, updatedAt: 1 },
          { shopifyOrderId: second, updatedAt: 2 },
        ],
      });
      await sim.idle();

      expect(run.kind).toBe('order_import');
      expect(bodiesOf(`service/${sim.settings.importOrderService}`)).toEqual([
        { shopifyConfigId: sim.settings.shopifyConfigId, shopifyOrderId: first },
        { shopifyConfigId: sim.settings.shopifyConfigId, shopifyOrderId: second },
      ]);
      expect(sim.getOrdersByExternalId(first)).toHaveLength(1);
      expect(sim.callCount('scheduleService')).toBe(0);
    });

    it('sends one call for the whole batch when the payload template names {shopifyOrderIds}', async () => {
      const ids = [shopifyId(), shopifyId()];
      const hotwax = port({
        importOrderService: 'importShopifyOrdersByIds',
        importOrderPayload:
          '{"configId":"SOP_IMPORT_ORDER","shopifyConfigId":"{shopifyConfigId}","orderIds":"{shopifyOrderIds}"}',
      });
      // The simulator does not know this service: the call is refused, but its body is what was configured.
      await hotwax
        .reimport({ orders: ids.map((id) => ({ shopifyOrderId: id, updatedAt: 1 })) })
        .catch(() => {});
      expect(bodiesOf('service/importShopifyOrdersByIds')).toEqual([
        {
          configId: 'SOP_IMPORT_ORDER',
          shopifyConfigId: sim.settings.shopifyConfigId,
          orderIds: ids.join(','),
        },
      ]);
    });
  });

  describe('failed imports in the Shopify Order MDM', () => {
    it('reads the error of the right order, with the customer’s e-mail cut out of it', async () => {
      const [bad, good] = [shopifyId(), shopifyId()];
      const since = Date.now() - 1_000;
      sim.queueShopifyOrder({ shopifyOrderId: good });
      sim.failImport(
        bad,
        `E-mail address ${simCustomer.email} not formatted correctly, must be like: name@domain`,
      );
      await port().reimport({ orders: [{ shopifyOrderId: bad, updatedAt: since }] });
      await sim.idle();

      const failures = await port().findImportFailures({ since, shopifyOrderIds: [bad, good] });

      expect([...failures.keys()]).toEqual([bad]);
      const failure = failures.get(bad);
      expect(failure).toMatchObject({ shopifyOrderId: bad, configId: 'CRT_SHOPIFY_ORDER' });
      expect(failure?.errorText).toContain('not formatted correctly, must be like: name@domain');
      expect(failure?.errorText).not.toContain(simCustomer.email);
    });

    it('asks OFBiz for logs since `since` with createdDate_op and stops paging there', async () => {
      const since = Date.now() - 60_000;
      for (let index = 0; index < 120; index++) sim.addMdmLog({ createdDate: since - 3_600_000 - index });
      const id = shopifyId();
      sim.failImport(id, 'Phone number is missing');
      await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: since }] });
      await sim.idle();

      sim.clearCalls();
      const failures = await port().findImportFailures({ since, shopifyOrderIds: [id] });
      expect(failures.get(id)?.errorText).toBe('Phone number is missing');
      expect(inputFieldsOf('performFind', 'DataManagerLogAndContent')).toEqual([
        { configId: 'CRT_SHOPIFY_ORDER', createdDate: since, createdDate_op: 'greaterThanEqualTo' },
      ]);
    });

    it('drops a createdDate_from key as OFBiz does, so only createdDate_op narrows the logs to one page', async () => {
      const since = Date.now() - 60_000;
      for (let index = 0; index < 120; index++) sim.addMdmLog({ createdDate: since - 3_600_000 - index });
      const logsAnswered = async (range: Record<string, unknown>) => {
        const answer = await callOms('performFind', {
          query: {
            entityName: 'DataManagerLogAndContent',
            inputFields: JSON.stringify({ configId: 'CRT_SHOPIFY_ORDER', ...range }),
            viewSize: '50',
          },
        });
        const body = (await answer.json()) as { count?: number | string; error?: string };
        return body.error ? 0 : Number(body.count);
      };

      // The range the old client sent: silently dropped, every log comes back (120 = three pages of 50).
      expect(await logsAnswered({ createdDate_from: since })).toBe(120);
      expect(await logsAnswered({ createdDate: since, createdDate_op: 'greaterThanEqualTo' })).toBe(0);

      sim.clearCalls();
      await port().findImportFailures({ since, shopifyOrderIds: [shopifyId()] });
      expect(
        sim.callCount('performFind', (call) => call.query.entityName?.[0] === 'DataManagerLogAndContent'),
      ).toBe(1);
    });

    it("finds the failed record of the right order among several and reads HotWax's error", async () => {
      const since = Date.now() - 1000;
      const [failing, other, fine] = [shopifyId(), shopifyId(), shopifyId()];
      sim.queueShopifyOrder({ shopifyOrderId: failing, orderName: '#1042' });
      sim.failImport(failing, 'Phone number is missing in shipping address');
      sim.failImport(other, 'E-mail address not formatted correctly, must be like: name@domain');
      sim.queueShopifyOrder({ shopifyOrderId: fine });
      await reimportOne();
      await sim.idle();

      const failures = await port().findImportFailures({ since, shopifyOrderIds: [failing, fine] });
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
      await reimportOne();
      await sim.idle();
      sim.failImport(id, 'Rollback called in Entity Engine SQLProcessor', { shape: 'wrapped' });
      await reimportOne();
      await sim.idle();
      const failure = (await port().findImportFailures({ since, shopifyOrderIds: [id] })).get(id);
      expect(failure?.errorText).toBe('Rollback called in Entity Engine SQLProcessor');
    });

    it('finds an order named by gid and imports it once the data is fixed', async () => {
      const since = Date.now() - 1000;
      const id = shopifyId();
      sim.failImport(id, 'Valid fields are missing in order JSON', { shape: 'gid' });
      const hotwax = port();
      await reimportOne(hotwax);
      await sim.idle();
      expect((await hotwax.findImportFailures({ since, shopifyOrderIds: [id] })).get(id)?.errorText).toBe(
        'Valid fields are missing in order JSON',
      );
      sim.fixImport(id);
      await reimportOne(hotwax);
      await sim.idle();
      expect((await hotwax.findOrdersByShopifyIds([id])).get(id)).toHaveLength(1);
    });

    it('looks each error content up once and downloads each finished file once across searches', async () => {
      const since = Date.now() - 1000;
      const hotwax = port();
      const ids = [shopifyId(), shopifyId()];
      for (const id of ids) {
        sim.failImport(id, 'Customer address is missing');
        await reimportOne(hotwax);
        await sim.idle();
        sim.fixImport(id);
      }
      await hotwax.findImportFailures({ since, shopifyOrderIds: ids });
      await hotwax.findImportFailures({ since, shopifyOrderIds: ids });
      expect(sim.callCount('performFind', { entityName: 'DataResourceContentView' })).toBe(1);
      expect(sim.callCount('DownloadCsvFile')).toBe(2);
    });

    it('sees a failure written after its last read, without downloading the files it read already', async () => {
      const since = Date.now() - 1000;
      const hotwax = port();
      const [early, late] = [shopifyId(), shopifyId()] as [string, string];
      sim.failImport(early, 'Customer address is missing');
      await reimportOne(hotwax);
      await sim.idle();
      const first = await hotwax.findImportFailures({ since, shopifyOrderIds: [early, late] });
      expect([...first.keys()]).toEqual([early]);

      // The next import run fails the other order: a new log, written after the read.
      sim.fixImport(early);
      sim.failImport(late, 'E-mail address not formatted correctly, must be like: name@domain');
      await sim.runScheduledImport();
      const second = await hotwax.findImportFailures({ since, shopifyOrderIds: [early, late] });

      expect(second.get(late)?.errorText).toContain('E-mail address not formatted correctly');
      expect(second.get(early)?.errorText).toBe('Customer address is missing');
      // Two files, each downloaded once; the logs are listed on every search (that is how the new one is seen).
      expect(sim.callCount('DownloadCsvFile')).toBe(2);
      expect(sim.callCount('performFind', { entityName: 'DataManagerLogAndContent' })).toBe(2);
    });

    it('skips an unreadable error file but still fails the search when HotWax is down', async () => {
      const since = Date.now() - 1000;
      const id = shopifyId();
      const warnings: string[] = [];
      const hotwax = port({ logger: { warn: (message) => warnings.push(message) } });
      sim.failImport(id, 'Customer address is missing');
      await reimportOne(hotwax);
      await sim.idle();
      sim.failImport(id, 'Zip code is missing');
      await reimportOne(hotwax);
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
      sim.queueShopifyOrder({ shopifyOrderId: shopifyId() });
      await reimportOne();
      await sim.idle();
      const failures = await port().findImportFailures({ since: 0, shopifyOrderIds: [shopifyId()] });
      expect(failures.size).toBe(0);
      expect(sim.callCount('DownloadCsvFile')).toBe(0);
    });
  });

  describe('approval and the import flow', () => {
    it('reads the approval job: scheduled or not, and how its recent runs ended', async () => {
      sim.setJobRunOutcome('JOB_APR_ORD', 'SERVICE_FAILED');
      // A run of the approval job as Job Manager starts one (the monitor never runs it).
      await callOms('scheduleService', {
        body: {
          JOB_NAME: 'Approve orders',
          SERVICE_NAME: 'approvePendingShopifyOrders',
          statusId: 'SERVICE_PENDING',
          systemJobEnumId: 'JOB_APR_ORD',
          jobFields: { parentJobId: '10302' },
        },
      });
      await sim.idle();
      expect(await port().approvalStatus()).toEqual({
        mechanism: 'job',
        enabled: true,
        recentRunStatuses: ['SERVICE_FAILED'],
      });
      sim.setApprovalJobScheduled(false);
      expect((await port().approvalStatus()).enabled).toBe(false);
    });

    it('reports the New Orders job as ok, failing after three failed runs, not scheduled, or missing', async () => {
      const hotwax = port();
      expect((await hotwax.importFlowHealth())[0]).toMatchObject({ flow: 'new_orders_job', status: 'ok' });

      sim.setJobRunOutcome('JOB_IMP_ORD', 'SERVICE_FAILED');
      for (let run = 0; run < 3; run++)
        await hotwax.reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: 1 }] });
      await sim.idle();
      const [failing] = await hotwax.importFlowHealth();
      expect(failing).toMatchObject({ status: 'failing', jobName: 'JOB_IMP_ORD' });
      expect(failing?.detail).toContain('Job Manager');
      expect(failing?.lastRunAt).toBeTypeOf('number');

      const unscheduled = await startHotwaxSim({ newOrdersJobScheduled: false });
      const missing = await startHotwaxSim({ newOrdersJobDefined: false });
      try {
        const on = (other: HotwaxSim) => createOfbizHotwaxPort({ ...portOptions(), baseUrl: other.url });
        expect((await on(unscheduled).importFlowHealth())[0]?.status).toBe('paused');
        expect((await on(missing).importFlowHealth())[0]?.status).toBe('missing');
      } finally {
        await Promise.all([unscheduled.stop(), missing.stop()]);
      }
    });

    it('never has an interrupted repair to recover, and links to the order in the OMS', async () => {
      expect(await port().recoverInterruptedRepairs()).toBe(0);
      expect(port().orderUrl('HC 1')).toBe(`${sim.url}/commerce/control/ViewOrder?orderId=HC%201`);
      expect(port({ orderUrlTemplate: 'https://oms.example/o/{orderId}' }).orderUrl('HC1')).toBe(
        'https://oms.example/o/HC1',
      );
    });
  });

  describe('refresh', () => {
    it('refreshes through the configured service: two versions, the new one the live Completed order', async () => {
      const id = shopifyId();
      const old = sim.addOrder({ externalId: id, salesChannelEnumId: 'POS_SALES_CHANNEL' });
      const hotwax = port({ refreshOrderService: sim.settings.refreshOrderService });
      await hotwax.refreshOrder?.(old.orderId);
      await sim.idle();
      expect(sim.getOrdersByExternalId(id).map((version) => version.statusId)).toEqual([
        'ORDER_CANCELLED',
        'ORDER_COMPLETED',
      ]);
      const versions = (await hotwax.findOrdersByShopifyIds([id])).get(id) ?? [];
      const live = pickLiveVersion(versions);
      expect(live?.orderId).not.toBe(old.orderId);
      expect(live?.statusId).toBe('ORDER_COMPLETED');
      expect(wasRefreshed(versions, old.orderId)).toBe(true);
    });

    it('leaves the order alone when refreshes do not work', async () => {
      const id = shopifyId();
      const old = sim.addOrder({ externalId: id });
      sim.setRefreshWorks(false);
      const hotwax = port({ refreshOrderService: sim.settings.refreshOrderService });
      await hotwax.refreshOrder?.(old.orderId);
      await sim.idle();
      expect(wasRefreshed((await hotwax.findOrdersByShopifyIds([id])).get(id) ?? [], old.orderId)).toBe(
        false,
      );
    });
  });

  describe('the simulator', () => {
    it('answers an empty find with {"error":"No record found"}', async () => {
      const response = await callOms('performFind', {
        query: { entityName: 'OrderHeader', inputFields: '{"externalId":"1"}' },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ error: 'No record found' });
    });

    it('rejects calls without a Bearer token', async () => {
      expect((await fetch(`${sim.url}/api/findJobs`)).status).toBe(401);
    });

    it('counts every call, including failed ones', async () => {
      sim.failNext(2);
      const hotwax = port({ apiToken: sim.settings.apiToken });
      await hotwax.findOrdersByShopifyIds(['1']).catch(() => {});
      await hotwax.findOrdersByShopifyIds(['1']).catch(() => {});
      await hotwax.findOrdersByShopifyIds(['1']);
      expect(sim.callCount()).toBe(3);
      expect(sim.callCount('performFind')).toBe(3);
    });
  });

  it('rejects a refused login page with an HTTP error class', async () => {
    sim.failNext(1, { status: 502, path: 'login' });
    await expect(port().findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxHttpError);
  });
});
