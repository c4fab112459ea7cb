import type { ApprovalStatus, ImportFlowHealth, ShopContext } from '../../domain/ports.js';
import { attention, checkList, ok } from './check-kit.js';
import type { DoctorCheck, ExplainFailure, HotwaxProbe, HotwaxTenant } from './doctor-ports.js';

/** A Shopify order id no order has: the lookup must answer "none", which proves the lookup, not the data. */
const probeOrderId = '0';

const flowLabels: Record<ImportFlowHealth['flow'], string> = {
  new_orders_job: 'HotWax New Orders job',
  realtime: 'HotWax realtime order import',
  fallback: 'HotWax fallback order sync',
};

const laterChecks = [
  ['hotwax.orders', 'HotWax order lookup'],
  ['hotwax.import-flows', 'HotWax import jobs'],
  ['hotwax.import-configs', 'HotWax import configs'],
  ['hotwax.approval', 'HotWax order approval'],
] as const;

const flowLine = (flow: ImportFlowHealth) => {
  const last = flow.lastRunAt ? ` Last run ${new Date(flow.lastRunAt).toISOString()}.` : '';
  return flow.status === 'ok' ? ok(`${flow.detail}${last}`) : attention(`${flow.detail}${last}`);
};

const configsLine = (tenant: HotwaxTenant, configs: Array<{ configId: string; found: boolean }>) => {
  const missing = configs.filter((config) => !config.found).map((config) => config.configId);
  const all = configs.map((config) => config.configId).join(', ');
  if (tenant.backend === 'ofbiz') {
    return missing.length === 0
      ? ok(`MDM config ${all} exists: failed imports of Shopify orders are read from its logs.`)
      : attention(
          `HotWax has no MDM config ${missing.join(', ')}, so the monitor cannot find failed imports. Set HOTWAX_ORDER_MDM_CONFIG_ID to the config Shopify orders import through (HotWax › Settings › Data manager configurations; usually CRT_SHOPIFY_ORDER).`,
        );
  }
  return missing.length === 0
    ? ok(`Data Manager configs ${all} exist: failed imports of Shopify orders are read from their logs.`)
    : attention(
        `HotWax has no Data Manager config ${missing.join(', ')}, so failed imports of Shopify orders cannot be found. Ask HotWax support to set up the Shopify order sync (Company › Shopify › Order sync).`,
      );
};

const approvalLine = (status: ApprovalStatus, productStore: string | undefined) => {
  if (status.mechanism === 'job') {
    const runs = status.recentRunStatuses.slice(0, 3);
    const recent = runs.length > 0 ? ` Recent runs: ${runs.join(', ')}.` : '';
    if (status.enabled)
      return ok(`The approval job (JOB_APR_ORD) is scheduled: paid web orders leave Created.${recent}`);
    return attention(
      `The approval job (JOB_APR_ORD) is not scheduled for this shop, so web orders stay in Created until somebody approves them. Schedule it in HotWax Job Manager › Orders › Approve orders.${recent}`,
    );
  }
  const store = productStore ? ` of product store ${productStore}` : '';
  if (status.enabled === true)
    return ok(`autoApproveOrder${store} is on: imported orders are approved by HotWax.`);
  if (status.enabled === false)
    return attention(
      `autoApproveOrder${store} is off, so imported web orders stay in Created until somebody approves them. Turn on "Approve imported orders" for the product store in HotWax (Company › Product store).`,
    );
  return attention(
    `HotWax did not say whether autoApproveOrder${store} is on: check "Approve imported orders" on the product store in HotWax.`,
  );
};

/**
 * The shop's HotWax, read-only: which backend and URL (discovery), reachable, credentials accepted, the order lookup
 * answers, the import jobs HotWax says to watch (OFBiz New Orders job; Maarg realtime consumer and the shop's
 * fallback sync found by its parameters), the import configs failed records are read from, and approval.
 */
export const checkHotwax = async (
  shop: ShopContext,
  probe: HotwaxProbe,
  explain: ExplainFailure,
): Promise<DoctorCheck[]> => {
  const list = checkList(explain, shop.shop);
  let tenant: HotwaxTenant | undefined;
  const found = await list.run('hotwax.backend', 'HotWax backend', async () => {
    tenant = await probe.discover();
    const name = tenant.backend === 'ofbiz' ? 'OFBiz' : 'Maarg';
    return ok(`${name} at ${tenant.apiUrl} (${tenant.how})`);
  });
  if (!found || !tenant) {
    list.skip([['hotwax.credentials', 'HotWax credentials'], ...laterChecks], 'HotWax did not answer');
    return list.checks;
  }
  const known = tenant;
  const accepted = await list.run('hotwax.credentials', 'HotWax credentials', async () =>
    ok(await probe.authenticate()),
  );
  if (!accepted) {
    list.skip(laterChecks, 'HotWax refused the credentials');
    return list.checks;
  }
  await list.run('hotwax.orders', 'HotWax order lookup', async () => {
    await shop.hotwax.findOrdersByShopifyIds([probeOrderId]);
    return ok('The order lookup by Shopify order id answers.');
  });
  // One line per import flow; one line for all of them when HotWax could not say.
  try {
    for (const flow of await shop.hotwax.importFlowHealth())
      list.add(`hotwax.flow.${flow.flow}`, flowLabels[flow.flow], flowLine(flow));
  } catch (error) {
    list.add('hotwax.import-flows', 'HotWax import jobs', explain(error));
  }
  await list.run('hotwax.import-configs', 'HotWax import configs', async () =>
    configsLine(known, await probe.importConfigs()),
  );
  await list.run('hotwax.approval', 'HotWax order approval', async () =>
    approvalLine(await shop.hotwax.approvalStatus(), probe.productStoreId),
  );
  return list.checks;
};
