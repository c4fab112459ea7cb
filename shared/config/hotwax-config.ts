import { z } from 'zod';
import type { HotwaxPortOptions } from '../adapters/hotwax/create-hotwax-port.js';
import type { HotwaxRepairJournal } from '../domain/hotwax-port.js';
import type { HotwaxConfig } from './config.js';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const jsonObjectText = optionalText.refine(
  (value) => {
    if (value === undefined) return true;
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    } catch {
      return false;
    }
  },
  {
    error:
      'must be a JSON object, e.g. {"shopifyConfigId":"{shopifyConfigId}","shopifyOrderId":"{shopifyOrderId}"}',
  },
);

/**
 * The HotWax variables of issue #10 (both backends), beside `hotwaxSchema` in config.ts; the coordinator merges
 * this shape into the schemas that need HotWax. Every default is declared here once.
 */
export const hotwaxBackendSchema = z.object({
  /** `auto` discovers the tenant's shape (OFBiz `/api/` or Maarg-only `/rest/s1/`) */
  HOTWAX_BACKEND: z
    .enum(['auto', 'ofbiz', 'maarg'], { error: 'must be auto, ofbiz or maarg' })
    .default('auto'),
  /** the Maarg host when it differs from HOTWAX_BASE_URL; normally discovered (`maargInstanceUrl`) */
  HOTWAX_MAARG_URL: optionalText.pipe(
    z.url({ error: 'must be a URL such as https://acme-maarg.hotwax.io' }).optional(),
  ),
  /** link to an order for people, `{orderId}` replaced; default per backend */
  HOTWAX_ORDER_URL_TEMPLATE: optionalText.refine(
    (value) => value === undefined || value.includes('{orderId}'),
    {
      error: 'must contain {orderId}',
    },
  ),
  /** Maarg: the remote id that marks the shop's fallback sync job; default HOTWAX_SHOPIFY_CONFIG_ID */
  HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: optionalText,
  /** OFBiz: JSON body of HOTWAX_IMPORT_ORDER_SERVICE, placeholders {shopifyOrderId} or {shopifyOrderIds} */
  HOTWAX_IMPORT_ORDER_PAYLOAD: jsonObjectText,
  /** OFBiz: time zone sent with "Run now" (Job Manager sends the user's) */
  HOTWAX_TIME_ZONE: z.string().trim().min(1).default('UTC'),
  /** Maarg: a fromDate swap older than this is a crashed one and is undone */
  HOTWAX_REPAIR_GRACE_SECONDS: z.coerce.number().int().positive().default(120),
});

export type HotwaxBackendConfig = z.infer<typeof hotwaxBackendSchema>;

/** Everything `createHotwaxPort` needs, from the validated environment. */
export const hotwaxPortOptionsFromConfig = (
  config: HotwaxConfig & HotwaxBackendConfig,
  context: {
    /** the Shopify shop the ids belong to */
    shop: string;
    /** durable journal (DynamoDB) for Maarg re-imports */
    repairJournal?: HotwaxRepairJournal;
    logger?: HotwaxPortOptions['logger'];
  },
): HotwaxPortOptions => ({
  baseUrl: config.HOTWAX_BASE_URL,
  backend: config.HOTWAX_BACKEND,
  ...(config.HOTWAX_MAARG_URL ? { maargUrl: config.HOTWAX_MAARG_URL } : {}),
  ...(config.HOTWAX_API_TOKEN ? { apiToken: config.HOTWAX_API_TOKEN } : {}),
  ...(config.HOTWAX_USERNAME ? { username: config.HOTWAX_USERNAME } : {}),
  ...(config.HOTWAX_PASSWORD ? { password: config.HOTWAX_PASSWORD } : {}),
  timeoutMs: config.HOTWAX_TIMEOUT_MS,
  shop: context.shop,
  shopifyConfigId: config.HOTWAX_SHOPIFY_CONFIG_ID,
  shopId: config.HOTWAX_SHOP_ID,
  productStoreId: config.HOTWAX_PRODUCT_STORE_ID,
  orderMdmConfigId: config.HOTWAX_ORDER_MDM_CONFIG_ID,
  ...(config.HOTWAX_ORDER_URL_TEMPLATE ? { orderUrlTemplate: config.HOTWAX_ORDER_URL_TEMPLATE } : {}),
  ...(config.HOTWAX_IMPORT_ORDER_SERVICE ? { importOrderService: config.HOTWAX_IMPORT_ORDER_SERVICE } : {}),
  ...(config.HOTWAX_IMPORT_ORDER_PAYLOAD ? { importOrderPayload: config.HOTWAX_IMPORT_ORDER_PAYLOAD } : {}),
  ...(config.HOTWAX_REFRESH_ORDER_SERVICE
    ? { refreshOrderService: config.HOTWAX_REFRESH_ORDER_SERVICE }
    : {}),
  timeZone: config.HOTWAX_TIME_ZONE,
  systemMessageRemoteId: config.HOTWAX_SYSTEM_MESSAGE_REMOTE_ID ?? config.HOTWAX_SHOPIFY_CONFIG_ID,
  repairGraceMs: config.HOTWAX_REPAIR_GRACE_SECONDS * 1000,
  ...(context.repairJournal ? { repairJournal: context.repairJournal } : {}),
  ...(context.logger ? { logger: context.logger } : {}),
});
