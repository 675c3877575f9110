"""The payment processing platform stack (brief: payment-platform.md).

Composes constructs only; every name comes from the catalogue, every setting from :class:`Settings`.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from constructs_py.account import AccountContext
from constructs_py.aws_provider import AwsProviderProps, AwsProviderWiring
from constructs_py.kms_key import KmsKey, KmsKeyProps
from constructs_py.names import PaymentNames
from constructs_py.queue_with_dlq import QueueWithDlq, QueueWithDlqProps
from constructs_py.secure_bucket import LifecycleRule, SecureBucket, SecureBucketProps
from constructs_py.settings import Settings
from constructs_py.state_backend import StateBackendProps, configure_state_backend

STACK_NAME = "payment-platform"


class PaymentPlatformStack(TerraformStack):
    """Payment processing platform: keys, transaction log storage and the payments queue."""

    def __init__(self, scope: Construct, *, settings: Settings) -> None:
        """Compose the platform for one environment."""
        super().__init__(scope, STACK_NAME)
        namer = settings.namer
        AwsProviderWiring(
            self,
            "provider",
            props=AwsProviderProps(
                region=settings.region,
                default_tags=settings.tags,
                emulator_endpoint=settings.emulator_endpoint if settings.is_emulator else None,
            ),
        )
        configure_state_backend(
            self,
            STACK_NAME,
            props=StateBackendProps(
                backend=settings.backend,
                region=settings.region,
                environment_key=namer.full_suffix,
                emulator_endpoint=settings.emulator_endpoint if settings.is_emulator else None,
            ),
        )
        account = AccountContext(self, "account")

        data_key = KmsKey(
            self,
            "data-key",
            props=KmsKeyProps(
                alias=namer.name(PaymentNames.DATA_KEY),
                description=f"Payment data at rest (S3, SQS) for {namer.full_suffix}",
                account_id=account.account_id,
                partition=account.partition,
                region=settings.region,
                via_services=("s3", "sqs"),
            ),
        )
        transaction_logs = SecureBucket(
            self,
            "transaction-logs",
            props=SecureBucketProps(
                bucket_name=namer.name(PaymentNames.TRANSACTION_LOGS_BUCKET),
                kms_key_arn=data_key.key_arn,
                lifecycle_rules=(LifecycleRule("expire-noncurrent-versions", noncurrent_expiration_days=90),),
            ),
        )
        payments = QueueWithDlq(
            self,
            "payments-queue",
            props=QueueWithDlqProps(
                queue_name=namer.name(PaymentNames.PAYMENTS_QUEUE),
                dlq_name=namer.name(PaymentNames.PAYMENTS_DLQ),
                kms_key_arn=data_key.key_arn,
                target=settings.target,
            ),
        )

        outputs = {
            "data_key_arn": data_key.key_arn,
            "transaction_logs_bucket_name": transaction_logs.bucket_name,
            "payments_queue_url": payments.queue_url,
            "payments_dlq_url": payments.dlq_url,
        }
        for output_name, value in outputs.items():
            TerraformOutput(self, output_name, value=value)
