import { createHmac } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ChecksumConstructor, HashConstructor } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { createDynamoDbClient, createSqsClient } from '../../shared/adapters/aws/clients.js';
import { Sha256 } from '../../shared/adapters/aws/signed-fetch.js';
import { hmacKey } from '../../shared/adapters/hmac-key.js';

const plainHmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest('hex');

describe('HMAC keys as KeyObjects (Node 24 costs five times as much with a Buffer key)', () => {
  it('are the same HMAC as with the raw key, for text, bytes, an ArrayBuffer and a view into a larger buffer', () => {
    const raw = Buffer.from('0123456789abcdef0123456789abcdef');
    const backing = new Uint8Array(64);
    backing.set(raw, 16);
    const view = new Uint8Array(backing.buffer, 16, raw.length);
    const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
    for (const key of ['a shared secret', '', raw, view, copy, new Uint8Array(0)]) {
      const expected = plainHmac(typeof key === 'string' ? key : Buffer.from(key as ArrayBuffer), 'message');
      expect(createHmac('sha256', hmacKey(key)).update('message').digest('hex')).toBe(expected);
    }
  });

  it('are made once per key bytes: the signer hands the same cached signing key to every request', () => {
    const signingKey = new Uint8Array(32).fill(7);
    expect(hmacKey(signingKey)).toBe(hmacKey(signingKey));
    expect(hmacKey(new Uint8Array(32).fill(7))).not.toBe(hmacKey(signingKey));
  });

  it("sign AWS requests exactly as the SDK's own hash does, request after request", async () => {
    const sdkDefault = new DynamoDBClient({ region: 'eu-west-1' }).config.sha256 as
      | ChecksumConstructor
      | HashConstructor;
    const signer = (sha256: ChecksumConstructor | HashConstructor) =>
      new SignatureV4({
        service: 'dynamodb',
        region: 'eu-west-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
        sha256,
      });
    const ours = signer(Sha256);
    const theirs = signer(sdkDefault);
    const signingDate = new Date('2026-12-03T10:00:00Z');
    for (const body of ['{"TableName":"orders"}', '{"TableName":"orders","Key":{}}']) {
      const request = {
        method: 'POST',
        protocol: 'https:',
        hostname: 'dynamodb.eu-west-1.amazonaws.com',
        path: '/',
        query: {},
        headers: { host: 'dynamodb.eu-west-1.amazonaws.com', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
        body,
      };
      const [a, b] = await Promise.all([
        ours.sign(request, { signingDate }),
        theirs.sign(request, { signingDate }),
      ]);
      expect(a.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
      expect(a.headers.authorization).toBe(b.headers.authorization);
    }
  });

  it('are what the DynamoDB and SQS clients sign with', () => {
    const endpoints = { AWS_REGION: 'eu-west-1' };
    expect(createDynamoDbClient(endpoints).config.sha256).toBe(Sha256);
    expect(createSqsClient(endpoints).config.sha256).toBe(Sha256);
  });
});
