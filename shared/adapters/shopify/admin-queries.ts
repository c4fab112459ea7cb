import { orderSelection } from './order-snapshot.js';

/** Named operations, so Shopify's logs, the simulator and our errors can tell them apart. */
export const orderSnapshotQuery = `#graphql
query OrderSnapshot($id: ID!) {
  order(id: $id) {${orderSelection}}
}`;

export const ordersUpdatedQuery = `#graphql
query OrdersUpdated($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {${orderSelection}}
  }
}`;

/**
 * The sweep's listing: scalars only, so an order costs 1 point instead of 3 (each address is an object). The
 * fulfillment status is what `compareWithRecord` needs besides the id.
 */
export const orderSummariesUpdatedQuery = `#graphql
query OrderSummariesUpdated($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId updatedAt displayFulfillmentStatus }
  }
}`;

/** Full snapshots of the listed orders that need one, up to 250 ids a query. */
export const orderSnapshotsQuery = `#graphql
query OrderSnapshots($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {${orderSelection}}
  }
}`;

export const webhookSubscriptionsQuery = `#graphql
query WebhookSubscriptions($topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: 100, topics: $topics) {
    nodes { id topic uri }
  }
}`;

export const webhookSubscriptionCreateMutation = `#graphql
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

/** `doctor`: what the app was granted and which Admin API versions Shopify supports; reads no shop data. */
export const appInstallationQuery = `#graphql
query AppInstallation {
  currentAppInstallation { accessScopes { handle } }
  publicApiVersions { handle supported }
}`;
