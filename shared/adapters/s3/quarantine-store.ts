import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { QuarantinedDelivery, QuarantineStore } from '../../domain/ports.js';

/**
 * Keeps authentic webhook payloads that could not be parsed, byte for byte, so nothing Shopify sent is lost and a
 * person (or a later fix) can replay them. S3 because a payload can be megabytes, beyond a DynamoDB item.
 */
export const createQuarantineStore = ({
  client,
  bucket,
}: {
  client: S3Client;
  bucket: string;
}): QuarantineStore => ({
  async put(delivery: QuarantinedDelivery): Promise<string> {
    const day = new Date(delivery.receivedAt).toISOString().slice(0, 10);
    const safeShop = delivery.shop.replace(/[^a-z0-9.-]/gi, '_') || 'unknown-shop';
    const safeId = delivery.deliveryId.replace(/[^a-z0-9-]/gi, '_');
    const key = `quarantine/${safeShop}/${day}/${safeId}.json`;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: delivery.body,
        ContentType: 'application/json',
        Metadata: { topic: delivery.topic.slice(0, 100), reason: delivery.reason.slice(0, 500) },
      }),
    );
    return key;
  },
});
