import { describe, expect, it } from 'vitest';
import { parseHotwaxBody, parseHotwaxFile, serializeParams } from '../../shared/adapters/hotwax/wire.js';

describe('serializeParams', () => {
  it('sends inputFields as one JSON-encoded string, as @hotwax/oms-api does', () => {
    expect(serializeParams({ inputFields: { externalId: '12345' } })).toBe(
      'inputFields=%7B%22externalId%22%3A%2212345%22%7D',
    );
  });

  it('repeats the key of a top-level array', () => {
    expect(serializeParams({ fieldList: ['orderId', 'statusId'] })).toBe(
      'fieldList=orderId&fieldList=statusId',
    );
  });

  it('keeps arrays inside inputFields inside its JSON', () => {
    const query = serializeParams({ inputFields: { externalId: ['1', '2'], externalId_op: 'in' } });
    expect(new URLSearchParams(query).getAll('inputFields')).toEqual([
      '{"externalId":["1","2"],"externalId_op":"in"}',
    ]);
  });

  it('encodes spaces as %20 and leaves out undefined values', () => {
    expect(serializeParams({ orderBy: 'createdDate DESC', viewSize: 50, viewIndex: undefined })).toBe(
      'orderBy=createdDate%20DESC&viewSize=50',
    );
  });

  it('round-trips through a standard query-string parser', () => {
    const params = new URLSearchParams(
      serializeParams({
        entityName: 'OrderHeader',
        inputFields: { externalId: ["5'1&2"], externalId_op: 'in' },
        fieldList: ['orderId', 'externalId'],
        noConditionFind: 'Y',
      }),
    );
    expect(params.get('entityName')).toBe('OrderHeader');
    expect(JSON.parse(params.get('inputFields') ?? '')).toEqual({
      externalId: ["5'1&2"],
      externalId_op: 'in',
    });
    expect(params.getAll('fieldList')).toEqual(['orderId', 'externalId']);
  });
});

describe('parseHotwaxBody', () => {
  it('accepts a JSON object without error keys', () => {
    expect(parseHotwaxBody('{"docs":[],"count":0}')).toEqual({ kind: 'ok', body: { docs: [], count: 0 } });
  });

  it.each([
    ['_ERROR_MESSAGE_', '{"_ERROR_MESSAGE_":"Service failed"}', 'Service failed'],
    ['_ERROR_MESSAGE_LIST_', '{"_ERROR_MESSAGE_LIST_":["first",{"message":"second"}]}', 'first; second'],
    ['error', '{"error":"Something broke"}', 'Something broke'],
  ])('treats %s inside a 200 as an error', (_key, text, message) => {
    expect(parseHotwaxBody(text)).toMatchObject({ kind: 'error', message });
  });

  it('treats an HTML page inside a 200 as an error', () => {
    expect(parseHotwaxBody('<!DOCTYPE html><html><body>Login</body></html>')).toMatchObject({
      kind: 'error',
      notJson: true,
    });
  });

  it('treats JSON that is not an object as an error', () => {
    expect(parseHotwaxBody('[1,2]')).toMatchObject({ kind: 'error' });
  });

  it('reads "No record found" as an empty result only where finds allow it', () => {
    expect(parseHotwaxBody('{"error":"No record found"}', { allowNoRecord: true })).toEqual({
      kind: 'empty',
    });
    expect(parseHotwaxBody('{"error":"No record found"}')).toMatchObject({ kind: 'error' });
  });

  it('does not mistake an empty error list or a false error flag for an error', () => {
    expect(parseHotwaxBody('{"_ERROR_MESSAGE_LIST_":[],"error":false,"ok":1}')).toMatchObject({ kind: 'ok' });
  });
});

describe('parseHotwaxFile', () => {
  it('accepts a JSON array and plain CSV as content', () => {
    expect(parseHotwaxFile('[{"id":1}]')).toEqual({ kind: 'ok', text: '[{"id":1}]' });
    expect(parseHotwaxFile('a,b\n1,2')).toMatchObject({ kind: 'ok' });
  });

  it('rejects an HTML page or a JSON error object', () => {
    expect(parseHotwaxFile('<html><body>Login</body></html>')).toMatchObject({ kind: 'error' });
    expect(parseHotwaxFile('{"_ERROR_MESSAGE_":"DataResource not found"}')).toMatchObject({
      kind: 'error',
      message: 'DataResource not found',
    });
  });
});
