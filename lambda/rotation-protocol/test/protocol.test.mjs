import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { finishRotation, rotationHandler } from '../index.mjs';

/** A Secrets Manager stand-in holding version stages; it records the calls it gets. */
function fakeSecrets(stages) {
  const calls = [];
  const send = async (name, input) => {
    calls.push([name, input]);
    if (name === 'DescribeSecretCommand') return { RotationEnabled: true, VersionIdsToStages: stages };
    return {};
  };
  return { send, calls };
}

describe('the rotation protocol', () => {
  it('runs a step for a pending version and skips one already current', async () => {
    const ran = [];
    const steps = { createSecret: async (id, token) => ran.push(['createSecret', id, token]), finishSecret: async () => {} };
    const { send } = fakeSecrets({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });
    const rotate = rotationHandler(steps, send);
    assert.deepEqual(await rotate({ SecretId: 's', ClientRequestToken: 'v2', Step: 'createSecret' }), { step: 'createSecret' });
    assert.deepEqual(await rotate({ SecretId: 's', ClientRequestToken: 'v1', Step: 'createSecret' }), { step: 'createSecret', skipped: 'already current' });
    assert.deepEqual(ran, [['createSecret', 's', 'v2']]);
  });

  it('refuses an unknown step, an inherited name included, and a version of no rotation', async () => {
    const { send } = fakeSecrets({ v1: ['AWSCURRENT'], old: ['AWSPREVIOUS'] });
    const rotate = rotationHandler({ testSecret: async () => {} }, send);
    await assert.rejects(rotate({ SecretId: 's', ClientRequestToken: 'v1', Step: 'toString' }), /unknown rotation step toString/);
    await assert.rejects(rotate({ SecretId: 's', ClientRequestToken: 'old', Step: 'testSecret' }), /not pending rotation/);
    await assert.rejects(rotate({ SecretId: 's', ClientRequestToken: 'nope', Step: 'testSecret' }), /is not a version of s/);
  });

  it('moves AWSCURRENT to the pending version once', async () => {
    const moving = fakeSecrets({ v1: ['AWSCURRENT'], v2: ['AWSPENDING'] });
    assert.equal(await finishRotation(moving.send, 's', 'v2'), true);
    assert.deepEqual(moving.calls.at(-1), [
      'UpdateSecretVersionStageCommand',
      { SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: 'v2', RemoveFromVersionId: 'v1' },
    ]);
    const done = fakeSecrets({ v2: ['AWSCURRENT'] });
    assert.equal(await finishRotation(done.send, 's', 'v2'), false);
    assert.equal(done.calls.length, 1);
  });
});
