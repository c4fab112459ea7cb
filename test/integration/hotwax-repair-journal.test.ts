import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHotwaxRepairJournal } from '../../shared/adapters/dynamo/hotwax-repair-journal.js';
import { createMaargHotwaxPort } from '../../shared/adapters/hotwax/maarg/maarg-port.js';
import type { HotwaxRepairJournal } from '../../shared/domain/ports.js';
import { type HotwaxSim, simFallbackJobName, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { createTestAws, type TestAws } from '../support/aws.js';

describe('the HotWax repair journal in DynamoDB', () => {
  let aws: TestAws;
  let journal: HotwaxRepairJournal;
  let sim: HotwaxSim;
  const parameters = [
    { parameterName: 'systemMessageRemoteId', parameterValue: 'REMOTE' },
    { parameterName: 'fromDate', parameterValue: null },
  ];

  beforeAll(async () => {
    [aws, sim] = await Promise.all([createTestAws(), startHotwaxSim({ backend: 'maarg' })]);
    journal = createHotwaxRepairJournal({ client: aws.doc, tableName: aws.tableName });
  });
  afterAll(async () => {
    aws.destroy();
    await sim.stop();
  });

  it('is one lock per shop: a second claim fails until the owner releases it', async () => {
    const shop = 'lock.myshopify.com';
    expect(await journal.claim({ shop, owner: 'a', claimedAt: 1 })).toBe(true);
    expect(await journal.claim({ shop, owner: 'b', claimedAt: 2 })).toBe(false);
    expect(await journal.claim({ shop: 'other.myshopify.com', owner: 'b', claimedAt: 2 })).toBe(true);
    await journal.release(shop, 'b'); // not b's: a no-op
    expect((await journal.get(shop))?.owner).toBe('a');
    await journal.release(shop, 'a');
    expect(await journal.get(shop)).toBeUndefined();
    expect(await journal.claim({ shop, owner: 'b', claimedAt: 3 })).toBe(true);
  });

  it('records the original parameters, null values included, only for the lock’s owner', async () => {
    const shop = 'record.myshopify.com';
    await journal.claim({ shop, owner: 'a', claimedAt: 10 });
    expect(await journal.record(shop, 'intruder', { jobName: 'job', originalParameters: parameters })).toBe(
      false,
    );
    expect(await journal.record(shop, 'a', { jobName: 'job', originalParameters: parameters })).toBe(true);
    expect(await journal.get(shop)).toEqual({
      shop,
      owner: 'a',
      claimedAt: 10,
      jobName: 'job',
      originalParameters: parameters,
    });
    expect(
      await journal.record('nobody.myshopify.com', 'a', { jobName: 'job', originalParameters: [] }),
    ).toBe(false);
  });

  it('lets a Maarg re-import swap and restore, and a crashed swap be recovered from it', async () => {
    const shop = 'maarg-dynamo.myshopify.com';
    let offset = 0;
    const options = {
      maargUrl: sim.url,
      apiToken: sim.settings.apiToken,
      shop,
      productStoreId: sim.settings.productStoreId,
      systemMessageRemoteId: sim.settings.systemMessageRemoteId,
      repairJournal: journal,
      now: () => Date.now() + offset,
    };
    await createMaargHotwaxPort(options).reimport({
      orders: [{ shopifyOrderId: '1', updatedAt: Date.now() }],
    });
    expect(await journal.get(shop)).toBeUndefined();

    sim.resetNext(1, { method: 'PUT', path: simFallbackJobName });
    // the swap's PUT never arrives; the restore does; the lock is free again
    await createMaargHotwaxPort(options)
      .reimport({ orders: [{ shopifyOrderId: '1', updatedAt: Date.now() }] })
      .catch(() => {});
    expect(await journal.get(shop)).toBeUndefined();

    // A swap whose restore never happened: the journal keeps what to put back.
    await journal.claim({ shop, owner: 'crashed', claimedAt: Date.now() });
    await journal.record(shop, 'crashed', {
      jobName: simFallbackJobName,
      originalParameters: [
        ...(sim.maarg.serviceJob(simFallbackJobName)?.parameters ?? []).filter(
          (p) => p.parameterName !== 'fromDate',
        ),
        { parameterName: 'fromDate', parameterValue: null },
      ],
    });
    offset = 10 * 60_000;
    expect(await createMaargHotwaxPort(options).recoverInterruptedRepairs()).toBe(1);
    expect(await journal.get(shop)).toBeUndefined();
  });
});
