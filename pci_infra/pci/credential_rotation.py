"""Database credentials: an existing Secrets Manager secret, rotated automatically by our function.

The secret is not created here: it is looked up by name (data source), as the team that owns the
database keeps it. The stack adds the rotation function (the four steps, against PostgreSQL) and
turns automatic rotation on. The emulator cannot run the function, so the rotation resource is
left out there (capability list); the function's code is exercised against the emulator's Secrets
Manager directly (lambda/secret-rotation tests, and the live test through the local handler).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    data_aws_secretsmanager_secret,
    lambda_permission,
    secretsmanager_secret_rotation,
)
from constructs import Construct

from pci_infra.app.settings import Target
from pci_infra.blocks.node_function import NodeFunction, NodeFunctionProps
from pci_infra.foundation.capabilities import hosts
from pci_infra.policies.guardrails import guardrail_denies
from pci_infra.policies.policy_document import Statement

ROTATION_DAYS = 30
ROTATION_CONCURRENCY = 2
ROTATION_TYPE = "aws_secretsmanager_secret_rotation"


@dataclass(frozen=True)
class CredentialRotationProps:
    """Inputs of :class:`CredentialRotation`.

    Attributes:
        secret_name: Name of the existing secret holding the database credentials.
        function_name: Rotation function name.
        data_key_arn: CMK of the function's environment and DLQ.
        logs_key_arn: CMK of its log group.
        subnet_ids: Workload subnets.
        security_group_id: The function's security group (HTTPS out, PostgreSQL inside the VPC).
        account_id: Account id (token): the secret's key is one of this account's keys.
        partition: Partition (token).
        region: Region (the only approved one).
        target: Deployment target.
    """

    secret_name: str
    function_name: str
    data_key_arn: str
    logs_key_arn: str
    subnet_ids: list[str]
    security_group_id: str
    account_id: str
    partition: str
    region: str
    target: Target


class CredentialRotation(Construct):
    """The looked-up secret, the rotation function and the rotation schedule.

    Attributes:
        secret_arn: ARN of the existing secret.
        function: The rotation function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: CredentialRotationProps) -> None:
        """Look the secret up; create function, permission and rotation."""
        super().__init__(scope, construct_id)
        secret = data_aws_secretsmanager_secret.DataAwsSecretsmanagerSecret(
            self, "existing", name=props.secret_name
        )
        self.function = NodeFunction(
            self,
            "rotation",
            props=NodeFunctionProps(
                function_name=props.function_name,
                source="secret-rotation",
                description="Rotates the PostgreSQL credentials of the existing database secret",
                reserved_concurrency=ROTATION_CONCURRENCY,
                dlq_name=f"{props.function_name}-dlq",
                kms_key_arn=props.data_key_arn,
                logs_key_arn=props.logs_key_arn,
                partition=props.partition,
                timeout_seconds=60,
                subnet_ids=props.subnet_ids,
                security_group_ids=[props.security_group_id],
                statements=(
                    Statement(
                        "RotateThisSecretOnly",
                        (
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:PutSecretValue",
                            "secretsmanager:UpdateSecretVersionStage",
                        ),
                        (secret.arn,),
                    ),
                    Statement("NewPasswords", ("secretsmanager:GetRandomPassword",)),
                    Statement(
                        "SecretKeyThroughSecretsManager",
                        ("kms:Decrypt", "kms:GenerateDataKey"),
                        (f"arn:{props.partition}:kms:{props.region}:{props.account_id}:key/*",),
                        conditions={
                            "StringEquals": {"kms:ViaService": f"secretsmanager.{props.region}.amazonaws.com"}
                        },
                    ),
                    *guardrail_denies((props.region,)),
                ),
            ),
        )
        permission = lambda_permission.LambdaPermission(
            self,
            "secretsmanager-invokes",
            statement_id="AllowSecretsManagerRotation",
            action="lambda:InvokeFunction",
            function_name=self.function.function_name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn,
        )
        if hosts(props.target, ROTATION_TYPE):
            secretsmanager_secret_rotation.SecretsmanagerSecretRotation(
                self,
                "schedule",
                secret_id=secret.arn,
                rotation_lambda_arn=self.function.function_arn,
                rotation_rules=secretsmanager_secret_rotation.SecretsmanagerSecretRotationRotationRules(
                    automatically_after_days=ROTATION_DAYS
                ),
                depends_on=[permission],
            )
        self.secret_arn: str = secret.arn
