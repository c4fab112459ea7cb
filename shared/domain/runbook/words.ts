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

/** Where approval is a product store setting: its name in HotWax's Company app, and its field. */
export const approveImportedOrders = `the product store's "Approve imported orders" setting (autoApproveOrder)`;

/**
 * Web order held in Created: HotWax's Order Approval troubleshooting, for a tenant that approves with the approval
 * job (JOB_APR_ORD) or with the product store setting.
 */
export const approvalSteps = {
  job: [
    'Follow the Order Approval troubleshooting:',
    '1. In Shopify, check the payment status: orders are approved only once paid or authorized.',
    '2. In HotWax Job Manager, check that the Approve Orders job (JOB_APR_ORD) is scheduled and that its recent runs succeeded.',
    '3. Release any hold on the order, then run the approval job. The monitor re-checks and reports when it leaves Created.',
  ].join('\n'),
  store_setting: [
    'Follow the Order Approval troubleshooting:',
    '1. In Shopify, check the payment status: orders are approved only once paid or authorized.',
    '2. In HotWax Company › Product stores › this store › Order › Import, check that "Approve imported orders" ' +
      '(autoApproveOrder) is on: this tenant has no approval job, the setting approves imported orders.',
    '3. Release any hold on the order, or approve it in HotWax. The monitor re-checks and reports when it leaves Created.',
  ].join('\n'),
} as const;

/** The approval troubleshooting when the tenant's approval is not known (a message without the checker's fix). */
export const approvalTroubleshooting = [
  'Follow the Order Approval troubleshooting:',
  '1. In Shopify, check the payment status: orders are approved only once paid or authorized.',
  '2. In HotWax, check what approves imported orders: the Approve Orders job (JOB_APR_ORD) in Job Manager, or the ' +
    'product store\'s "Approve imported orders" setting (autoApproveOrder) in Company.',
  '3. Release any hold on the order. The monitor re-checks and reports when it leaves Created.',
].join('\n');

/** Order not in HotWax: "run the New Orders job", then read the Shopify Order MDM logs. */
export const newOrdersJobSteps =
  'Re-import the order: run the New Orders job now in HotWax Job Manager, then check the order appears. If it ' +
  'does not, read the Shopify Order MDM logs (EXIM › Shopify Jobs › MDM › Shopify Order MDM) for a failed record ' +
  'with this Shopify order id.';

/**
 * Order not in HotWax (or stuck in Created) on a tenant whose re-import syncs the order from Shopify again and
 * updates it in place: HotWax Company's "Download specific orders".
 */
export const syncOrderSteps = (shopifyOrderId: string): string =>
  `Re-import the order: in HotWax Company › Shopify › this shop's order sync, use Custom request › "Download ` +
  `specific orders" for Shopify order ${shopifyOrderId} (it also updates an order HotWax already holds), then check ` +
  'it appears. If it does not, read the Data Manager logs of SYNC_SHOPIFY_ORDER and UPDATE_SHOPIFY_ORDER for a ' +
  'failed record with this Shopify order id.';

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

/** Several live HotWax orders share the Shopify id: a person decides which one stands for the order. */
export const ambiguousOrdersSteps = (hotwaxOrderIds: readonly string[]): string =>
  `Open the HotWax orders ${hotwaxOrderIds.length > 0 ? hotwaxOrderIds.join(', ') : 'with this Shopify order id'} and decide which one stands for this Shopify order. A ` +
  'duplicate import: cancel the extra order in HotWax. An exchange (Shopify posts it with the same order id): ' +
  'nothing needs fixing. Until HotWax holds one live order the monitor repairs nothing for it and looks again now ' +
  'and then; it reports when only one live order remains.';

/** Shopify fulfilled an order that HotWax itself rejected or expired: HotWax decided, a person reconciles. */
export const hotwaxClosedSteps = (hotwaxOrderId: string): string =>
  `Open HotWax order ${hotwaxOrderId} to see why HotWax closed it (order history and notes). It is HotWax's own ` +
  'decision, so the monitor never re-imports or refreshes it: decide with HotWax support whether the order must be ' +
  'recreated in HotWax or the sale reversed in Shopify.';

/** Nothing more specific to say. */
export const compareBothSides = 'Compare the order in Shopify and HotWax; the monitor keeps re-checking it.';

/** One window re-import run served several orders (a flash sale costs one run). */
export const servedByEarlierRun = (requestedAt: number): string =>
  ` Served by the re-import run requested at ${new Date(requestedAt).toISOString()}.`;
