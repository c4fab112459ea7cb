import { describe, expect, it } from 'vitest';
import { GraphqlRequestError, parseOperation, project, requestedQueryCost } from './graphql-document.js';

describe("the simulator's GraphQL reader", () => {
  it('substitutes variables, defaults, enums, lists and input objects into arguments', () => {
    const operation = parseOperation(
      `#graphql
      mutation Create($topic: WebhookSubscriptionTopic!, $uri: String!, $format: WebhookSubscriptionFormat = JSON) {
        created: webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: $format, includeFields: ["id", "name"] }) {
          userErrors { field message }
        }
      }`,
      { topic: 'ORDERS_CREATE', uri: 'https://example.com/hook' },
    );

    expect(operation).toMatchObject({ type: 'mutation', name: 'Create' });
    expect(operation.selections[0]).toMatchObject({
      name: 'webhookSubscriptionCreate',
      alias: 'created',
      args: {
        topic: 'ORDERS_CREATE',
        webhookSubscription: {
          uri: 'https://example.com/hook',
          format: 'JSON',
          includeFields: ['id', 'name'],
        },
      },
    });
  });

  it('picks the operation the request names', () => {
    const source = 'query A { shop { name } } query B { order(id: "gid://shopify/Order/1") { id } }';
    expect(parseOperation(source, {}, 'B').selections[0]?.name).toBe('order');
    expect(() => parseOperation(source)).toThrow(GraphqlRequestError);
  });

  it('refuses fragments instead of answering them wrongly', () => {
    expect(() => parseOperation('{ order(id: "x") { ...F } } fragment F on Order { id }')).toThrow(
      /fragments/,
    );
  });

  it('costs objects 1 and connections 2 plus the page size times the node cost', () => {
    const operation = parseOperation(
      '{ orders(first: 10) { pageInfo { hasNextPage } nodes { id customer { id } } } }',
    );
    expect(requestedQueryCost(operation)).toBe(2 + 10 * 2);
  });

  it('projects a resolved value onto the selection, resolving fields that take arguments', () => {
    const [field] = parseOperation('{ item { id n: count(times: 3) } }').selections;
    const value = {
      __typename: 'Item',
      id: '1',
      secret: 'x',
      count: ({ times }: { times: number }) => times * 2,
    };
    expect(project(value, field?.selections ?? [])).toEqual({ id: '1', n: 6 });
  });
});
