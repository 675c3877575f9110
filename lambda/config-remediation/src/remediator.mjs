/**
 * Decides and performs the remediation for one "Config Rules Compliance Change" event.
 *
 * - a VPC found NON_COMPLIANT by the flow-logs rule gets a flow log (all traffic, to the platform's
 *   remediation log group), unless one already exists: events can arrive late or twice;
 * - unencrypted EBS volumes and RDS storage cannot be encrypted in place: the compliance topic is
 *   told which resource needs a person, and nothing is changed;
 * - anything else (COMPLIANT results, other rules) is ignored.
 */

/**
 * @param {{
 *   flowLogsRuleName: string,
 *   flowLogs: {logGroupName: string, deliveryRoleArn: string},
 *   listFlowLogs: (vpcId: string) => Promise<unknown[]>,
 *   createFlowLog: (request: object) => Promise<string>,
 *   notify: (subject: string, message: string) => Promise<void>,
 * }} deps
 */
export function createRemediator({ flowLogsRuleName, flowLogs, listFlowLogs, createFlowLog, notify }) {
  return async function remediate(event) {
    const detail = event?.detail ?? {};
    const compliance = detail.newEvaluationResult?.complianceType;
    if (event?.source !== 'aws.config' || compliance !== 'NON_COMPLIANT') {
      return { action: 'ignored', reason: `compliance ${compliance ?? 'unknown'}` };
    }
    const { configRuleName: rule, resourceType, resourceId } = detail;
    if (rule === flowLogsRuleName && resourceType === 'AWS::EC2::VPC') {
      if ((await listFlowLogs(resourceId)).length > 0) {
        return { action: 'none', reason: 'flow log already present', resourceId };
      }
      const flowLogId = await createFlowLog({
        ResourceType: 'VPC',
        ResourceIds: [resourceId],
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: flowLogs.logGroupName,
        DeliverLogsPermissionArn: flowLogs.deliveryRoleArn,
        MaxAggregationInterval: 60,
      });
      await notify(
        `Remediated: flow logs enabled on ${resourceId}`,
        JSON.stringify({ rule, resourceType, resourceId, flowLogId }),
      );
      return { action: 'flow_log_created', resourceId, flowLogId };
    }
    await notify(
      `Manual remediation required: ${rule}`,
      JSON.stringify({ rule, resourceType, resourceId, why: 'encryption cannot be enabled in place' }),
    );
    return { action: 'reported', resourceId };
  };
}
