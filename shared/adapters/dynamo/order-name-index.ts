import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderKey } from '../../domain/order-sync.js';
import type { OrderNameIndex } from '../../domain/ports.js';

/** Orders by their Shopify name through the keys-only `by-name` index (one per shop that has the name). */
export const createOrderNameIndex = (params: {
  client: DynamoDBDocumentClient;
  tableName: string;
}): OrderNameIndex => ({
  async find(orderName) {
    const { Items } = await params.client.send(
      new QueryCommand({
        TableName: params.tableName,
        IndexName: 'by-name',
        KeyConditionExpression: 'orderName = :name',
        ExpressionAttributeValues: { ':name': orderName },
        Limit: 25,
      }),
    );
    return (Items ?? []).flatMap((item): OrderKey[] => {
      const pk = String(item.pk ?? '');
      return pk.startsWith('ORDER#') && typeof item.shop === 'string'
        ? [{ shop: item.shop, orderId: pk.slice('ORDER#'.length) }]
        : [];
    });
  },
});
