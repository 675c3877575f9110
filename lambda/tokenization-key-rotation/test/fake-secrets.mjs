/**
 * An in-memory stand-in for the Secrets Manager API, enough of it for a rotation: versions with
 * staging labels, moved the way the service moves them (a label is on one version at a time; moving
 * AWSCURRENT puts AWSPREVIOUS on the version it left). It takes the SDK's real command objects.
 */

import { randomUUID } from 'node:crypto';

const notFound = (message) => Object.assign(new Error(message), { name: 'ResourceNotFoundException' });

export function createFakeSecrets() {
  const secrets = new Map();
  const calls = [];

  function secret(id) {
    const found = secrets.get(id);
    if (!found) throw notFound(`no secret ${id}`);
    return found;
  }

  function moveStage(s, stage, toVersion) {
    for (const version of s.versions.values()) version.stages.delete(stage);
    s.versions.get(toVersion).stages.add(stage);
  }

  const handlers = {
    CreateSecretCommand({ Name, SecretString }) {
      const versionId = randomUUID();
      secrets.set(Name, {
        rotationEnabled: true,
        versions: new Map([[versionId, { value: SecretString, stages: new Set(['AWSCURRENT']) }]]),
      });
      return { ARN: Name, VersionId: versionId };
    },
    DescribeSecretCommand({ SecretId }) {
      const s = secret(SecretId);
      const VersionIdsToStages = {};
      for (const [id, v] of s.versions) if (v.stages.size) VersionIdsToStages[id] = [...v.stages];
      return { ARN: SecretId, RotationEnabled: s.rotationEnabled, VersionIdsToStages };
    },
    GetSecretValueCommand({ SecretId, VersionId, VersionStage = VersionId ? undefined : 'AWSCURRENT' }) {
      const s = secret(SecretId);
      const matches = [...s.versions].filter(
        ([id, v]) => (!VersionId || id === VersionId) && (!VersionStage || v.stages.has(VersionStage)),
      );
      if (matches.length !== 1 || matches[0][1].value === undefined) throw notFound('no such version');
      const [id, v] = matches[0];
      return { ARN: SecretId, VersionId: id, SecretString: v.value, VersionStages: [...v.stages] };
    },
    PutSecretValueCommand({ SecretId, ClientRequestToken, SecretString, VersionStages = ['AWSCURRENT'] }) {
      const s = secret(SecretId);
      const existing = s.versions.get(ClientRequestToken);
      if (existing?.value !== undefined && existing.value !== SecretString) {
        throw Object.assign(new Error('version exists with another value'), { name: 'ResourceExistsException' });
      }
      s.versions.set(ClientRequestToken, { value: SecretString, stages: existing?.stages ?? new Set() });
      for (const stage of VersionStages) moveStage(s, stage, ClientRequestToken);
      return { ARN: SecretId, VersionId: ClientRequestToken };
    },
    UpdateSecretVersionStageCommand({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) {
      const s = secret(SecretId);
      const holder = [...s.versions].find(([, v]) => v.stages.has(VersionStage))?.[0];
      if (holder && holder !== RemoveFromVersionId) {
        throw Object.assign(new Error('RemoveFromVersionId does not hold the stage'), { name: 'InvalidParameterException' });
      }
      moveStage(s, VersionStage, MoveToVersionId);
      if (VersionStage === 'AWSCURRENT' && holder) moveStage(s, 'AWSPREVIOUS', holder);
      return { ARN: SecretId };
    },
  };

  return {
    calls,
    /** Announce a rotation the way the service does: the token as a pending version without a value. */
    announce(secretId, token) {
      const s = secret(secretId);
      s.versions.set(token, { value: undefined, stages: new Set() });
      moveStage(s, 'AWSPENDING', token);
    },
    disableRotation(secretId) {
      secret(secretId).rotationEnabled = false;
    },
    async send(command) {
      const name = command.constructor.name;
      calls.push(name);
      if (!handlers[name]) throw new Error(`the fake does not implement ${name}`);
      return structuredClone(handlers[name](command.input));
    },
  };
}
