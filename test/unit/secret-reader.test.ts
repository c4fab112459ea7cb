import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretReader } from '../../shared/adapters/aws/secret-reader.js';
import { mergeSecrets } from '../../shared/config/load-env.js';

const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
let endpoint: string;
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    seen.push({ headers: request.headers, body });
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    response.end(JSON.stringify({ SecretString: JSON.stringify({ SHOPIFY_WEBHOOK_SECRET: 'rotated' }) }));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the webhook secret reader', () => {
  it('asks Secrets Manager for the secret with a SigV4-signed GetSecretValue and merges its keys', async () => {
    let now = 0;
    const read = createSecretReader({
      region: 'us-east-1',
      endpoint,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
      now: () => now,
    });
    const env = await mergeSecrets(
      {
        CONFIG_SECRET_ARNS: 'arn:aws:secretsmanager:us-east-1:1:secret:webhook',
        SHOPIFY_WEBHOOK_SECRET: 'old',
      },
      300,
      read,
    );
    expect(env.SHOPIFY_WEBHOOK_SECRET).toBe('rotated');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/,
    );
    expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual({
      SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:webhook',
    });

    // Cached for the age asked, then read again (a rotated secret is picked up).
    await read('arn:aws:secretsmanager:us-east-1:1:secret:webhook', 300);
    expect(seen).toHaveLength(1);
    now = 301_000;
    await read('arn:aws:secretsmanager:us-east-1:1:secret:webhook', 300);
    expect(seen).toHaveLength(2);
  });
});
