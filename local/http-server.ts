import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface Routes {
  webhook: HttpHandler;
  api: HttpHandler;
  /** POST /slack/actions and /slack/commands (absent: 404, as without a Slack app) */
  slack?: HttpHandler;
}

/** Shopify's webhooks are small, but the monitor accepts what API Gateway would (10 MB). */
const maxBodyBytes = 10 * 1024 * 1024;

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

/**
 * The body, or PayloadTooLargeError past the limit. The rest of an oversized body is read and dropped (up to the
 * limit again) so the client receives the 413 instead of a reset connection; beyond that the socket is closed.
 */
const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(request.headers['content-length'] ?? 0);
    let tooLarge = declared > maxBodyBytes;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > 2 * maxBodyBytes) request.destroy();
    });
    request.on('end', () =>
      tooLarge ? reject(new PayloadTooLargeError('payload too large')) : resolve(Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });

/** A path API Gateway would not route: its percent-encoding does not decode. */
class MalformedPathError extends Error {
  override name = 'MalformedPathError';
}

const decodePathParameter = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    throw new MalformedPathError('malformed percent-encoding in the path', { cause: error });
  }
};

/** The same event API Gateway's HTTP API hands the Lambda (payload v2); the body goes base64 to keep its bytes. */
const toEvent = (
  request: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters?: Record<string, string>,
) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now().toString(36)}`,
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    isBase64Encoded: body.length > 0,
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
  };
  return event;
};

/** The public routes of DESIGN.md, served by the Lambda handlers themselves. */
export const startHttpServer = async (routes: Routes, port: number): Promise<Server & { url: string }> => {
  const server = createServer(async (request, response) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
    try {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const orderMatch = /^\/orders\/([^/]+)$/.exec(path);
      const timelineMatch = /^\/orders\/([^/]+)\/timeline$/.exec(path);
      let result: APIGatewayProxyStructuredResultV2;
      if (request.method === 'POST' && path === '/webhooks/shopify') {
        const body = await readBody(request);
        result = (await routes.webhook(
          toEvent(request, body, 'POST /webhooks/shopify'),
          lambdaContext('webhook'),
        )) as APIGatewayProxyStructuredResultV2;
      } else if (request.method === 'GET' && path === '/health') {
        result = (await routes.api(
          toEvent(request, Buffer.alloc(0), 'GET /health'),
          lambdaContext('api'),
        )) as APIGatewayProxyStructuredResultV2;
      } else if (request.method === 'POST' && /^\/slack\/(actions|commands)$/.test(path) && routes.slack) {
        const body = await readBody(request);
        result = (await routes.slack(
          toEvent(request, body, `POST ${path}`),
          lambdaContext('slack'),
        )) as APIGatewayProxyStructuredResultV2;
      } else if (request.method === 'GET' && timelineMatch?.[1]) {
        result = (await routes.api(
          toEvent(request, Buffer.alloc(0), 'GET /orders/{shopifyOrderId}/timeline', {
            shopifyOrderId: decodeURIComponent(timelineMatch[1]),
          }),
          lambdaContext('api'),
        )) as APIGatewayProxyStructuredResultV2;
      } else if (request.method === 'GET' && orderMatch?.[1]) {
        result = (await routes.api(
          toEvent(request, Buffer.alloc(0), 'GET /orders/{shopifyOrderId}', {
            shopifyOrderId: decodePathParameter(orderMatch[1]),
          }),
          lambdaContext('api'),
        )) as APIGatewayProxyStructuredResultV2;
      } else {
        return send(404, JSON.stringify({ error: `no route ${request.method} ${path}` }));
      }
      send(result.statusCode ?? 200, result.body ?? '', (result.headers as Record<string, string>) ?? {});
    } catch (error) {
      // Only the client's own mistakes are named; anything else is ours and stays in our logs.
      if (error instanceof PayloadTooLargeError) {
        return send(413, JSON.stringify({ error: 'payload too large' }), { connection: 'close' });
      }
      if (error instanceof MalformedPathError) return send(400, JSON.stringify({ error: error.message }));
      process.stderr.write(`http-server: ${(error as Error)?.stack ?? String(error)}\n`);
      if (!response.headersSent) send(500, JSON.stringify({ error: 'internal error' }));
      else response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return Object.assign(server, { url: `http://127.0.0.1:${actual}` });
};
