import type { JobParameter } from '../../../domain/ports.js';
import { text, toEpochMs } from '../values.js';

/**
 * Maarg ServiceJobs as `admin/serviceJobs` serves them (moqui-framework `ServiceEntities.xml`: ServiceJob,
 * ServiceJobParameter, ServiceJobRun), and how HotWax matches a shop's fallback order sync to its shop (company
 * `useShopify.ts` › `ORDER_SYNC_FEATURE`, `isSuitableSyncJob`): by parameters, never by name.
 */

/** The template every shop's fallback batch sync is cloned from. */
export const fallbackSyncTemplate = 'queue_ShopifyOrderSync';
export const orderSyncMessageType = 'ShopifyOrderSync';
/** HotWax's realtime consumer of Shopify's order events (one for the tenant, not per shop). */
export const realtimeConsumerJob = 'consume_ShopifyOrders_SQS';

export interface ServiceJob {
  jobName: string;
  serviceName?: string | undefined;
  cronExpression?: string | undefined;
  paused: boolean;
  /** undefined when the row came without its parameters (the list omits them for some jobs) */
  parameters: JobParameter[] | undefined;
}

export interface JobRun {
  jobRunId: string;
  startTime?: number | undefined;
  endTime?: number | undefined;
  hasError: boolean;
}

const truthy = (value: unknown): boolean =>
  value === true || (typeof value === 'string' && /^(y|yes|true|1)$/i.test(value.trim()));

export const parametersOf = (value: unknown): JobParameter[] | undefined =>
  Array.isArray(value)
    ? value.flatMap((item): JobParameter[] => {
        const parameterName = text((item as Record<string, unknown> | null)?.parameterName);
        if (!parameterName) return [];
        const raw = (item as Record<string, unknown>).parameterValue;
        return [{ parameterName, parameterValue: raw === undefined || raw === null ? null : String(raw) }];
      })
    : undefined;

export const toServiceJob = (row: Record<string, unknown>): ServiceJob | undefined => {
  const jobName = text(row.jobName);
  if (!jobName) return undefined;
  return {
    jobName,
    serviceName: text(row.serviceName),
    cronExpression: text(row.cronExpression),
    paused: row.isPaused !== undefined ? truthy(row.isPaused) : truthy(row.paused),
    parameters: parametersOf(row.serviceJobParameters),
  };
};

export const toJobRun = (row: Record<string, unknown>): JobRun | undefined => {
  const jobRunId = text(row.jobRunId);
  if (!jobRunId) return undefined;
  return {
    jobRunId,
    startTime: toEpochMs(row.startTime),
    endTime: toEpochMs(row.endTime),
    hasError: truthy(row.hasError),
  };
};

export const parameter = (job: ServiceJob, name: string): string | undefined => {
  const value = job.parameters?.find((candidate) => candidate.parameterName === name)?.parameterValue;
  return value === null || value === undefined || value.trim() === '' ? undefined : value.trim();
};

/**
 * Whether this job is the shop's fallback batch sync: its `systemMessageRemoteId` is the shop's remote, its
 * `systemMessageTypeId` is ShopifyOrderSync and it runs as a batch. The name says nothing (HotWax found
 * `queue_ShopifyOrderSync_10010` syncing another shop).
 */
export const isShopFallbackSync = (job: ServiceJob, systemMessageRemoteId: string): boolean =>
  parameter(job, 'systemMessageRemoteId') === systemMessageRemoteId &&
  parameter(job, 'systemMessageTypeId') === orderSyncMessageType &&
  truthy(parameter(job, 'runAsBatch'));

/** `yyyy-MM-dd HH:mm:ss` in UTC, the only timestamp the job runner takes (ISO fails the run). */
export const toJobTimestamp = (epochMs: number): string =>
  new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The parameter set with `fromDate` replaced (or added). The whole set is sent: whether the PUT merges or
 * replaces `serviceJobParameters` is undocumented.
 */
export const withFromDate = (
  parameters: readonly JobParameter[],
  fromDate: string | null,
): JobParameter[] => {
  const swapped = parameters.map((item) =>
    item.parameterName === 'fromDate' ? { ...item, parameterValue: fromDate } : { ...item },
  );
  if (!swapped.some((item) => item.parameterName === 'fromDate'))
    swapped.push({ parameterName: 'fromDate', parameterValue: fromDate });
  return swapped;
};
