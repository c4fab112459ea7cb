import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { envCredentials } from './env-credentials.js';
import type { HttpAnswer } from './node-http.js';
import { Sha256, sendSigned } from './signed-fetch.js';

/**
 * The parts of an SDK v3 client's configuration the webhook's clients are built with (`clients.ts`): the same
 * object is accepted, so the wiring does not know which client it got.
 */
export interface AwsJsonClientConfig {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  requestHandler?: { connectionTimeout?: number; requestTimeout?: number };
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The `$metadata` the SDK puts on every output and error. */
export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts: number;
  totalRetryDelay: number;
}

/** A service's error as the SDK throws it: `name` is the error shape (`ConditionalCheckFailedException`), its members own properties. */
export class AwsServiceError extends Error {
  $fault: 'client' | 'server' = 'client';
  $metadata: ResponseMetadata = { attempts: 1, totalRetryDelay: 0 };
  $retryable?: { throttling?: boolean };
  [member: string]: unknown;
}

/** A command the lean clients do not carry: the webhook bundle refuses it rather than send it half-right. */
export class UnsupportedCommandError extends Error {
  override name = 'UnsupportedCommandError';
}

/**
 * A command class of the SDK that the webhook bundle does not carry: its adapters import it (other functions send
 * it), the webhook never does, so sending it throws UnsupportedCommandError instead of going out untested.
 */
export const refusedCommand = (command: string) =>
  class {
    constructor(readonly input: unknown) {}
    readonly refused = command;
  };

/**
 * The SDK's standard retry mode as @smithy/core 3.41.1 implements it (`retry/util-retry/StandardRetryStrategy.js`,
 * `retries-2026-config.js`, `service-error-classification/constants.js`): which errors are retried, the full-jitter
 * backoff with its bases, and the client-wide retry quota that stops retry storms when a service is down.
 */
const throttlingCodes = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const transientCodes = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const transientStatus = new Set([500, 502, 503, 504]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
export const retryPolicy = {
  delayBaseMs: 50,
  throttlingDelayBaseMs: 1_000,
  maxDelayMs: 20_000,
  quota: 500,
  transientCost: 14,
  throttlingCost: 5,
  successRefund: 1,
};

type ErrorClass = 'THROTTLING' | 'TRANSIENT' | 'OTHER';

const classify = (error: unknown, depth = 0): ErrorClass => {
  const candidate = error as {
    name?: string;
    code?: string;
    cause?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  if (!candidate || typeof candidate !== 'object') return 'OTHER';
  const status = candidate.$metadata?.httpStatusCode ?? 0;
  if (status === 429 || throttlingCodes.has(candidate.name ?? '') || candidate.$retryable?.throttling)
    return 'THROTTLING';
  if (candidate.name === 'AbortError') return 'OTHER';
  if (
    candidate.$retryable ||
    transientCodes.has(candidate.name ?? '') ||
    networkCodes.has(candidate.code ?? '') ||
    transientStatus.has(status)
  )
    return 'TRANSIENT';
  return candidate.cause !== undefined && depth <= 10 ? classify(candidate.cause, depth + 1) : 'OTHER';
};

/** `x-amz-retry-after` (milliseconds) or a `retry-after` in seconds: the service's own hint for the next attempt. */
const retryAfterMs = (headers: HttpAnswer['headers']): number | undefined => {
  const amz = Number(headers['x-amz-retry-after'] ?? Number.NaN);
  if (Number.isFinite(amz)) return amz;
  const seconds = Number(headers['retry-after'] ?? Number.NaN);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
};

const header = (response: HttpAnswer, name: string): string | undefined => {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → the shape name, as the SDK sanitizes it. */
const errorCode = (raw: string) => {
  let code = raw.split(',')[0] ?? raw;
  code = code.split(':')[0] ?? code;
  return code.includes('#') ? (code.split('#')[1] ?? code) : code;
};

export interface AwsJsonClientOptions {
  /** SigV4 service name and JSON-RPC target prefix, e.g. `dynamodb` / `DynamoDB_20120810` */
  service: string;
  targetPrefix: string;
  /** `application/x-amz-json-1.0` for DynamoDB and SQS */
  contentType: string;
  /** the regional endpoint when the config names none */
  defaultEndpoint: (region: string) => string;
  /** extra headers of the protocol (SQS's `x-amzn-query-mode`) */
  headers?: Record<string, string>;
  /** error shapes the service marks retryable (`$retryable` in the SDK's models) */
  retryableErrors?: ReadonlySet<string>;
  /** how a retry waits (tests pass one that records and skips the wait) */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Given credentials, or the Lambda environment's (the SDK's default chain, as the webhook bundle carries it). */
const credentialsProvider = (
  credentials: AwsJsonClientConfig['credentials'],
): AwsCredentialIdentityProvider => {
  if (typeof credentials === 'function') return credentials;
  if (credentials) return async () => credentials;
  return envCredentials();
};

/**
 * An AWS JSON-RPC client (awsJson1_0: DynamoDB, SQS) that sends one operation as the SDK does: SigV4 by the SDK's
 * own signer, the standard retry mode, the SDK's error shapes. It carries no service model, so the webhook
 * function's bundle is a few KiB instead of the SDK clients' ~200 KiB and their parse and set-up at cold start.
 */
export const createAwsJsonClient = (config: AwsJsonClientConfig, options: AwsJsonClientOptions) => {
  const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const credentials = credentialsProvider(config.credentials);
  const maxAttempts = config.maxAttempts ?? 3;
  const timeoutMs =
    (config.requestHandler?.connectionTimeout ?? 0) + (config.requestHandler?.requestTimeout ?? 0) || 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  let signer: SignatureV4 | undefined;
  let capacity = retryPolicy.quota;

  const attempt = async (url: URL, operation: string, body: string) => {
    signer ??= new SignatureV4({ service: options.service, region, credentials, sha256: Sha256 });
    const response = await sendSigned(signer, url, {
      method: 'POST',
      headers: {
        'content-type': options.contentType,
        'x-amz-target': `${options.targetPrefix}.${operation}`,
        ...options.headers,
      },
      body,
      timeoutMs,
    });
    const text = response.body.toString('utf8');
    const requestId = header(response, 'x-amzn-requestid');
    const ok = response.status >= 200 && response.status < 300;
    let data: Record<string, unknown>;
    try {
      data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch (error) {
      // A proxy's 502 page is still a 502 (retried); a 200 that is not JSON is not an answer.
      if (ok) throw error;
      data = { message: text.slice(0, 200) };
    }
    if (ok) return { data, status: response.status, requestId };
    const code = errorCode(
      String(data.__type ?? data.code ?? header(response, 'x-amzn-errortype') ?? 'Unknown'),
    );
    const { __type: _type, message, ...members } = data;
    const error = Object.assign(
      new AwsServiceError(String(message ?? data.Message ?? 'UnknownError')),
      members,
    );
    error.name = code;
    error.$fault = response.status >= 500 ? 'server' : 'client';
    error.$metadata = {
      httpStatusCode: response.status,
      ...(requestId ? { requestId } : {}),
      attempts: 1,
      totalRetryDelay: 0,
    };
    if (options.retryableErrors?.has(code)) error.$retryable = {};
    Object.defineProperty(error, 'retryAfterMs', {
      value: retryAfterMs(response.headers),
      enumerable: false,
    });
    throw error;
  };

  /** One operation with the standard mode's retries; resolves to its output with `$metadata`, as `send` does. */
  const call = async (
    operation: string,
    input: Record<string, unknown>,
    endpoint?: string,
  ): Promise<Record<string, unknown> & { $metadata: ResponseMetadata }> => {
    const url = new URL(endpoint ?? config.endpoint ?? options.defaultEndpoint(region));
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    const body = JSON.stringify(input);
    let totalRetryDelay = 0;
    let retryCost: number | undefined;
    for (let retries = 0; ; retries++) {
      try {
        const { data, status, requestId } = await attempt(url, operation, body);
        capacity = Math.min(retryPolicy.quota, capacity + (retryCost ?? retryPolicy.successRefund));
        return {
          ...data,
          $metadata: {
            httpStatusCode: status,
            ...(requestId ? { requestId } : {}),
            attempts: retries + 1,
            totalRetryDelay,
          },
        };
      } catch (caught) {
        const kind = classify(caught);
        const cost = kind === 'THROTTLING' ? retryPolicy.throttlingCost : retryPolicy.transientCost;
        const error =
          caught instanceof Error ? caught : Object.assign(new Error(String(caught)), { cause: caught });
        if (kind === 'OTHER' || retries + 1 >= maxAttempts || capacity < cost) {
          const metadata = (error as { $metadata?: Partial<ResponseMetadata> }).$metadata ?? {};
          (error as { $metadata?: ResponseMetadata }).$metadata = {
            ...metadata,
            attempts: retries + 1,
            totalRetryDelay,
          };
          throw error;
        }
        capacity -= cost;
        retryCost = cost;
        const base = kind === 'THROTTLING' ? retryPolicy.throttlingDelayBaseMs : retryPolicy.delayBaseMs;
        let delay = Math.floor(random() * Math.min(base * 2 ** retries, retryPolicy.maxDelayMs));
        const hint = (error as { retryAfterMs?: number }).retryAfterMs;
        if (hint !== undefined) delay = Math.max(delay, Math.min(hint, delay + 5_000));
        totalRetryDelay += delay;
        if (delay > 0) await sleep(delay);
      }
    }
  };

  return {
    call,
    /** what `client.config` gives in the SDK, for the parts the wiring reads (`credentials()` for signed S3 puts) */
    config: { region, credentials, maxAttempts },
    /** the retry quota left (the SDK's `getCapacity()`), for tests */
    capacity: () => capacity,
  };
};

export type AwsJsonClient = ReturnType<typeof createAwsJsonClient>;
