/**
 * How long a failed check or notification is retried before it is dead-lettered, and how long each wait is: the
 * one place these numbers live (#11 §4). The stateful stack's redrive policy (`maxReceiveCount`), `npm start`'s
 * local queues and the handlers that set each failed record's visibility all read this module, so AWS and the
 * local runtime retry alike.
 *
 * Sized to real outages: HotWax maintenance windows last minutes to an hour, Slack's rare outages about as long.
 * The waits double from 10 s to 5 minutes, so a dependency back after an outage is tried again within 5 minutes,
 * and a message is retried for about 2 hours before it reaches its DLQ. What does reach the DLQ is moved back
 * once the dependency answers again (`redrive-dead-letters`).
 */
export interface RetrySchedule {
  /** wait before the first retry, in seconds */
  readonly firstDelaySeconds: number;
  /** the waits double up to this, in seconds */
  readonly maxDelaySeconds: number;
  /** receives of a message before SQS moves it to the DLQ */
  readonly maxReceiveCount: number;
}

export const defaultRetrySchedule: RetrySchedule = {
  firstDelaySeconds: 10,
  maxDelaySeconds: 300,
  maxReceiveCount: 30,
};

/** SQS's limit on a message's visibility timeout (12 hours). */
export const maxVisibilitySeconds = 43_200;
/** Up to this share is added to each wait, so messages failed together do not all come back together. */
const jitter = 0.2;

const nominalDelay = (schedule: RetrySchedule, receiveCount: number) =>
  Math.min(schedule.maxDelaySeconds, schedule.firstDelaySeconds * 2 ** Math.max(0, receiveCount - 1));

/** Seconds a record stays invisible after its `receiveCount`-th receive failed (at least `notBeforeSeconds`). */
export const retryDelaySeconds = (
  schedule: RetrySchedule,
  receiveCount: number,
  options: { notBeforeSeconds?: number | undefined; random?: () => number } = {},
): number => {
  const wait = Math.ceil(
    nominalDelay(schedule, receiveCount) * (1 + jitter * (options.random ?? Math.random)()),
  );
  return Math.min(maxVisibilitySeconds, Math.max(wait, Math.ceil(options.notBeforeSeconds ?? 0)));
};

/** How long a message that keeps failing is retried before SQS dead-letters it (nominal waits, no jitter). */
export const retryWindowSeconds = (schedule: RetrySchedule): number => {
  let total = 0;
  for (let receive = 1; receive < schedule.maxReceiveCount; receive++)
    total += nominalDelay(schedule, receive);
  return total;
};
