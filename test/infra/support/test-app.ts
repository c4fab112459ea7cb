import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, createApp } from '../../../infra/build-app.js';

/** A complete, valid configuration, as a deploy would pass it with `-c`. Values are strings, as from the CLI. */
export const deployContext = {
  SHOPIFY_SHOP: 'acme.myshopify.com',
  SHOPIFY_API_VERSION: '2026-10',
  HOTWAX_BASE_URL: 'https://acme.hotwax.io',
  HOTWAX_SHOPIFY_CONFIG_ID: 'SHOP_CONFIG',
  HOTWAX_SHOP_ID: 'SHOP',
  HOTWAX_PRODUCT_STORE_ID: 'STORE',
  HOTWAX_REFRESH_ORDER_SERVICE: 'refreshShopifyOrder',
  SLACK_CHANNEL_ID: 'C0123456789',
  SWEEP_INTERVAL_SECONDS: '900',
} as const;

/**
 * Builds the app exactly as `infra/bin/app.ts` does (cdk-nag included) and synthesizes it once. Bundling is
 * skipped (`aws:cdk:bundling-stacks`): these tests are about the templates, `app-function.test.ts` covers the
 * bundle and `npm run synth` bundles every function.
 */
export const synthTestApp = (context: Record<string, unknown> = {}) => {
  const built = buildApp(
    createApp({ context: { 'aws:cdk:bundling-stacks': [], ...deployContext, ...context } }),
  );
  return {
    ...built,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
};

export const logicalId = (stack: Stack, resource: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(resource.node.defaultChild as CfnResource);

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every statement of the inline policies attached to the function's execution role. */
export const roleStatements = (template: Template, functionLogicalId: string): Statement[] => {
  const fn = template.toJSON().Resources[functionLogicalId];
  const roleId: string = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId)
      ? (policy.Properties.PolicyDocument.Statement as Statement[])
      : [],
  );
};
