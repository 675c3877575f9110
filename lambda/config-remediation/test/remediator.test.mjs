import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { createRemediator } from '../src/remediator.mjs';

const change = (rule, resourceType, resourceId, complianceType = 'NON_COMPLIANT') => ({
  source: 'aws.config',
  'detail-type': 'Config Rules Compliance Change',
  detail: { configRuleName: rule, resourceType, resourceId, newEvaluationResult: { complianceType } },
});

describe('config remediation', () => {
  let existing;
  let created;
  let notes;
  let remediate;

  beforeEach(() => {
    existing = new Map();
    created = [];
    notes = [];
    remediate = createRemediator({
      flowLogsRuleName: 'vpc-flow-logs-enabled-dev',
      flowLogs: { logGroupName: '/remediation/flow-logs', deliveryRoleArn: 'arn:aws:iam::123456789012:role/fl' },
      listFlowLogs: async (vpcId) => existing.get(vpcId) ?? [],
      createFlowLog: async (request) => {
        created.push(request);
        existing.set(request.ResourceIds[0], [{ FlowLogId: 'fl-1' }]);
        return 'fl-1';
      },
      notify: async (subject, message) => notes.push({ subject, message: JSON.parse(message) }),
    });
  });

  it('enables flow logs on a non-compliant VPC, once, and says so', async () => {
    const event = change('vpc-flow-logs-enabled-dev', 'AWS::EC2::VPC', 'vpc-0abc');
    assert.deepEqual(await remediate(event), { action: 'flow_log_created', resourceId: 'vpc-0abc', flowLogId: 'fl-1' });
    assert.deepEqual(created, [
      {
        ResourceType: 'VPC',
        ResourceIds: ['vpc-0abc'],
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: '/remediation/flow-logs',
        DeliverLogsPermissionArn: 'arn:aws:iam::123456789012:role/fl',
        MaxAggregationInterval: 60,
      },
    ]);
    assert.equal(notes.length, 1);
    assert.match(notes[0].subject, /vpc-0abc/);

    assert.equal((await remediate(event)).action, 'none', 'a repeated event changes nothing');
    assert.equal(created.length, 1);
  });

  it('reports what cannot be fixed in place and changes nothing', async () => {
    const outcome = await remediate(change('encrypted-volumes-dev', 'AWS::EC2::Volume', 'vol-1'));
    assert.deepEqual(outcome, { action: 'reported', resourceId: 'vol-1' });
    assert.equal(created.length, 0);
    assert.deepEqual(notes[0].message, {
      rule: 'encrypted-volumes-dev',
      resourceType: 'AWS::EC2::Volume',
      resourceId: 'vol-1',
      why: 'encryption cannot be enabled in place',
    });
  });

  it('ignores compliant results and events from other sources', async () => {
    assert.equal((await remediate(change('vpc-flow-logs-enabled-dev', 'AWS::EC2::VPC', 'v', 'COMPLIANT'))).action, 'ignored');
    assert.equal((await remediate({ source: 'payments.processor', detail: {} })).action, 'ignored');
    assert.equal(created.length + notes.length, 0);
  });
});
