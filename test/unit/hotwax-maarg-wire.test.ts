import { describe, expect, it } from 'vitest';
import { matchFailedRecords, redactRecordValues } from '../../shared/adapters/hotwax/failed-records.js';
import { maargErrorsOf, normalizeMaargUrl } from '../../shared/adapters/hotwax/maarg/maarg-http.js';
import {
  isShopFallbackSync,
  toJobTimestamp,
  toServiceJob,
  withFromDate,
} from '../../shared/adapters/hotwax/maarg/service-jobs.js';
import { toEpochMs, toHotwaxOrder } from '../../shared/adapters/hotwax/values.js';
import { parseHotwaxBody, parseJsonLossless } from '../../shared/adapters/hotwax/wire.js';

describe('Maarg wire details', () => {
  it('formats the fallback job fromDate as yyyy-MM-dd HH:mm:ss in UTC', () => {
    expect(toJobTimestamp(Date.UTC(2026, 6, 4, 3, 2, 1, 999))).toBe('2026-07-04 03:02:01');
  });

  it('swaps fromDate in the whole parameter set, adding it when absent', () => {
    const set = [
      { parameterName: 'systemMessageRemoteId', parameterValue: 'R' },
      { parameterName: 'fromDate', parameterValue: '2026-01-01 00:00:00' },
    ];
    expect(withFromDate(set, '2026-02-02 00:00:00')).toEqual([
      { parameterName: 'systemMessageRemoteId', parameterValue: 'R' },
      { parameterName: 'fromDate', parameterValue: '2026-02-02 00:00:00' },
    ]);
    expect(withFromDate(set.slice(0, 1), null)).toEqual([
      ...set.slice(0, 1),
      { parameterName: 'fromDate', parameterValue: null },
    ]);
    expect(set[1]?.parameterValue).toBe('2026-01-01 00:00:00');
  });

  it("matches the shop's fallback sync by its parameters only", () => {
    const job = (parameters: Record<string, string>, jobName = 'anything') =>
      toServiceJob({
        jobName,
        paused: 'N',
        serviceJobParameters: Object.entries(parameters).map(([parameterName, parameterValue]) => ({
          parameterName,
          parameterValue,
        })),
      });
    const ours = { systemMessageRemoteId: 'R1', systemMessageTypeId: 'ShopifyOrderSync', runAsBatch: 'true' };
    expect(isShopFallbackSync(job(ours, 'queue_ShopifyOrderSync_SHOP2') ?? never(), 'R1')).toBe(true);
    expect(
      isShopFallbackSync(
        job({ ...ours, systemMessageRemoteId: 'R2' }, 'queue_ShopifyOrderSync_R1') ?? never(),
        'R1',
      ),
    ).toBe(false);
    expect(isShopFallbackSync(job({ ...ours, runAsBatch: 'false' }) ?? never(), 'R1')).toBe(false);
    expect(isShopFallbackSync(job({ ...ours, systemMessageTypeId: 'Other' }) ?? never(), 'R1')).toBe(false);
  });

  it('normalizes a Maarg URL the way HotWax apps do', () => {
    expect(normalizeMaargUrl('https://acme-maarg.hotwax.io/rest/s1/')).toBe('https://acme-maarg.hotwax.io');
    expect(normalizeMaargUrl('acme-maarg')).toBe('https://acme-maarg.hotwax.io');
    expect(normalizeMaargUrl('http://localhost:8080/')).toBe('http://localhost:8080');
  });

  it("reads Moqui's errors as a string or a list", () => {
    expect(maargErrorsOf({ errorCode: 400, errors: 'bad' })).toBe('bad');
    expect(maargErrorsOf({ errors: ['one', 'two'] })).toBe('one; two');
    expect(maargErrorsOf({ errors: '' })).toBeUndefined();
    expect(maargErrorsOf([])).toBeUndefined();
  });
});

describe('ids stay text', () => {
  it('parses an externalId beyond 2^53 without losing a digit', () => {
    const parsed = parseJsonLossless(
      '[{"orderId":"M1","externalId":12345678901234567891,"statusId":"ORDER_CREATED"}]',
    );
    const order = toHotwaxOrder((parsed as Record<string, unknown>[])[0] ?? {});
    expect(order?.externalId).toBe('12345678901234567891');
    const body = parseHotwaxBody('{"docs":[{"externalId":98765432109876543210}]}');
    expect(body.kind === 'ok' && (body.body.docs as Record<string, unknown>[])[0]?.externalId).toBe(
      '98765432109876543210',
    );
  });

  it('finds an order in a failed-record file by an id too big for a number', () => {
    const file = '[{"id":12345678901234567891,"_ERROR_MESSAGE_":"Phone is missing"}]';
    expect(matchFailedRecords(file, new Set(['12345678901234567891']))).toEqual(
      new Map([['12345678901234567891', 'Phone is missing']]),
    );
  });

  it('reads Moqui and OFBiz timestamps as UTC epoch ms', () => {
    expect(toEpochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(toEpochMs('2026-01-02 03:04:05.0')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(toEpochMs('1700000000000')).toBe(1_700_000_000_000);
  });
});

describe('no customer data in error texts', () => {
  const record = {
    id: 'gid://shopify/Order/5001',
    email: 'ann.smith@example.com',
    customer: { firstName: 'Ann', lastName: 'Smithers', phone: 15550100123 },
    shippingAddress: { address1: '7 Elm Row', zip: '90210', country: 'US' },
    source_name: 'web',
    _ERROR_MESSAGE_: 'x',
  };

  it("cuts out every value the record itself holds, whatever the message's wording", () => {
    const text = redactRecordValues(
      'Customer Ann Smithers (ann.smith@example.com, 15550100123) at 7 Elm Row 90210: address is incomplete for web order 5001',
      record,
      new Set(['5001']),
    );
    expect(text).toBe('Customer […] […] ([…], […]) at […] […]: address is incomplete for web order 5001');
  });

  it('keeps the wording the classifier reads', () => {
    expect(
      redactRecordValues('E-mail address not formatted correctly, must be like: name@domain', record),
    ).toBe('E-mail address not formatted correctly, must be like: name@domain');
    expect(redactRecordValues('mail to someone.else@example.org failed', {})).toBe('mail to […] failed');
  });
});

const never = (): never => {
  throw new Error('expected a job');
};
