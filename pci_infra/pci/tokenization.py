"""Card data processing: uploads to the raw bucket are tokenized into the processed bucket.

The tokenizer runs in the workload subnets with its own security group, reserved concurrency,
X-Ray and a DLQ, and may only read the raw bucket, write the processed bucket, use the data key and
read the tokenization key's secret, under the PCI guardrail denies. The tokenization key is a
secret holding a key ring: its first version is written once, write-only, from the ephemeral
variable ``tokenization_key``; a rotation function adds a new version every 90 days and keeps the
older ones, so tokens (which carry their key version) still match after a rotation.
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

from pci_infra.blocks.kms_key import KmsKey
from pci_infra.blocks.node_function import FunctionHome, NodeFunction, NodeFunctionProps
from pci_infra.blocks.secret_rotation import rotate_secret
from pci_infra.blocks.secure_bucket import SecureBucket
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.guardrails import guardrail_denies
from pci_infra.policies.policy_document import Statement

TOKENIZATION_KEY_VARIABLE = "tokenization_key"
TOKENIZER_CONCURRENCY = 5
KEY_ROTATION_DAYS = 90
"""Cryptoperiod of the tokenization key (PCI DSS 3.6.4): a new key version every 90 days.

Tokens carry their key version, and the key ring keeps every version, so tokens made under an
older key still match after a rotation."""
KEY_ROTATION_CONCURRENCY = 1
SECRET_RECOVERY_DAYS = 30


@dataclass(frozen=True)
class CardProcessingProps:
    """Inputs of :class:`CardProcessing`.

    Attributes:
        function_name: Tokenizer function name.
        key_rotation_function_name: Name of the function adding tokenization key versions.
        secret_name: Name of the tokenization key's secret.
        raw: Raw card data bucket (uploads trigger the tokenizer).
        processed: Tokenized data bucket.
        data_key: Data key (objects and the secret).
        home: Where both functions run (workload subnets, the tokenizer's security group) and the
            keys of their DLQs, environments and logs.
        deletion_protection: Keep the key ring 30 days after a deletion (every token depends on
            it); throwaway environments delete it at once.
    """

    function_name: str
    key_rotation_function_name: str
    secret_name: str
    raw: SecureBucket
    processed: SecureBucket
    data_key: KmsKey
    home: FunctionHome
    deletion_protection: bool = False


class CardProcessing(Construct):
    """Tokenization secret and its rotation, tokenizer function and the raw bucket's upload notification.

    Attributes:
        tokenizer: The tokenizer function.
        key_rotation: The function adding a tokenization key version on each rotation.
        secret_arn: ARN of the tokenization key's secret.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: CardProcessingProps) -> None:
        """Create secret, functions, permissions, rotation and notification."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
        secret = secretsmanager_secret.SecretsmanagerSecret(
            self,
            "tokenization-key",
            name=props.secret_name,
            description="HMAC key ring of card tokenization (first version from TF_VAR_tokenization_key)",
            kms_key_id=props.data_key.key_arn,
            recovery_window_in_days=SECRET_RECOVERY_DAYS if props.deletion_protection else 0,
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
        value = secretsmanager_secret_version.SecretsmanagerSecretVersion(
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
                home=props.home,
                timeout_seconds=60,
                environment={
                    "PROCESSED_BUCKET": props.processed.bucket_name,
                    "DATA_KEY_ARN": props.data_key.key_arn,
                    "TOKENIZATION_SECRET_ARN": secret.arn,
                },
            ),
        )
        props.raw.grant_read(self.tokenizer, sid="ReadRawCardData")
        props.processed.grant_write(self.tokenizer, sid="WriteTokenizedData")
        self.tokenizer.add_to_role_policy(
            Statement("TokenizationKey", ("secretsmanager:GetSecretValue",), (secret.arn,))
        )
        for deny in guardrail_denies((ctx.region,)):
            self.tokenizer.add_to_role_policy(deny)
        self.key_rotation = NodeFunction(
            self,
            "key-rotation",
            props=NodeFunctionProps(
                function_name=props.key_rotation_function_name,
                source="tokenization-key-rotation",
                description="Adds a tokenization key version to the key ring (Secrets Manager rotation)",
                reserved_concurrency=KEY_ROTATION_CONCURRENCY,
                home=props.home,
                timeout_seconds=30,
                statements=(
                    Statement(
                        "RotateTheTokenizationKeyOnly",
                        (
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:PutSecretValue",
                            "secretsmanager:UpdateSecretVersionStage",
                        ),
                        (secret.arn,),
                    ),
                ),
            ),
        )
        for deny in guardrail_denies((ctx.region,)):
            self.key_rotation.add_to_role_policy(deny)
        rotate_secret(
            self,
            secret_arn=secret.arn,
            function=self.key_rotation,
            every_days=KEY_ROTATION_DAYS,
            ids=("secretsmanager-invokes-key-rotation", "key-rotation-schedule"),
            depends_on=(value,),
        )
        permission = lambda_permission.LambdaPermission(
            self,
            "raw-bucket-invokes",
            statement_id="AllowRawBucketUploads",
            action="lambda:InvokeFunction",
            function_name=self.tokenizer.function_name,
            principal="s3.amazonaws.com",
            source_arn=props.raw.bucket_arn,
        )
        s3_bucket_notification.S3BucketNotification(
            self,
            "raw-uploads",
            bucket=props.raw.bucket_id,
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
