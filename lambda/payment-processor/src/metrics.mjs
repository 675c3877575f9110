/**
 * The failed-payment metric, in CloudWatch embedded metric format: one structured log line per
 * failure, turned into a metric by CloudWatch Logs with no API call from the function.
 */

export const METRIC_NAME = 'FailedPayments';

/**
 * @param {string} namespace CloudWatch namespace
 * @param {(line: string) => void} write where log lines go (console.log in Lambda)
 * @param {() => number} now epoch milliseconds
 */
export function createMetrics(namespace, write, now = Date.now) {
  return {
    /** @param {string} reason short failure reason, kept as a dimension */
    failedPayment(reason) {
      write(
        JSON.stringify({
          _aws: {
            Timestamp: now(),
            CloudWatchMetrics: [
              { Namespace: namespace, Dimensions: [[]], Metrics: [{ Name: METRIC_NAME, Unit: 'Count' }] },
            ],
          },
          [METRIC_NAME]: 1,
          Reason: reason,
        }),
      );
    },
  };
}
