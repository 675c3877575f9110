"""Streaming analytics: payment transaction logs through Kinesis Data Firehose into S3.

Records pass the transformation function, which runs in the private subnets and masks every
Luhn-valid card number anywhere in a record (malformed records too: those are marked
``ProcessingFailed`` and land masked under the error prefix). They land GZIP-compressed and encrypted
with our data key in the stream bucket (Intelligent-Tiering from day 0). No source record is backed
up as received, since raw records carry full card numbers. The delivery role can touch exactly that
bucket, that key, that function and its own log stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    cloudwatch_log_group,
    cloudwatch_log_stream,
    iam_role,
    iam_role_policy,
)
from cdktf_cdktf_provider_aws import (
    kinesis_firehose_delivery_stream as kfd,
)
from constructs import Construct

from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.node_function import FunctionHome, NodeFunction, NodeFunctionProps
from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS
from pci_infra.policies.policy_document import Statement, policy_json, trust_policy_json

DATA_PREFIX = "transactions/!{timestamp:yyyy/MM/dd}/"
ERROR_PREFIX = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
TRANSFORMER_CONCURRENCY = 5


@dataclass(frozen=True)
class TransactionStreamProps:
    """Inputs of :class:`TransactionStream`.

    Attributes:
        stream_name: Delivery stream name.
        role_name: Delivery role name.
        transformer_name: Transformation function name.
        bucket: Destination bucket.
        data_key: CMK of the bucket objects and the stream.
        home: Where the transformer runs (the private subnets: it handles full card numbers) and
            the keys of its DLQ, environment and logs (also the stream's log group).
    """

    stream_name: str
    role_name: str
    transformer_name: str
    bucket: SecureBucket
    data_key: KmsKey
    home: FunctionHome


class TransactionStream(Construct):
    """Firehose delivery stream, its role, log stream and transformation function.

    Attributes:
        stream_name: Delivery stream name.
        stream_arn: Delivery stream ARN.
        role_arn: Delivery role ARN.
        transformer: The transformation function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: TransactionStreamProps) -> None:
        """Create function, role, logging and the stream."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        bucket_arn, data_key_arn = props.bucket.bucket_arn, props.data_key.key_arn
        self.transformer = NodeFunction(
            self,
            "transformer",
            props=NodeFunctionProps(
                function_name=props.transformer_name,
                source="firehose-transformer",
                description="Masks card numbers in transaction logs, malformed records included",
                reserved_concurrency=TRANSFORMER_CONCURRENCY,
                home=props.home,
                timeout_seconds=60,
            ),
        )
        log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "logs",
            name=f"/aws/kinesisfirehose/{props.stream_name}",
            retention_in_days=AUDIT_LOG_RETENTION_DAYS,
            kms_key_id=props.home.logs_key_arn,
        )
        log_stream = cloudwatch_log_stream.CloudwatchLogStream(
            self, "delivery-log", name="DestinationDelivery", log_group_name=log_group.name
        )
        role = iam_role.IamRole(
            self,
            "role",
            name=props.role_name,
            description=f"Firehose delivery of {props.stream_name}",
            assume_role_policy=trust_policy_json("firehose.amazonaws.com", source_account=ctx.account_id),
        )
        function_arn = self.transformer.function_arn
        policy = iam_role_policy.IamRolePolicy(
            self,
            "policy",
            name="deliver",
            role=role.id,
            policy=policy_json(
                Statement(
                    "WriteTheStreamBucketOnly",
                    (
                        "s3:AbortMultipartUpload",
                        "s3:GetBucketLocation",
                        "s3:GetObject",
                        "s3:ListBucket",
                        "s3:ListBucketMultipartUploads",
                        "s3:PutObject",
                    ),
                    resources=(bucket_arn, f"{bucket_arn}/*"),
                ),
                Statement(
                    "EncryptWithTheDataKeyThroughS3",
                    ("kms:GenerateDataKey", "kms:Decrypt"),
                    resources=(data_key_arn,),
                    conditions={
                        "StringEquals": {"kms:ViaService": ctx.service_principal("s3")},
                        "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"{bucket_arn}/*"},
                    },
                ),
                Statement(
                    "InvokeTheTransformerOnly",
                    ("lambda:InvokeFunction", "lambda:GetFunctionConfiguration"),
                    resources=(function_arn, f"{function_arn}:*"),
                ),
                Statement(
                    "OwnLogStreamOnly",
                    ("logs:PutLogEvents",),
                    resources=(f"{log_group.arn}:log-stream:{log_stream.name}",),
                ),
            ),
        )
        logging = kfd.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptions(
            enabled=True, log_group_name=log_group.name, log_stream_name=log_stream.name
        )
        stream = kfd.KinesisFirehoseDeliveryStream(
            self,
            "stream",
            name=props.stream_name,
            destination="extended_s3",
            server_side_encryption=kfd.KinesisFirehoseDeliveryStreamServerSideEncryption(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=data_key_arn
            ),
            extended_s3_configuration=kfd.KinesisFirehoseDeliveryStreamExtendedS3Configuration(
                role_arn=role.arn,
                bucket_arn=bucket_arn,
                prefix=DATA_PREFIX,
                error_output_prefix=ERROR_PREFIX,
                compression_format="GZIP",
                kms_key_arn=data_key_arn,
                buffering_interval=60,
                buffering_size=5,
                cloudwatch_logging_options=logging,
                processing_configuration=kfd.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfiguration(
                    enabled=True,
                    processors=[
                        kfd.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessors(
                            type="Lambda",
                            parameters=[
                                kfd.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorsParameters(
                                    parameter_name="LambdaArn", parameter_value=f"{function_arn}:$LATEST"
                                )
                            ],
                        )
                    ],
                ),
                # No source-record backup: raw records carry full card numbers (PCI DSS 3.3/3.5).
                # Records the transformer fails are written masked under ERROR_PREFIX instead.
                s3_backup_mode="Disabled",
            ),
            depends_on=[policy],
        )
        self.stream_name: str = stream.name
        self.stream_arn: str = stream.arn
        self.role_arn: str = role.arn
