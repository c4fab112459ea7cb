import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { type RetrySchedule, retryDelaySeconds } from '../../domain/retry-schedule.js';

/** A record the handler reports failed, with what it knows about when a retry can succeed. */
export interface FailedRecord {
  receiptHandle: string;
  /** `ApproximateReceiveCount` of this delivery */
  receiveCount: number;
  /** no retry before this many seconds (Slack's Retry-After) */
  notBeforeSeconds?: number | undefined;
  /** the record can never succeed (malformed): let it reach the DLQ without waiting */
  permanent?: boolean;
  /** the queue it came from (the event's `eventSourceARN`), when it may be another than the configured one */
  sourceArn?: string;
}

/** The URL of a queue of the same account and endpoint as `queueUrl`, named by its ARN. */
const urlOf = (queueUrl: string, arn: string | undefined) => {
  const name = arn?.split(':').at(-1);
  return name ? queueUrl.replace(/[^/]+$/, name) : queueUrl;
};

/** Holds failed records back for the retry schedule's wait before SQS hands them out again. */
export type RetryLater = (records: readonly FailedRecord[]) => Promise<void>;

/**
 * Lambda's SQS event source leaves a failed record invisible for the queue's whole visibility timeout, the same
 * wait every time. The handler sets each failed record's visibility instead, growing with its receive count as the
 * schedule says, so outages of minutes to hours are retried through without flooding HotWax or Slack. Should this
 * call fail, the record simply comes back after the queue's visibility timeout.
 */
export const createRetryLater = (params: {
  client: SQSClient;
  queueUrl: string;
  schedule: RetrySchedule;
  onError?: (error: unknown) => void;
  random?: () => number;
}): RetryLater => {
  const byQueue = (records: readonly FailedRecord[]) => {
    const groups = new Map<string, FailedRecord[]>();
    for (const record of records) {
      const url = urlOf(params.queueUrl, record.sourceArn);
      groups.set(url, [...(groups.get(url) ?? []), record]);
    }
    return groups;
  };
  return async (all) => {
    for (const [queueUrl, records] of byQueue(all)) await setVisibility(queueUrl, records);
  };

  async function setVisibility(queueUrl: string, records: readonly FailedRecord[]) {
    for (let start = 0; start < records.length; start += 10) {
      const entries = records.slice(start, start + 10).map((record, index) => ({
        Id: String(index),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: record.permanent
          ? 0
          : retryDelaySeconds(params.schedule, record.receiveCount, {
              notBeforeSeconds: record.notBeforeSeconds,
              ...(params.random ? { random: params.random } : {}),
            }),
      }));
      try {
        const { Failed = [] } = await params.client.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        if (Failed.length > 0) params.onError?.(new Error(`visibility not set for ${Failed.length} records`));
      } catch (error) {
        params.onError?.(error);
      }
    }
  }
};

/** The records of an SQS batch the handler reported failed, ready for `RetryLater`. */
export const failedRecords = (
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
  details: (record: SQSRecord) => Partial<FailedRecord> = () => ({}),
): FailedRecord[] => {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  return records
    .filter((record) => failed.has(record.messageId))
    .map((record) => ({
      receiptHandle: record.receiptHandle,
      receiveCount: Number(record.attributes.ApproximateReceiveCount ?? 1),
      ...(record.eventSourceARN ? { sourceArn: record.eventSourceARN } : {}),
      ...details(record),
    }));
};
