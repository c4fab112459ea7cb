import type { IncomingHttpHeaders } from 'node:http';

/**
 * One HTTP exchange over node:http/https with keep-alive agents, as the SDK's node-http-handler sends (50 sockets).
 * Not `fetch`: Node loads undici, its implementation, on the first call, ~30 ms the first delivery after a cold
 * start would pay. And node:http by `getBuiltinModule`, not `import`: the ESM facade of node:http reads every
 * export, and its lazy `WebSocket` getter loads undici all the same (Node 24).
 */
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 50 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request that took longer than its limit; `TimeoutError` is the name the SDK's retry classes as transient. */
export class RequestTimeoutError extends Error {
  override name = 'TimeoutError';
}

export const sendHttp = (
  url: URL,
  request: { method: string; headers: Record<string, string>; body: string | Uint8Array; timeoutMs: number },
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const outgoing = (secure ? https : http).request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        agent: secure ? agents.https : agents.http,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    const timer = setTimeout(
      () =>
        outgoing.destroy(
          new RequestTimeoutError(`no answer from ${url.host} within ${request.timeoutMs} ms`),
        ),
      request.timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(request.body);
  });
