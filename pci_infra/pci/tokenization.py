"""Card data processing: uploads to the raw bucket are tokenized into the processed bucket.

The tokenizer runs in the workload subnets with its own security group, reserved concurrency,
X-Ray and a DLQ, and may only read the raw bucket, write the processed bucket, use the data key and
read the tokenization key's secret, under the PCI guardrail denies. The tokenization key is a
secret whose value is written once, write-only, from the ephemeral variable ``tokenization_key``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformVariable
from cdktf_cdktf_provider_aws import (
    lambda_permission,
    s3_bucket_notification,
    secretsmanager_secret,
    secretsmanager_secret_version,
)
from constructs import Construct

from pci_infra.blocks.node_function import NodeFunction, NodeFunctionProps
from pci_infra.policies.guardrails import guardrail_denies
from pci_infra.policies.policy_document import Statement

TOKENIZATION_KEY_VARIABLE = "tokenization_key"
TOKENIZER_CONCURRENCY = 5


@dataclass(frozen=True)
class CardProcessingProps:
    """Inputs of :class:`CardProcessing`.

    Attributes:
        function_name: Tokenizer function name.
        secret_name: Name of the tokenization key's secret.
        raw_bucket_arn: Raw bucket ARN.
        raw_bucket_id: Raw bucket name (token).
        processed_bucket_arn: Processed bucket ARN.
        processed_bucket_name: Processed bucket name.
        data_key_arn: Data key.
        logs_key_arn: Logs key.
        subnet_ids: Workload subnets.
        security_group_id: The tokenizer's security group.
        partition: Partition (token).
        region: Region (the only approved one).
    """

    function_name: str
    secret_name: str
    raw_bucket_arn: str
    raw_bucket_id: str
    processed_bucket_arn: str
    processed_bucket_name: str
    data_key_arn: str
    logs_key_arn: str
    subnet_ids: list[str]
    security_group_id: str
    partition: str
    region: str


class CardProcessing(Construct):
    """Tokenization secret, tokenizer function and the raw bucket's upload notification.

    Attributes:
        tokenizer: The function.
        secret_arn: ARN of the tokenization key's secret.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: CardProcessingProps) -> None:
        """Create secret, function, permission and notification."""
        super().__init__(scope, construct_id)
        secret = secretsmanager_secret.SecretsmanagerSecret(
            self,
            "tokenization-key",
            name=props.secret_name,
            description="HMAC key of card tokenization (write-only from TF_VAR_tokenization_key)",
            kms_key_id=props.data_key_arn,
            recovery_window_in_days=0,
        )
        key = TerraformVariable(
            scope,
            TOKENIZATION_KEY_VARIABLE,
            type="string",
            sensitive=True,
            nullable=False,
            description="Card tokenization HMAC key, written to Secrets Manager write-only",
        )
        key.add_override("ephemeral", True)
        secretsmanager_secret_version.SecretsmanagerSecretVersion(
            self,
            "tokenization-key-value",
            secret_id=secret.id,
            secret_string_wo=key.string_value,
            secret_string_wo_version=1,
        )
        self.tokenizer = NodeFunction(
            self,
            "tokenizer",
            props=NodeFunctionProps(
                function_name=props.function_name,
                source="card-tokenizer",
                description="Tokenizes card data uploaded to the raw bucket into the processed bucket",
                reserved_concurrency=TOKENIZER_CONCURRENCY,
                dlq_name=f"{props.function_name}-dlq",
                kms_key_arn=props.data_key_arn,
                logs_key_arn=props.logs_key_arn,
                partition=props.partition,
                timeout_seconds=60,
                subnet_ids=props.subnet_ids,
                security_group_ids=[props.security_group_id],
                environment={
                    "PROCESSED_BUCKET": props.processed_bucket_name,
                    "DATA_KEY_ARN": props.data_key_arn,
                    "TOKENIZATION_SECRET_ARN": secret.arn,
                },
                statements=(
                    Statement("ReadRawCardData", ("s3:GetObject",), (f"{props.raw_bucket_arn}/*",)),
                    Statement("WriteTokenizedData", ("s3:PutObject",), (f"{props.processed_bucket_arn}/*",)),
                    Statement("TokenizationKey", ("secretsmanager:GetSecretValue",), (secret.arn,)),
                    Statement(
                        "DataKeyForObjectsAndSecret",
                        ("kms:Decrypt", "kms:GenerateDataKey"),
                        (props.data_key_arn,),
                    ),
                    *guardrail_denies((props.region,)),
                ),
            ),
        )
        permission = lambda_permission.LambdaPermission(
            self,
            "raw-bucket-invokes",
            statement_id="AllowRawBucketUploads",
            action="lambda:InvokeFunction",
            function_name=self.tokenizer.function_name,
            principal="s3.amazonaws.com",
            source_arn=props.raw_bucket_arn,
        )
        s3_bucket_notification.S3BucketNotification(
            self,
            "raw-uploads",
            bucket=props.raw_bucket_id,
            lambda_function=[
                s3_bucket_notification.S3BucketNotificationLambdaFunction(
                    lambda_function_arn=self.tokenizer.function_arn,
                    events=["s3:ObjectCreated:*"],
                    filter_suffix=".jsonl",
                )
            ],
            depends_on=[permission],
        )
        self.secret_arn: str = secret.arn
