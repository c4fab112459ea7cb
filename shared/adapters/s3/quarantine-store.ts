import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import type { QuarantinedDelivery, QuarantineStore } from '../../domain/ports.js';

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The SDK's signer wants a hash class; node:crypto is one line each way. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

export class QuarantineWriteError extends Error {
  override name = 'QuarantineWriteError';
}

export interface QuarantineStoreOptions {
  bucket: string;
  region: string;
  /** the credentials the function's other SDK clients resolved (one provider chain per process) */
  credentials: AwsCredentialIdentityProvider;
  /** path-style endpoint of an S3-compatible server (fauxqs locally); unset = AWS */
  endpoint?: string | undefined;
  /** per attempt, like the SDK clients' requestTimeout */
  timeoutMs?: number;
  attempts?: number;
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Keeps authentic webhook payloads that could not be parsed, byte for byte, so nothing Shopify sent is lost and a
 * person (or a later fix) can replay them. S3 because a payload can be megabytes, beyond a DynamoDB item.
 *
 * One PutObject, SigV4-signed by the SDK's own signer (`@smithy/signature-v4`) and sent with `fetch`: the full S3
 * client (its XML protocol, checksums and endpoint rules, ~150 KiB) would be most of the webhook function's bundle
 * for a path that runs almost never. Throttling, 5xx and network errors are retried like the SDK's standard mode.
 */
export const createQuarantineStore = (options: QuarantineStoreOptions): QuarantineStore => {
  const signer = new SignatureV4({
    service: 's3',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    // S3 signs the path as sent, not escaped twice.
    uriEscapePath: false,
  });
  const base = options.endpoint
    ? new URL(`${options.endpoint.replace(/\/$/, '')}/${options.bucket}/`)
    : new URL(`https://${options.bucket}.s3.${options.region}.amazonaws.com/`);
  const timeoutMs = options.timeoutMs ?? 3_000;
  const attempts = options.attempts ?? 3;

  const putObject = async (key: string, body: Buffer, metadata: Record<string, string>) => {
    const url = new URL(key, base);
    const headers: Record<string, string> = {
      host: url.host,
      'content-type': 'application/json',
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      // S3 metadata is US-ASCII; anything else would make the header invalid and lose the payload.
      ...Object.fromEntries(
        Object.entries(metadata).map(([name, value]) => [
          `x-amz-meta-${name}`,
          value.replace(/[^\x20-\x7e]/g, '?'),
        ]),
      ),
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
      const signed = await signer.sign({
        method: 'PUT',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers,
        body,
      });
      try {
        const { host: _host, ...sent } = signed.headers;
        const response = await fetch(url, {
          method: 'PUT',
          headers: sent,
          body: new Uint8Array(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        if (response.ok) return;
        lastError = new QuarantineWriteError(`S3 PutObject answered ${response.status}`);
        if (!retryable(response.status)) break;
      } catch (error) {
        lastError = error;
      }
    }
    throw new QuarantineWriteError('the payload could not be quarantined in S3', { cause: lastError });
  };

  return {
    async put(delivery: QuarantinedDelivery): Promise<string> {
      const day = new Date(delivery.receivedAt).toISOString().slice(0, 10);
      const safeShop = delivery.shop.replace(/[^a-z0-9.-]/gi, '_') || 'unknown-shop';
      const safeId = delivery.deliveryId.replace(/[^a-z0-9-]/gi, '_');
      const key = `quarantine/${safeShop}/${day}/${safeId}.json`;
      await putObject(key, delivery.body, {
        topic: delivery.topic.slice(0, 100),
        reason: delivery.reason.slice(0, 500),
      });
      return key;
    },
  };
};
