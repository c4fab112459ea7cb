/**
 * The order-sync table's keys, shared by the CDK stack and the local runtime so both build the same table.
 *
 * Items (single table):
 * - order record:    pk `ORDER#<shopifyOrderId>`, sk `SHOP#<shop>`
 * - timeline event:  pk `ORDER#<shopifyOrderId>`, sk `SHOP#<shop>#EV#<epoch ms>#<id>` (one Query reads record + timeline)
 * - webhook dedupe:  pk `WEBHOOK#<shop>#<event id>`, sk `DEDUPE` (expires through TTL)
 * - job run claim:   pk `JOB#<shop>#<job>`, sk `CLAIM`
 * - sweep checkpoint: pk `SWEEP#<shop>`, sk `CHECKPOINT`
 * - HotWax repair journal: pk `HOTWAX_REPAIR#<shop>`, sk `JOURNAL` (Maarg fromDate swap: lock + parameters to restore)
 *
 * Indexes (sparse: only items carrying the attributes are in them):
 * - by-state: `state` + `stateSince` — lists orders by state (CLI status, dashboard, digest)
 * - by-next-check: `checkShop` + `nextCheckAt` — finds checks that are overdue (never queued or lost)
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
  ],
  indexes: [
    { name: 'by-state', partitionKey: 'state', sortKey: 'stateSince' },
    { name: 'by-next-check', partitionKey: 'checkShop', sortKey: 'nextCheckAt' },
  ],
} as const;
