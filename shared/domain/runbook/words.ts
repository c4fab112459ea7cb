/**
 * The runbook's words: the steps a person follows, each written once. The decision table, the diagnosis and the
 * Slack messages all quote them from here.
 */

/** POS order stuck in Created, fulfilled in Shopify: "click Refresh order on View Sales Order". */
export const refreshOrderSteps = (hotwaxOrderId?: string): string =>
  `In HotWax open ${
    hotwaxOrderId
      ? `View Sales Order for ${hotwaxOrderId} and click "Refresh order"`
      : 'View Sales Order › Refresh order'
  }. HotWax creates a new version and cancels the old one (tagged "old version"); verify the new version is ` +
  'Completed and the old one Cancelled.';

/** Web order held in Created: HotWax's Order Approval troubleshooting. */
export const approvalTroubleshooting = [
  'Follow the Order Approval troubleshooting:',
  '1. In Shopify, check the payment status: orders are approved only once paid or authorized.',
  '2. In HotWax Job Manager, check that the Approve Orders job (JOB_APR_ORD) is scheduled and that its recent runs succeeded.',
  '3. Release any hold on the order, then run the approval job. The monitor re-checks and reports when it leaves Created.',
].join('\n');

/** Order not in HotWax: "run the New Orders job", then read the Shopify Order MDM logs. */
export const newOrdersJobSteps =
  'Re-import the order: run the New Orders job now in HotWax Job Manager, then check the order appears. If it ' +
  'does not, read the Shopify Order MDM logs (EXIM › Shopify Jobs › MDM › Shopify Order MDM) for a failed record ' +
  'with this Shopify order id.';

/** Order not in HotWax, with a per-order import service: "Import Shopify Orders for that order ID". */
export const importOrderSteps = (shopifyOrderId: string): string =>
  `Re-import the order: "Import Shopify Orders" for order ID ${shopifyOrderId} in HotWax, then check it appears.`;

/** A data problem the import reported: the fix happens in Shopify, the monitor does the rest. */
export const fixDataInShopify =
  'Fix the data in Shopify (the cause above names what is missing). Nothing to do in HotWax: the monitor sees the ' +
  'change, re-imports the order and checks that it landed.';

/** "Still broken: contact HotWax support." */
export const contactSupport =
  'Contact HotWax support with the support bundle below (timeline, HotWax findings, error text, MDM log and job ' +
  'runs). The monitor has stopped repairing this order.';

/** An authentic webhook that could not be parsed. */
export const quarantinedPayloadSteps =
  'The raw payload is kept in the quarantine bucket. Check the order in Shopify admin; the reconciliation sweep ' +
  'picks it up, or re-send the webhook from Shopify.';

/** Nothing more specific to say. */
export const compareBothSides = 'Compare the order in Shopify and HotWax; the monitor keeps re-checking it.';

/** One window re-import run served several orders (a flash sale costs one run). */
export const servedByEarlierRun = (requestedAt: number): string =>
  ` Served by the re-import run requested at ${new Date(requestedAt).toISOString()}.`;
