import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsJsonClient, retryPolicy } from '../../shared/adapters/aws/aws-json-client.js';

/** A JSON-RPC endpoint that answers from a script, one answer per request, and records what it was sent. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';
let script: Answer[] = [];
let received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    const answer = script.shift() ?? { status: 200, body: {} };
    if (answer === 'hang') return;
    response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
    response.end(JSON.stringify(answer.body ?? {}));
  });
});
let endpoint: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A client whose waits are recorded instead of slept, with the jitter at its maximum. */
const client = (config: { maxAttempts?: number; requestTimeout?: number; endpoint?: string } = {}) => {
  const waits: number[] = [];
  const transport = createAwsJsonClient(
    {
      region: 'us-east-1',
      endpoint: config.endpoint ?? endpoint,
      maxAttempts: config.maxAttempts ?? 3,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      ...(config.requestTimeout ? { requestHandler: { requestTimeout: config.requestTimeout } } : {}),
    },
    {
      service: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      contentType: 'application/x-amz-json-1.0',
      defaultEndpoint: () => endpoint,
      retryableErrors: new Set(['ReplicatedWriteConflictException']),
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.999,
    },
  );
  return { transport, waits };
};

const failure = (type: string, status = 400) => ({
  status,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `${type} happened` },
});

const rejection = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
};

describe('the lean AWS JSON client', () => {
  it('sends one signed JSON-RPC request per operation', async () => {
    script = [{ status: 200, body: { Item: { pk: { S: 'a' } } }, headers: { 'x-amzn-requestid': 'REQ1' } }];
    received = [];
    const output = await client().transport.call('GetItem', { TableName: 't', Key: { pk: { S: 'a' } } });

    expect(output).toEqual({
      Item: { pk: { S: 'a' } },
      $metadata: { httpStatusCode: 200, requestId: 'REQ1', attempts: 1, totalRetryDelay: 0 },
    });
    const [request] = received;
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({ TableName: 't', Key: { pk: { S: 'a' } } });
  });

  it("signs with the Lambda environment's credentials when given none, its session token included", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_SESSION_TOKEN: 'env-session-token',
    });
    try {
      script = [{ status: 200 }];
      received = [];
      const transport = createAwsJsonClient(
        { region: 'eu-west-1', endpoint },
        {
          service: 'sqs',
          targetPrefix: 'AmazonSQS',
          contentType: 'application/x-amz-json-1.0',
          defaultEndpoint: () => endpoint,
        },
      );
      await transport.call('SendMessage', { QueueUrl: `${endpoint}/1/q`, MessageBody: '{}' });
      expect(received[0]?.headers['x-amz-security-token']).toBe('env-session-token');
      expect(received[0]?.headers.authorization).toContain('Credential=ASIAENVEXAMPLE/');
      expect(received[0]?.headers.authorization).toContain('/eu-west-1/sqs/aws4_request');
    } finally {
      process.env = saved;
    }
  });

  it('retries throttling with the throttling backoff, then fails with the last error and its attempts', async () => {
    script = [
      failure('ProvisionedThroughputExceededException'),
      failure('ThrottlingException'),
      failure('ThrottlingException'),
    ];
    received = [];
    const { transport, waits } = client();
    const error = await rejection(transport.call('PutItem', {}));

    expect(received).toHaveLength(3);
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('ThrottlingException happened');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
    // Full jitter under min(base · 2^retry, 20 s), the base 1 s for throttling.
    expect(waits).toEqual([999, 1998]);
  });

  it('retries 5xx, timeouts and refused connections as transient, with the short backoff', async () => {
    script = [failure('InternalServerError', 500), 'hang', { status: 200, body: { Attributes: {} } }];
    received = [];
    const { transport, waits } = client({ maxAttempts: 4, requestTimeout: 200 });
    const output = await transport.call('UpdateItem', {});
    expect(output.$metadata).toMatchObject({ attempts: 3 });
    expect(waits).toEqual([49, 99]);

    const closed = client({ endpoint: 'http://127.0.0.1:9' });
    const refused = await rejection(closed.transport.call('GetItem', {}));
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(refused.$metadata).toMatchObject({ attempts: 3 });
  });

  it('honours the retry hint the service sends', async () => {
    script = [
      { ...failure('ThrottlingException'), headers: { 'x-amz-retry-after': '1500' } },
      { status: 200 },
    ];
    const { transport, waits } = client();
    await transport.call('PutItem', {});
    expect(waits).toEqual([1500]);
  });

  it('does not retry what another attempt cannot fix: a failed condition, a validation error', async () => {
    for (const type of ['ConditionalCheckFailedException', 'ValidationException']) {
      script = [failure(type)];
      received = [];
      const error = await rejection(client().transport.call('PutItem', {}));
      expect(received).toHaveLength(1);
      expect(error).toMatchObject({ name: type, $fault: 'client', $metadata: { attempts: 1 } });
    }
  });

  it('retries an error the service marks retryable', async () => {
    script = [failure('ReplicatedWriteConflictException'), { status: 200 }];
    const { transport } = client();
    expect((await transport.call('PutItem', {})).$metadata.attempts).toBe(2);
  });

  it('stops retrying once the retry quota is spent, and earns it back with successes', async () => {
    const { transport } = client();
    const perCall = 2 * retryPolicy.transientCost;
    const calls = Math.floor(retryPolicy.quota / perCall);
    for (let call = 0; call < calls; call++) {
      script = [
        failure('InternalServerError', 500),
        failure('InternalServerError', 500),
        failure('InternalServerError', 500),
      ];
      await rejection(transport.call('PutItem', {}));
    }
    // What is left pays for one more retry, then none.
    script = [
      failure('InternalServerError', 500),
      failure('InternalServerError', 500),
      failure('InternalServerError', 500),
    ];
    received = [];
    await rejection(transport.call('PutItem', {}));
    expect(received).toHaveLength(2);
    script = [failure('InternalServerError', 500), { status: 200 }];
    received = [];
    await rejection(transport.call('PutItem', {}));
    expect(received).toHaveLength(1);

    script = [];
    for (let success = 0; success < retryPolicy.transientCost; success++) await transport.call('GetItem', {});
    script = [failure('InternalServerError', 500), { status: 200 }];
    expect((await transport.call('PutItem', {})).$metadata.attempts).toBe(2);
  });
});
