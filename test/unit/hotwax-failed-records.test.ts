import { describe, expect, it } from 'vitest';
import {
  errorTextOfRecord,
  matchFailedRecords,
  noErrorTextFound,
  parseCsv,
  parseFailedRecords,
} from '../../shared/adapters/hotwax/failed-records.js';

const wanted = new Set(['5123456789']);
const csvCell = (value: string) => `"${value.replaceAll('"', '""')}"`;

describe('matchFailedRecords', () => {
  it.each([
    ['the id as a number', [{ id: 5123456789, _ERROR_MESSAGE_: 'Phone number is missing' }]],
    ['the id as a string', [{ id: '5123456789', errorMessage: 'Phone number is missing' }]],
    ['a gid', [{ admin_graphql_api_id: 'gid://shopify/Order/5123456789', error: 'Phone number is missing' }]],
    ['order.id', [{ order: { id: 5123456789, name: '#1042' }, message: 'Phone number is missing' }]],
    [
      'a JSON string inside the record',
      [{ payload: '{"id":5123456789}', errors: ['Phone number is missing'] }],
    ],
    ['free text', [{ note: 'order 5123456789 could not be created', reason: 'Phone number is missing' }]],
  ])('finds the order named by %s and reads its error', (_how, records) => {
    expect(matchFailedRecords(JSON.stringify(records), wanted).get('5123456789')).toBe(
      'Phone number is missing',
    );
  });

  it('finds only the wanted order among other failed records', () => {
    const file = JSON.stringify([
      { id: 5000000000001, _ERROR_MESSAGE_: 'Connection timeout' },
      { id: 5123456789, _ERROR_MESSAGE_: 'Valid fields are missing in order JSON' },
    ]);
    const found = matchFailedRecords(file, new Set(['5123456789', '5999999999999']));
    expect([...found]).toEqual([['5123456789', 'Valid fields are missing in order JSON']]);
  });

  it('does not match an id that is only part of a longer number, such as a line item id', () => {
    const file = JSON.stringify([{ id: 1, line_items: [{ id: 51234567890 }], note: 'ref 51234567891' }]);
    expect(matchFailedRecords(file, wanted).size).toBe(0);
  });

  it("prefers the record's own order id over an order it merely mentions", () => {
    const file = JSON.stringify([
      { id: 5123456789, errorMessage: 'own failure' },
      { id: 5222222222, note: 'see 5123456789', errorMessage: 'other failure' },
    ]);
    const found = matchFailedRecords(file, new Set(['5123456789', '5222222222']));
    expect(found.get('5123456789')).toBe('own failure');
    expect(found.get('5222222222')).toBe('other failure');
  });

  it('reads JSON lines', () => {
    const file = `${JSON.stringify({ id: 1, errorMessage: 'x' })}\n${JSON.stringify({ id: 5123456789, errorMessage: 'E-mail address not formatted correctly' })}\n`;
    expect(matchFailedRecords(file, wanted).get('5123456789')).toBe('E-mail address not formatted correctly');
  });

  it('reads a CSV whose cells hold JSON', () => {
    const payload = JSON.stringify({ id: 5123456789, name: '#1042', note: 'a, "quoted" note' });
    const file = `payload,errorMessage\n${csvCell(payload)},${csvCell('Rollback called in Entity Engine SQLProcessor')}\n`;
    expect(matchFailedRecords(file, wanted).get('5123456789')).toBe(
      'Rollback called in Entity Engine SQLProcessor',
    );
  });

  it('says so when a record names the order but carries no message field', () => {
    expect(matchFailedRecords(JSON.stringify([{ id: 5123456789 }]), wanted).get('5123456789')).toBe(
      noErrorTextFound,
    );
  });

  it('reads field-keyed errors as text', () => {
    expect(errorTextOfRecord({ id: 1, errors: { phone: ["can't be blank"] } })).toBe("phone: can't be blank");
  });

  it('prefers a message at the top of the record over one inside the order payload', () => {
    expect(errorTextOfRecord({ order: { message: 'inner' }, _ERROR_MESSAGE_: 'outer' })).toBe('outer');
  });
});

describe('parseFailedRecords', () => {
  it('unwraps a JSON array, a records container, and a single object', () => {
    expect(parseFailedRecords('[{"a":1},{"a":2}]')).toHaveLength(2);
    expect(parseFailedRecords('{"records":[{"a":1},{"a":2}]}')).toHaveLength(2);
    expect(parseFailedRecords('{"a":1}')).toHaveLength(1);
    expect(parseFailedRecords('  ')).toEqual([]);
  });
});

describe('parseCsv', () => {
  it('handles quoted delimiters, doubled quotes and newlines in cells', () => {
    expect(parseCsv('a,b\n"x,1","say ""hi""\nthere"\r\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'say "hi"\nthere'],
    ]);
  });
});
