import { createHash } from 'node:crypto';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { QuarantinedDelivery, QuarantineStore } from '../../domain/ports.js';
import { createSignedFetch } from '../aws/signed-fetch.js';

export interface QuarantineStoreOptions {
  bucket: string;
  region: string;
  /** the credentials the function's other SDK clients resolved (one provider chain per process) */
  credentials: AwsCredentialIdentityProvider;
  /** path-style endpoint of an S3-compatible server (fauxqs locally); unset = AWS */
  endpoint?: string | undefined;
}

/** S3 metadata is US-ASCII; anything else would make the header invalid and lose the payload. */
const ascii = (value: string) => value.replace(/[^\x20-\x7e]/g, '?');

/**
 * Keeps authentic webhook payloads that could not be parsed, byte for byte, so nothing Shopify sent is lost and a
 * person (or a later fix) can replay them. S3 because a payload can be megabytes, beyond a DynamoDB item.
 *
 * One signed PutObject: the full S3 client (its XML protocol, checksums and endpoint rules, ~150 KiB) would be
 * most of the webhook function's bundle for a path that runs almost never.
 */
export const createQuarantineStore = (options: QuarantineStoreOptions): QuarantineStore => {
  const send = createSignedFetch({
    service: 's3',
    region: options.region,
    credentials: options.credentials,
    uriEscapePath: false,
  });
  const base = options.endpoint
    ? new URL(`${options.endpoint.replace(/\/$/, '')}/${options.bucket}/`)
    : new URL(`https://${options.bucket}.s3.${options.region}.amazonaws.com/`);

  return {
    async put(delivery: QuarantinedDelivery): Promise<string> {
      const day = new Date(delivery.receivedAt).toISOString().slice(0, 10);
      const safeShop = delivery.shop.replace(/[^a-z0-9.-]/gi, '_') || 'unknown-shop';
      const safeId = delivery.deliveryId.replace(/[^a-z0-9-]/gi, '_');
      const key = `quarantine/${safeShop}/${day}/${safeId}.json`;
      await send(new URL(key, base), {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          'x-amz-content-sha256': createHash('sha256').update(delivery.body).digest('hex'),
          'x-amz-meta-topic': ascii(delivery.topic.slice(0, 100)),
          'x-amz-meta-reason': ascii(delivery.reason.slice(0, 500)),
        },
        body: delivery.body,
      });
      return key;
    },
  };
};
