/**
 * The `POST /api/scheduleService` body of Job Manager's "Run now" (job-manager v2.35.2
 * `store/modules/job/actions.ts` › `runServiceNow`, `utils/index.ts` › `generateJobCustomParameters`), built from
 * the job definition `findJobs` returned. Pure, so the exact shape is unit-tested.
 */

/** A job definition (JobSandbox) as `findJobs` returns it, with its parsed `runtimeData`. */
export interface OfbizJobDefinition {
  jobId: string;
  jobName?: string | undefined;
  serviceName?: string | undefined;
  systemJobEnumId: string;
  statusId?: string | undefined;
  /** the recurrence of a SERVICE_PENDING schedule; a one-off run has none */
  tempExprId?: string | undefined;
  /** a schedule's parent is the SERVICE_DRAFT template */
  parentJobId?: string | undefined;
  shopId?: string | undefined;
  productStoreId?: string | undefined;
  runTime?: number | undefined;
  /** the job's service parameters (custom parameters), e.g. `{"shopifyConfigId", "frequency"}` */
  runtimeData?: Record<string, unknown> | undefined;
}

export interface RunNowContext {
  /** this monitor's shop, used where Job Manager uses the user's selected shop (a draft has no shop yet) */
  shopifyConfigId: string;
  shopId: string;
  productStoreId: string;
  /** Job Manager sends the user's time zone */
  recurrenceTimeZone: string;
  /** required parameters absent from the runtime data, e.g. JOB_IMP_ORD's `frequency` */
  requiredDefaults?: Readonly<Record<string, string>>;
}

const defined = (entries: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));

export const runNowPayload = (job: OfbizJobDefinition, context: RunNowContext): Record<string, unknown> => {
  const pending = job.statusId === 'SERVICE_PENDING';
  const runtimeData = job.runtimeData ?? {};
  const keys = Object.keys(runtimeData);
  // generateJobCustomParameters: every runtime-data key at the top level, the string "null" sent as ''.
  const customParameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context.requiredDefaults ?? {})) {
    if (!keys.includes(key)) customParameters[key] = value;
  }
  for (const key of keys) customParameters[key] = runtimeData[key] === 'null' ? '' : runtimeData[key];

  const productStoreId = pending ? job.productStoreId : context.productStoreId;
  const payload: Record<string, unknown> = {
    JOB_NAME: job.jobName,
    SERVICE_NAME: job.serviceName,
    SERVICE_COUNT: '0',
    // Job Manager fills SERVICE_TEMP_EXPR and jobFields.tempExprId from the form's frequency (`job.jobStatus`),
    // which "Run now" leaves unset: a one-off run carrying the schedule's tempExprId would look like a second
    // recurring schedule to Job Manager (its pending-jobs query is `tempExprId_op: not-empty`).
    jobFields: defined({
      productStoreId,
      systemJobEnumId: job.systemJobEnumId,
      instanceOfProductId: job.systemJobEnumId,
      tempExprId: undefined,
      parentJobId: job.parentJobId,
      recurrenceTimeZone: context.recurrenceTimeZone,
    }),
    statusId: 'SERVICE_PENDING',
    systemJobEnumId: job.systemJobEnumId,
    ...customParameters,
  };
  if (typeof runtimeData.productStoreId === 'string') payload.productStoreId = productStoreId;
  if (keys.includes('shopifyConfigId') || keys.includes('shopId')) {
    if (keys.includes('shopifyConfigId')) {
      payload.shopifyConfigId = pending ? runtimeData.shopifyConfigId : context.shopifyConfigId;
    }
    if (keys.includes('shopId')) payload.shopId = pending ? runtimeData.shopId : context.shopId;
    (payload.jobFields as Record<string, unknown>).shopId = pending ? job.shopId : context.shopId;
  }
  return defined(payload);
};
