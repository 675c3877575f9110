/**
 * Lambda entry point of the Config remediation (runtime nodejs22.x), invoked by the EventBridge rule
 * on Config compliance changes. Settings come from the environment: FLOW_LOGS_RULE_NAME,
 * FLOW_LOGS_LOG_GROUP, FLOW_LOGS_ROLE_ARN, COMPLIANCE_TOPIC_ARN.
 */

import { CreateFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

import { createRemediator } from './src/remediator.mjs';

const ec2 = new EC2Client({});
const sns = new SNSClient({});

const remediate = createRemediator({
  flowLogsRuleName: process.env.FLOW_LOGS_RULE_NAME,
  flowLogs: { logGroupName: process.env.FLOW_LOGS_LOG_GROUP, deliveryRoleArn: process.env.FLOW_LOGS_ROLE_ARN },
  listFlowLogs: async (vpcId) => {
    const out = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }));
    return out.FlowLogs ?? [];
  },
  createFlowLog: async (request) => {
    const out = await ec2.send(new CreateFlowLogsCommand(request));
    if (out.Unsuccessful?.length) throw new Error(`CreateFlowLogs: ${out.Unsuccessful[0].Error?.Message}`);
    return out.FlowLogIds[0];
  },
  notify: async (subject, message) => {
    await sns.send(
      new PublishCommand({ TopicArn: process.env.COMPLIANCE_TOPIC_ARN, Subject: subject.slice(0, 99), Message: message }),
    );
  },
});

export async function handler(event) {
  const outcome = await remediate(event);
  console.log(JSON.stringify({ message: 'config remediation', ...outcome }));
  return outcome;
}
