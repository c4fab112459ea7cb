/**
 * The order-sync table's keys, shared by the CDK stack and the local runtime so both build the same table.
 *
 * Items (single table):
 * - order record:    pk `ORDER#<shopifyOrderId>`, sk `SHOP#<shop>`; it also holds the webhook deliveries recorded
 *                    into it (`deliveries`, a string set of `<shop>#<event id>` dedupe keys) and their timeline
 *                    events (`inlineEvents`), so a delivery is one conditional write
 * - timeline event:  pk `ORDER#<shopifyOrderId>`, sk `SHOP#<shop>#EV#<epoch ms>#<id>` (one Query reads record + timeline)
 * - job run claim:   pk `JOB#<shop>#<job>`, sk `CLAIM`
 * - sweep checkpoint: pk `SWEEP#<shop>`, sk `CHECKPOINT`
 * - import lag:      pk `IMPORT_LAG#<shop>`, sk `SKETCH` (the shop's lag histogram: bucket counters and their total)
 * - HotWax repair journal: pk `HOTWAX_REPAIR#<shop>`, sk `JOURNAL` (Maarg fromDate swap: lock + parameters to restore)
 *
 * Indexes (sparse: only items carrying the attributes are in them):
 * - by-state: `state` + `stateSince` — lists orders by state (CLI status, dashboard, digest)
 * - by-next-check: `checkShop` + `nextCheckAt` — finds checks that are overdue (never queued or lost)
 * - by-name: `orderName` + `shop`, keys only — finds an order by its Shopify name (`/ordersync #1001`); only order
 *   records carry a top-level `orderName`
 *
 * Slack action requests (who asked what, and where to answer): pk `SLACK_REQUEST#<request id>`, sk `REQUEST`.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  attributes: [
    ['pk', 'S'],
    ['sk', 'S'],
    ['state', 'S'],
    ['stateSince', 'N'],
    ['checkShop', 'S'],
    ['nextCheckAt', 'N'],
    ['orderName', 'S'],
    ['shop', 'S'],
  ],
  indexes: [
    { name: 'by-state', partitionKey: 'state', sortKey: 'stateSince' },
    { name: 'by-next-check', partitionKey: 'checkShop', sortKey: 'nextCheckAt' },
    // Keys only: the name leads to the order's key, the record is read by key.
    { name: 'by-name', partitionKey: 'orderName', sortKey: 'shop', projection: 'KEYS_ONLY' },
  ],
} as const;

/** An index's projection; ALL unless the definition says otherwise. */
export const indexProjection = (index: (typeof tableDefinition.indexes)[number]): 'ALL' | 'KEYS_ONLY' =>
  'projection' in index ? index.projection : 'ALL';
