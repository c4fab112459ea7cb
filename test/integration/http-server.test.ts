import type { Server } from 'node:http';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../local/http-server.js';

/** `npm start`'s HTTP server in front of stand-in handlers: what it answers on its own (#11 §7, §10). */
let server: Server & { url: string };
const seen: Array<{ route: string; bytes: number; id?: string }> = [];

beforeAll(async () => {
  server = await startHttpServer(
    {
      webhook: async (event) => {
        seen.push({ route: event.routeKey, bytes: Buffer.from(event.body ?? '', 'base64').length });
        return { statusCode: 200, body: '{"status":"recorded"}' };
      },
      api: async (event) => {
        const id = event.pathParameters?.shopifyOrderId;
        seen.push({ route: event.routeKey, bytes: 0, ...(id ? { id } : {}) });
        if (id === 'boom') throw new Error('secret internals: table orders-xyz at 10.0.0.1');
        return { statusCode: 200, body: '{}' };
      },
    },
    0,
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw request, so paths go out exactly as written (fetch would normalise them). */
const raw = (method: string, path: string, body?: Buffer) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { port } = new URL(server.url);
    const call = request(
      { host: '127.0.0.1', port, method, path, headers: body ? { 'content-length': body.length } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    call.on('error', reject);
    call.end(body);
  });

describe("npm start's HTTP server", () => {
  it.each(['/orders/%', '/orders/%zz', '/orders/%E0%A4%A'])(
    'answers %s with 400, naming no internals',
    async (path) => {
      const response = await raw('GET', path);
      expect(response).toEqual({ status: 400, body: '{"error":"malformed percent-encoding in the path"}' });
    },
  );

  it('answers 413 to a body over the limit instead of resetting the connection', async () => {
    const response = await raw('POST', '/webhooks/shopify', Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'payload too large' });
    expect(seen.filter((call) => call.bytes > 10 * 1024 * 1024)).toEqual([]);
  });

  it('still takes a body at the limit', async () => {
    const response = await raw('POST', '/webhooks/shopify', Buffer.alloc(10 * 1024 * 1024, 0x61));
    expect(response.status).toBe(200);
  });

  it('answers 500 without the error message when a handler throws', async () => {
    const response = await raw('GET', '/orders/boom');
    expect(response).toEqual({ status: 500, body: '{"error":"internal error"}' });
  });

  it('hands the decoded id to the handler', async () => {
    await raw('GET', '/orders/%31%32%33');
    expect(seen.at(-1)).toMatchObject({ id: '123' });
  });
});
