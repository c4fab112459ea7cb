import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HotwaxApiError,
  HotwaxAuthError,
  HotwaxHttpError,
  HotwaxRepairBusyError,
  HotwaxSetupError,
  HotwaxTimeoutError,
} from '../../shared/adapters/hotwax/errors.js';
import { createInMemoryRepairJournal } from '../../shared/adapters/hotwax/in-memory-repair-journal.js';
import {
  createMaargHotwaxPort,
  type MaargPortOptions,
} from '../../shared/adapters/hotwax/maarg/maarg-port.js';
import type { HotwaxRepairJournal } from '../../shared/domain/ports.js';
import {
  type HotwaxSim,
  realtimeConsumer,
  simCustomer,
  simFallbackJobName,
  startHotwaxSim,
} from '../../sim/hotwax/hotwax-sim.js';

const hour = 3_600_000;

describe('the Maarg HotWax port against the simulator', () => {
  let sim: HotwaxSim;
  let journal: ReturnType<typeof createInMemoryRepairJournal>;
  let counter = 0;
  const shop = 'maarg-sim.myshopify.com';
  const shopifyId = () => String(5_300_000_000_000 + ++counter);

  const portOptions = (overrides: Partial<MaargPortOptions> = {}): MaargPortOptions => ({
    maargUrl: sim.url,
    username: sim.settings.username,
    password: sim.settings.password,
    shop,
    productStoreId: sim.settings.productStoreId,
    systemMessageRemoteId: sim.settings.systemMessageRemoteId,
    repairJournal: journal,
    timeoutMs: 5_000,
    ...overrides,
  });
  const port = (overrides: Partial<MaargPortOptions> = {}) => createMaargHotwaxPort(portOptions(overrides));
  const parametersOf = (jobName: string) =>
    Object.fromEntries(
      (sim.maarg.serviceJob(jobName)?.parameters ?? []).map((item) => [
        item.parameterName,
        item.parameterValue,
      ]),
    );
  const putsTo = (jobName: string) =>
    sim.calls
      .filter((call) => call.method === 'PUT' && call.endpoint === `admin/serviceJobs/${jobName}`)
      .map((call) => call.body as { jobName: string; serviceJobParameters: { parameterName: string }[] });
  const otherClones = () => sim.maarg.serviceJobs().filter((job) => job.jobName !== simFallbackJobName);

  beforeAll(async () => {
    sim = await startHotwaxSim({ backend: 'maarg' });
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    journal = createInMemoryRepairJournal();
  });

  it('says what it can do: no refresh, a re-import repairs a stuck order, approval is a store setting', () => {
    const hotwax = port();
    expect(hotwax.capabilities).toEqual({
      backend: 'maarg',
      canRefresh: false,
      reimportRepairsStuck: true,
      reimportScope: 'window',
      approval: 'store_setting',
    });
    expect(hotwax.refreshOrder).toBeUndefined();
  });

  describe('logging in', () => {
    it('logs in at admin/login once for concurrent callers, and again once on a 401', async () => {
      const hotwax = port();
      await Promise.all(Array.from({ length: 4 }, () => hotwax.findOrdersByShopifyIds([shopifyId()])));
      expect(sim.callCount('admin/login')).toBe(1);
      sim.expireTokens();
      await hotwax.findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('admin/login')).toBe(2);
      expect(sim.callCount('login')).toBe(0);
    });

    it('uses a long-lived token as Bearer, and a rejected one is an auth error', async () => {
      await port({
        username: undefined,
        password: undefined,
        apiToken: sim.settings.apiToken,
      }).findOrdersByShopifyIds([shopifyId()]);
      expect(sim.callCount('admin/login')).toBe(0);
      const error = await port({ username: undefined, password: undefined, apiToken: 'revoked' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as Error).message).not.toContain('revoked');
    });

    it('reports refused credentials as an auth error that does not reveal them', async () => {
      const error = await port({ password: 'wrong-password' })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxAuthError);
      expect((error as Error).message).not.toContain('wrong-password');
      expect(sim.callCount('oms/orders')).toBe(0);
    });
  });

  describe('errors', () => {
    it("turns Moqui's status codes into the same error classes as OFBiz's", async () => {
      const hotwax = port({ apiToken: sim.settings.apiToken });
      sim.moquiErrorNext(1, { status: 400, errors: ['externalId is not valid'], path: 'oms/orders' });
      const refused = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(HotwaxApiError);
      expect(refused).toMatchObject({ transient: false, hotwaxMessage: 'externalId is not valid' });

      sim.moquiErrorNext(1, { status: 500, errors: 'General error in Service REST API', path: 'oms/orders' });
      const outage = await hotwax.findOrdersByShopifyIds([shopifyId()]).catch((caught: unknown) => caught);
      expect(outage).toBeInstanceOf(HotwaxHttpError);
      expect(outage).toMatchObject({
        status: 500,
        transient: true,
        hotwaxMessage: 'General error in Service REST API',
      });

      sim.moquiErrorNext(1, { status: 403, errors: 'not authorized', path: 'oms/orders' });
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxAuthError);

      sim.htmlNext(1, { path: 'oms/orders' });
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toBeInstanceOf(HotwaxApiError);

      sim.down(true);
      await expect(hotwax.findOrdersByShopifyIds([shopifyId()])).rejects.toMatchObject({
        status: 503,
        transient: true,
      });
      sim.down(false);
    });

    it('turns a silent server into a transient timeout', async () => {
      sim.timeoutNext(1, { path: 'oms/orders' });
      const error = await port({ timeoutMs: 200, apiToken: sim.settings.apiToken })
        .findOrdersByShopifyIds([shopifyId()])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxTimeoutError);
    });
  });

  describe('finding orders', () => {
    it('asks oms/orders with externalId_op=in, 100 ids a call, and pages through X-Total-Count', async () => {
      const ids = Array.from({ length: 130 }, shopifyId);
      // Exchanges share one externalId: 100 ids can hold more than 100 orders.
      for (const id of ids.slice(0, 100)) sim.addOrder({ externalId: id, statusId: 'ORDER_COMPLETED' });
      for (const id of ids.slice(0, 30)) sim.addOrder({ externalId: id, statusId: 'ORDER_APPROVED' });
      sim.addOrder({ externalId: ids[129] as string, statusId: 'ORDER_REJECTED' });

      const found = await port().findOrdersByShopifyIds(ids);

      const lookups = sim.calls.filter((call) => call.endpoint === 'oms/orders');
      expect(
        lookups.map((call) => [call.query.pageIndex?.[0], call.query.externalId?.[0]?.split(',').length]),
      ).toEqual([
        ['0', 100],
        ['1', 100],
        ['0', 30],
      ]);
      expect(lookups[0]?.query).toMatchObject({ externalId_op: ['in'], pageSize: ['100'] });
      expect(found.size).toBe(101);
      expect(found.get(ids[0] as string)?.map((order) => order.statusId)).toEqual([
        'ORDER_APPROVED',
        'ORDER_COMPLETED',
      ]);
      expect(found.get(ids[129] as string)?.[0]?.statusId).toBe('ORDER_REJECTED');
    });

    it('looks up a batch of 100 ids with ONE call', async () => {
      const ids = Array.from({ length: 100 }, shopifyId);
      for (const id of ids.slice(0, 70)) sim.addOrder({ externalId: id });
      const found = await port().findOrdersByShopifyIds(ids);
      expect(sim.callCount('oms/orders')).toBe(1);
      expect(found.size).toBe(70);
    });

    it('the simulator ignores parameters Moqui does not know, as Moqui does', async () => {
      sim.addOrder({ externalId: shopifyId() });
      sim.addOrder({ externalId: shopifyId() });
      const response = await fetch(`${sim.url}/rest/s1/oms/orders?externalId_before=1&color=blue`, {
        headers: { Authorization: `Bearer ${sim.settings.apiToken}` },
      });
      expect(response.headers.get('X-Total-Count')).toBe('2');
      expect(((await response.json()) as unknown[]).length).toBe(2);
    });
  });

  describe('re-importing through the fallback sync', () => {
    it('swaps fromDate to the oldest updatedAt minus 60 s, runs the job, restores the whole set', async () => {
      const [older, newer] = [shopifyId(), shopifyId()];
      // Updated before the job's last run: a plain run would never pick them up.
      const olderAt = Date.UTC(2026, 0, 15, 10, 30, 45, 500);
      sim.queueShopifyOrder({ shopifyOrderId: older, updatedAt: olderAt, importAs: 'ORDER_APPROVED' });
      sim.queueShopifyOrder({ shopifyOrderId: newer, updatedAt: olderAt + hour });
      const before = parametersOf(simFallbackJobName);
      const others = otherClones();

      const run = await port().reimport({
        orders: [
          { shopifyOrderId: newer, updatedAt: olderAt + hour },
          { shopifyOrderId: older, updatedAt: olderAt },
        ],
      });
      await sim.idle();

      expect(run).toMatchObject({ kind: 'fallback_sync', runId: expect.stringMatching(/^JR/) });
      expect(run.detail).toContain('2026-01-15 10:29:45');
      const [swap, restore] = putsTo(simFallbackJobName);
      expect(swap).toEqual({
        jobName: simFallbackJobName,
        serviceJobParameters: [
          { parameterName: 'systemMessageRemoteId', parameterValue: sim.settings.systemMessageRemoteId },
          { parameterName: 'systemMessageTypeId', parameterValue: 'ShopifyOrderSync' },
          { parameterName: 'runAsBatch', parameterValue: 'true' },
          { parameterName: 'fromDate', parameterValue: '2026-01-15 10:29:45' },
        ],
      });
      expect(restore?.serviceJobParameters).toContainEqual({
        parameterName: 'fromDate',
        parameterValue: null,
      });
      expect(parametersOf(simFallbackJobName)).toEqual({ ...before, fromDate: null });
      // The run kept the swapped window although the parameters were restored right after runNow.
      const [simRun] = sim.maarg.serviceJobRuns(simFallbackJobName);
      expect(simRun).toMatchObject({ jobRunId: run.runId, hasError: 'N' });
      expect(simRun?.parameters.fromDate).toBe('2026-01-15 10:29:45');
      expect(sim.getOrdersByExternalId(older)[0]?.statusId).toBe('ORDER_APPROVED');
      expect(sim.getOrdersByExternalId(newer)).toHaveLength(1);
      // Other shops' clones: not read for a swap, never written, never run.
      expect(otherClones()).toEqual(others);
      expect(sim.calls.some((call) => call.method !== 'GET' && call.endpoint.includes('_OTHER'))).toBe(false);
      expect(sim.maarg.serviceJobRuns().every((each) => each.jobName === simFallbackJobName)).toBe(true);
      expect(journal.entries()).toEqual([]);
    });

    it('a plain run of the job does not pick up an order updated before its last run', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id, updatedAt: Date.now() - hour });
      await fetch(`${sim.url}/rest/s1/admin/serviceJobs/${simFallbackJobName}/runNow`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sim.settings.apiToken}` },
      });
      await sim.idle();
      expect(sim.getOrdersByExternalId(id)).toHaveLength(0);
    });

    it('updates an order stuck in Created in place: no second version', async () => {
      const id = shopifyId();
      sim.addOrder({ externalId: id, statusId: 'ORDER_CREATED', salesChannelEnumId: 'POS_SALES_CHANNEL' });
      sim.queueShopifyOrder({
        shopifyOrderId: id,
        updatedAt: Date.now() - hour,
        importAs: 'ORDER_COMPLETED',
      });
      await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: Date.now() - hour }] });
      await sim.idle();
      expect(sim.getOrdersByExternalId(id).map((order) => order.statusId)).toEqual(['ORDER_COMPLETED']);
    });

    it('restores the parameters in a finally when runNow fails, and frees the lock', async () => {
      const before = parametersOf(simFallbackJobName);
      sim.moquiErrorNext(1, { status: 500, errors: 'Job runner unavailable', path: /\/runNow$/ });
      const error = await port()
        .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'HotwaxHttpError', transient: true });
      expect(putsTo(simFallbackJobName)).toHaveLength(2);
      expect(parametersOf(simFallbackJobName)).toEqual({ ...before, fromDate: null });
      expect(journal.entries()).toEqual([]);
    });

    it('finds the job by its parameters when the list omits them, and never by its name', async () => {
      const lookalike = `queue_ShopifyOrderSync_${sim.settings.shopifyConfigId}`;
      expect(sim.maarg.serviceJob(lookalike)?.listsParameters).toBe(false);
      await port().reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] });
      // The look-alike's detail was read (its list row had no parameters), then left alone: not ours.
      expect(sim.callCount(`admin/serviceJobs/${lookalike}`)).toBe(1);
      expect(putsTo(lookalike)).toHaveLength(0);
      expect(putsTo(simFallbackJobName)).toHaveLength(2);
    });

    it('refuses when the shop has no fallback job, or no remote id to tell its job apart', async () => {
      const bare = await startHotwaxSim({ backend: 'maarg', fallbackJobDefined: false });
      try {
        const error = await createMaargHotwaxPort({ ...portOptions(), maargUrl: bare.url })
          .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(HotwaxSetupError);
        expect((error as Error).message).toContain('systemMessageRemoteId=');
        expect(bare.calls.some((call) => call.method === 'PUT')).toBe(false);
      } finally {
        await bare.stop();
      }
      const error = await port({ systemMessageRemoteId: '' })
        .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxSetupError);
      expect(sim.calls.some((call) => call.method === 'PUT')).toBe(false);
      expect(journal.entries()).toEqual([]);
    });

    it('refuses a second swap of the same shop while one is under way', async () => {
      expect(await journal.claim({ shop, owner: 'another-checker', claimedAt: Date.now() })).toBe(true);
      const error = await port()
        .reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HotwaxRepairBusyError);
      expect((error as HotwaxRepairBusyError).transient).toBe(true);
      expect(sim.calls.some((call) => call.method === 'PUT')).toBe(false);
      expect(journal.entries()).toHaveLength(1);
    });

    it('only one of two concurrent re-imports of a shop swaps; the other is told to retry', async () => {
      const request = { orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] };
      const results = await Promise.allSettled([port().reimport(request), port().reimport(request)]);
      const rejected = results.filter((result) => result.status === 'rejected');
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(rejected.map((result) => (result as PromiseRejectedResult).reason)).toEqual([
        expect.any(HotwaxRepairBusyError),
      ]);
      expect(putsTo(simFallbackJobName)).toHaveLength(2);
    });

    it('a crash between swap and restore is undone by recoverInterruptedRepairs after the grace', async () => {
      const before = parametersOf(simFallbackJobName);
      let offset = 0;
      const now = () => Date.now() + offset;
      // The process "dies" right after runNow: nothing it sends afterwards reaches HotWax.
      let dead = false;
      const dying: typeof fetch = async (input, init) => {
        if (dead) throw new TypeError('fetch failed: the process is gone');
        const response = await fetch(input, init);
        if (String(input).endsWith('/runNow')) dead = true;
        return response;
      };
      const crashed = port({ fetch: dying, now });
      const run = await crashed.reimport({
        orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() - hour }],
      });
      expect(run.runId).toBeDefined();
      expect(parametersOf(simFallbackJobName).fromDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(journal.entries()[0]?.originalParameters).toContainEqual({
        parameterName: 'fromDate',
        parameterValue: null,
      });

      const next = port({ now }); // the next check, in another process
      expect(await next.recoverInterruptedRepairs()).toBe(0); // still within the grace: maybe a live swap
      offset = 10 * 60_000;
      expect(await next.recoverInterruptedRepairs()).toBe(1);
      expect(parametersOf(simFallbackJobName)).toEqual({ ...before, fromDate: null });
      expect(journal.entries()).toEqual([]);
      expect(await next.recoverInterruptedRepairs()).toBe(0);
    });

    it('a re-import after a crash undoes the stale swap first, then swaps from the true original', async () => {
      const original = sim.maarg.serviceJob(simFallbackJobName)?.parameters ?? [];
      const stale: HotwaxRepairJournal = journal;
      await stale.claim({ shop, owner: 'crashed', claimedAt: Date.now() - hour });
      await stale.record(shop, 'crashed', {
        jobName: simFallbackJobName,
        originalParameters: [...original, { parameterName: 'fromDate', parameterValue: null }],
      });
      // What the crashed swap left in HotWax.
      await fetch(`${sim.url}/rest/s1/admin/serviceJobs/${simFallbackJobName}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${sim.settings.apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          jobName: simFallbackJobName,
          serviceJobParameters: [
            ...original,
            { parameterName: 'fromDate', parameterValue: '2020-01-01 00:00:00' },
          ],
        }),
      });

      await port().reimport({ orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }] });

      expect(parametersOf(simFallbackJobName).fromDate).toBeNull();
      expect(journal.entries()).toEqual([]);
    });

    it('reads how the run went from the job’s runs', async () => {
      // A run still waiting: this simulator's runs start only when told (finishWorkNow), however slow the machine.
      const slow = await startHotwaxSim({ backend: 'maarg', importDelayMs: 3_600_000 });
      try {
        const waiting = createMaargHotwaxPort({ ...portOptions(), maargUrl: slow.url });
        const run = await waiting.reimport({
          orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }],
        });
        expect(await waiting.fallbackRunOutcome(run.runId as string)).toBe('queued');
        await slow.finishWorkNow();
        expect(await waiting.fallbackRunOutcome(run.runId as string)).toBe('succeeded');
      } finally {
        await slow.stop();
      }
      const hotwax = port();
      sim.maarg.failNextRuns(simFallbackJobName, 1);
      const failed = await hotwax.reimport({
        orders: [{ shopifyOrderId: shopifyId(), updatedAt: Date.now() }],
      });
      await sim.idle();
      expect(await hotwax.fallbackRunOutcome(failed.runId as string)).toBe('failed');
      expect(await hotwax.fallbackRunOutcome('JR-unknown')).toBe('unknown');
    });
  });

  describe('failed imports in the Data Manager', () => {
    const failAndImport = async (id: string, errorText: string, format: 'json' | 'csv' = 'json') => {
      sim.failImport(id, errorText, { format });
      sim.queueShopifyOrder({ shopifyOrderId: id, updatedAt: Date.now() - hour });
      await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: Date.now() - hour }] });
      await sim.idle();
    };

    it('finds the failed record of a finished log by its gid and cuts the customer’s data out of the error', async () => {
      const since = Date.now() - 1_000;
      const [bad, good] = [shopifyId(), shopifyId()];
      sim.queueShopifyOrder({ shopifyOrderId: good, updatedAt: Date.now() - hour });
      await failAndImport(
        bad,
        `Phone number is missing for ${simCustomer.firstName} ${simCustomer.lastName} (${simCustomer.email})`,
      );
      const [log] = sim.maarg.dataManagerLogs();
      expect(log).toMatchObject({
        configId: 'SYNC_SHOPIFY_ORDER',
        statusId: 'DmlsFinished',
        failedRecordCount: 1,
      });

      const failures = await port().findImportFailures({ since, shopifyOrderIds: [bad, good] });

      expect([...failures.keys()]).toEqual([bad]);
      expect(failures.get(bad)).toMatchObject({
        logId: log?.logId,
        configId: 'SYNC_SHOPIFY_ORDER',
        contentId: log?.errorLogContentId,
      });
      const errorText = failures.get(bad)?.errorText ?? '';
      expect(errorText).toContain('Phone number is missing');
      for (const value of Object.values(simCustomer)) expect(errorText).not.toContain(value);
      const downloads = sim.calls.filter(
        (call) => call.endpoint === 'admin/dataManager/downloadDataManagerFile',
      );
      expect(downloads[0]?.query).toMatchObject({
        configId: ['SYNC_SHOPIFY_ORDER'],
        logContentId: [log?.errorLogContentId],
      });
    });

    it('reads a CSV file with an ErrorMessage column, and an update that failed under UPDATE_SHOPIFY_ORDER', async () => {
      const since = Date.now() - 1_000;
      const id = shopifyId();
      sim.addOrder({ externalId: id });
      await failAndImport(id, 'Rollback called in Entity Engine SQLProcessor', 'csv');
      expect(sim.maarg.dataManagerFile(sim.maarg.dataManagerLogs()[0]?.errorLogContentId ?? '')).toMatch(
        /ErrorMessage/,
      );
      const failure = (await port().findImportFailures({ since, shopifyOrderIds: [id] })).get(id);
      expect(failure).toMatchObject({
        configId: 'UPDATE_SHOPIFY_ORDER',
        errorText: 'Rollback called in Entity Engine SQLProcessor',
      });
    });

    it('reads a log whose whole file failed, and skips logs older than `since` or without content', async () => {
      const id = shopifyId();
      const since = Date.now() - hour;
      const file = JSON.stringify([
        { id: `gid://shopify/Order/${id}`, _ERROR_MESSAGE_: 'Valid fields are missing' },
      ]);
      sim.maarg.addDataManagerLog({
        configId: 'SYNC_SHOPIFY_ORDER',
        statusId: 'DmlsFailed',
        createdDate: Date.now(),
        totalRecordCount: 1,
        failedRecordCount: 0,
        file,
      });
      sim.maarg.addDataManagerLog({
        configId: 'SYNC_SHOPIFY_ORDER',
        statusId: 'DmlsFinished',
        createdDate: since - hour,
        totalRecordCount: 1,
        failedRecordCount: 1,
        file: JSON.stringify([{ id: `gid://shopify/Order/${id}`, _ERROR_MESSAGE_: 'an old failure' }]),
      });
      const found = await port().findImportFailures({ since, shopifyOrderIds: [id] });
      expect(found.get(id)?.errorText).toBe('Valid fields are missing');
      const details = sim.calls.filter((call) => call.endpoint === 'admin/dataManager/details');
      expect(details[0]?.query).toMatchObject({
        statusId: ['DmlsFinished,DmlsFailed,DmlsCrashed'],
        statusId_op: ['in'],
        orderByField: ['-createdDate'],
      });
      expect(sim.callCount('admin/dataManager/downloadDataManagerFile')).toBe(1);
    });

    it('lists the logs of both import configs in ONE call (configId_op=in)', async () => {
      const id = shopifyId();
      sim.addOrder({ externalId: id });
      await failAndImport(id, 'Rollback called in Entity Engine SQLProcessor');
      const found = await port().findImportFailures({ since: Date.now() - hour, shopifyOrderIds: [id] });
      expect(found.get(id)?.configId).toBe('UPDATE_SHOPIFY_ORDER');
      const details = sim.calls.filter((call) => call.endpoint === 'admin/dataManager/details');
      expect(details).toHaveLength(1);
      expect(details[0]?.query).toMatchObject({
        configId: ['SYNC_SHOPIFY_ORDER,UPDATE_SHOPIFY_ORDER'],
        configId_op: ['in'],
      });
    });

    it('sees a failure written after its last read, without downloading the files it read already', async () => {
      const since = Date.now() - 1_000;
      const hotwax = port();
      const [early, late] = [shopifyId(), shopifyId()] as [string, string];
      await failAndImport(early, 'Customer address is missing');
      expect([
        ...(await hotwax.findImportFailures({ since, shopifyOrderIds: [early, late] })).keys(),
      ]).toEqual([early]);

      sim.fixImport(early);
      await failAndImport(late, 'E-mail address not formatted correctly, must be like: name@domain');
      const second = await hotwax.findImportFailures({ since, shopifyOrderIds: [early, late] });

      expect(second.get(late)?.errorText).toContain('E-mail address not formatted correctly');
      expect(second.get(early)?.errorText).toBe('Customer address is missing');
      expect(sim.callCount('admin/dataManager/downloadDataManagerFile')).toBe(2);
    });

    it('reads a log again once its failed-record count changed, and never an unchanged one', async () => {
      const since = Date.now() - 1_000;
      const hotwax = port();
      const [first, second] = [shopifyId(), shopifyId()] as [string, string];
      const record = (id: string, error: string) => ({
        id: `gid://shopify/Order/${id}`,
        _ERROR_MESSAGE_: error,
      });
      const log = sim.maarg.addDataManagerLog({
        configId: 'SYNC_SHOPIFY_ORDER',
        statusId: 'DmlsFinished',
        createdDate: Date.now(),
        totalRecordCount: 2,
        failedRecordCount: 1,
        file: JSON.stringify([record(first, 'Customer phone is missing')]),
      });
      await hotwax.findImportFailures({ since, shopifyOrderIds: [first, second] });
      await hotwax.findImportFailures({ since, shopifyOrderIds: [first, second] });
      expect(sim.callCount('admin/dataManager/downloadDataManagerFile')).toBe(1);

      // The same file, same content id, now with a second failed record.
      sim.maarg.updateDataManagerLog(log.logId, {
        failedRecordCount: 2,
        file: JSON.stringify([
          record(first, 'Customer phone is missing'),
          record(second, 'Valid fields are missing'),
        ]),
      });
      const found = await hotwax.findImportFailures({ since, shopifyOrderIds: [first, second] });
      expect(found.get(second)?.errorText).toBe('Valid fields are missing');
      expect(sim.callCount('admin/dataManager/downloadDataManagerFile')).toBe(2);
    });

    it('finds nothing when no log has failed records', async () => {
      const id = shopifyId();
      sim.queueShopifyOrder({ shopifyOrderId: id, updatedAt: Date.now() - hour });
      await port().reimport({ orders: [{ shopifyOrderId: id, updatedAt: Date.now() - hour }] });
      await sim.idle();
      expect((await port().findImportFailures({ since: 0, shopifyOrderIds: [id] })).size).toBe(0);
      expect(sim.callCount('admin/dataManager/downloadDataManagerFile')).toBe(0);
    });
  });

  describe('approval', () => {
    it("reads the product store's autoApproveOrder", async () => {
      expect(await port().approvalStatus()).toEqual({
        mechanism: 'store_setting',
        enabled: true,
        recentRunStatuses: [],
      });
      sim.maarg.setAutoApproveOrder('N');
      expect((await port().approvalStatus()).enabled).toBe(false);
      sim.maarg.setAutoApproveOrder('');
      expect((await port().approvalStatus()).enabled).toBeUndefined();
    });
  });

  describe('the import flows', () => {
    it('reports the realtime consumer and the fallback job as ok when they run clean', async () => {
      sim.maarg.addServiceJobRuns(realtimeConsumer, ['error', 'error', 'ok']);
      const health = await port().importFlowHealth();
      expect(health.map(({ flow, jobName, status }) => ({ flow, jobName, status }))).toEqual([
        { flow: 'realtime', jobName: realtimeConsumer, status: 'ok' },
        { flow: 'fallback', jobName: simFallbackJobName, status: 'ok' },
      ]);
      expect(health[0]?.lastRunAt).toBeTypeOf('number');
    });

    it('reports a paused consumer, failing fallback runs and a missing job, each with the fix', async () => {
      sim.maarg.setServiceJobPaused(realtimeConsumer, true);
      sim.maarg.addServiceJobRuns(simFallbackJobName, ['ok', 'error', 'error', 'error']);
      const [realtime, fallback] = await port().importFlowHealth();
      expect(realtime).toMatchObject({ status: 'paused', detail: expect.stringContaining('Resume it') });
      expect(fallback).toMatchObject({ status: 'failing', detail: expect.stringContaining('last 3 runs') });

      sim.maarg.removeServiceJob(realtimeConsumer);
      sim.maarg.removeServiceJob(simFallbackJobName);
      const missing = await port().importFlowHealth();
      expect(missing.map((flow) => flow.status)).toEqual(['missing', 'missing']);
      expect(missing[1]?.detail).toContain(sim.settings.systemMessageRemoteId);
    });
  });

  it('links to the order in Order Manager, or as HOTWAX_ORDER_URL_TEMPLATE says', () => {
    expect(port().orderUrl('M100 1')).toBe('https://order-manager.hotwax.io/orders/M100%201');
    expect(port({ orderUrlTemplate: 'https://om.acme.example/orders/{orderId}' }).orderUrl('M1')).toBe(
      'https://om.acme.example/orders/M1',
    );
  });
});
