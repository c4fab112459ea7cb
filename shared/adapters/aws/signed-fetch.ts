import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { hmacKey } from '../hmac-key.js';
import { type HttpAnswer, sendHttp } from './node-http.js';

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/**
 * The SDK's signer wants a hash class; node:crypto is one line each way. The HMAC's key goes as a KeyObject
 * (`hmac-key.ts`): the signer's cached signing key is the same bytes every request. The SDK clients sign with it too.
 */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', hmacKey(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * One attempt of an AWS request: signed by the SDK's own signer (the `host` it signs is the URL's, sent by node:http
 * itself), then sent over node:http/https. The lean clients (`aws-json-client.ts`) and `createSignedFetch` both send
 * through it; each keeps its own retries.
 */
export const sendSigned = async (
  signer: SignatureV4,
  url: URL,
  request: { method: string; headers: Record<string, string>; body: string | Uint8Array; timeoutMs: number },
): Promise<HttpAnswer> => {
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { ...request.headers, host: url.host },
    body: request.body,
  });
  const { host: _host, ...headers } = signed.headers;
  return sendHttp(url, { method: request.method, headers, body: request.body, timeoutMs: request.timeoutMs });
};

export class SignedRequestError extends Error {
  override name = 'SignedRequestError';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface SignedFetchOptions {
  service: string;
  region: string;
  /** the credentials the function's SDK clients resolved (one provider chain per process) */
  credentials: AwsCredentialIdentityProvider;
  /** per attempt, like the SDK clients' requestTimeout */
  timeoutMs?: number;
  attempts?: number;
  /** S3 signs the path as sent; every other service escapes it once more */
  uriEscapePath?: boolean;
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * One AWS request, SigV4-signed by the SDK's own signer (`@smithy/signature-v4`), retried on
 * throttling, 5xx and network errors with jittered backoff as the SDK's standard mode does, over node:https
 * (`node-http.ts`). For the webhook
 * function's rare calls (a quarantine PutObject, the webhook secret's GetSecretValue), whose full SDK clients would
 * weigh more than the rest of the function.
 */
export const createSignedFetch = (options: SignedFetchOptions) => {
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  const timeoutMs = options.timeoutMs ?? 3_000;
  const attempts = options.attempts ?? 3;

  return async (
    url: URL,
    request: { method: string; headers: Record<string, string>; body: Buffer },
  ): Promise<{ status: number; body: Buffer }> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
      try {
        const response = await sendSigned(signer, url, { ...request, timeoutMs });
        const { body } = response;
        if (response.status >= 200 && response.status < 300) return { status: response.status, body };
        lastError = new SignedRequestError(
          `${options.service} answered ${response.status}: ${body.toString('utf8').slice(0, 200)}`,
          response.status,
        );
        if (!retryable(response.status)) break;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof SignedRequestError
      ? lastError
      : new SignedRequestError(`${options.service} could not be reached`, undefined, { cause: lastError });
  };
};
