"""AWS Config recording for one account and region: recorder, delivery channel, status, role.

Shared by both stacks. Only one recorder may exist per account and region, so a stack either owns
it (this construct) or adopts the existing one by name (settings ``config_recorder``) and creates
only its rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    config_configuration_recorder,
    config_configuration_recorder_status,
    config_delivery_channel,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
)
from constructs import Construct

from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.policy_document import Statement, policy_json, trust_policy_json

CONFIG_ROLE_POLICY = "service-role/AWS_ConfigRole"
SNAPSHOT_FREQUENCY = "Six_Hours"


@dataclass(frozen=True)
class ConfigRecordingProps:
    """Inputs of :class:`ConfigRecording`.

    Attributes:
        recorder_name: Recorder and delivery channel name.
        role_name: Config service role name.
        bucket: Snapshot bucket.
        topic_arn: Topic told about deliveries and compliance changes.
        bucket_key_arn: CMK of the snapshot bucket.
        topic_key_arn: CMK of the topic.
    """

    recorder_name: str
    role_name: str
    bucket: SecureBucket
    topic_arn: str
    bucket_key_arn: str
    topic_key_arn: str


class ConfigRecording(Construct):
    """Recorder of every supported resource type, delivering to the encrypted bucket.

    Attributes:
        recorder_name: The recorder's name.
        ready: The enabled recorder status; Config rules depend on it.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ConfigRecordingProps) -> None:
        """Create role, recorder, delivery channel and recorder status."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        bucket_arn = props.bucket.bucket_arn
        role = iam_role.IamRole(
            self,
            "role",
            name=props.role_name,
            description="AWS Config recorder and delivery channel",
            assume_role_policy=trust_policy_json("config.amazonaws.com", source_account=ctx.account_id),
        )
        iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            "managed-policy",
            role=role.name,
            policy_arn=ctx.managed_policy_arn(CONFIG_ROLE_POLICY),
        )
        iam_role_policy.IamRolePolicy(
            self,
            "delivery",
            name="deliver-snapshots-and-notifications",
            role=role.id,
            policy=policy_json(
                Statement("PutSnapshots", ("s3:PutObject",), (f"{bucket_arn}/AWSLogs/{ctx.account_id}/*",)),
                Statement("CheckBucket", ("s3:GetBucketAcl",), (bucket_arn,)),
                Statement("Notify", ("sns:Publish",), (props.topic_arn,)),
                Statement(
                    "EncryptSnapshotsAndNotifications",
                    ("kms:GenerateDataKey", "kms:Decrypt"),
                    (props.bucket_key_arn, props.topic_key_arn),
                ),
            ),
        )
        recorder = config_configuration_recorder.ConfigConfigurationRecorder(
            self,
            "recorder",
            name=props.recorder_name,
            role_arn=role.arn,
            recording_group=config_configuration_recorder.ConfigConfigurationRecorderRecordingGroup(
                all_supported=True, include_global_resource_types=True
            ),
        )
        channel = config_delivery_channel.ConfigDeliveryChannel(
            self,
            "channel",
            name=props.recorder_name,
            s3_bucket_name=props.bucket.bucket_name,
            s3_kms_key_arn=props.bucket_key_arn,
            sns_topic_arn=props.topic_arn,
            snapshot_delivery_properties=config_delivery_channel.ConfigDeliveryChannelSnapshotDeliveryProperties(
                delivery_frequency=SNAPSHOT_FREQUENCY
            ),
            depends_on=[recorder],
        )
        self.ready = config_configuration_recorder_status.ConfigConfigurationRecorderStatus(
            self, "status", name=recorder.name, is_enabled=True, depends_on=[channel]
        )
        self.recorder_name: str = recorder.name
