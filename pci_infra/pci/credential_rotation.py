"""Database credentials: an existing Secrets Manager secret, rotated automatically by our function.

The secret is not created here: it is looked up by name (data source), as the team that owns the
database keeps it. The stack adds the rotation function (the four steps, against PostgreSQL) and
turns automatic rotation on. moto cannot run the function, so the rotation resource is left out of
synthesis for moto alone (capability list); on the emulator pair it is deployed, and the journeys run
the function's four steps against a real PostgreSQL (lambda/secret-rotation tests besides).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws import (
    data_aws_secretsmanager_secret,
)
from constructs import Construct

from pci_infra.blocks.node_function import FunctionHome, NodeFunction, NodeFunctionProps
from pci_infra.blocks.secret_rotation import rotate_secret
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.guardrails import guardrail_denies
from pci_infra.policies.policy_document import Statement

ROTATION_DAYS = 30
ROTATION_CONCURRENCY = 2
RDS_CA_BUNDLE = "/var/runtime/ca-cert.pem"
"""Where the Lambda Node.js runtime keeps the RDS certificate authorities; Node 20+ trusts them only
when NODE_EXTRA_CA_CERTS names this file, and the function verifies the server (TLS, no fallback)."""


@dataclass(frozen=True)
class CredentialRotationProps:
    """Inputs of :class:`CredentialRotation`.

    Attributes:
        secret_name: Name of the existing secret holding the database credentials.
        function_name: Rotation function name.
        home: Where the function runs (workload subnets, its security group: HTTPS out, PostgreSQL
            inside the VPC) and the keys of its DLQ, environment and logs.
    """

    secret_name: str
    function_name: str
    home: FunctionHome


class CredentialRotation(Construct):
    """The looked-up secret, the rotation function and the rotation schedule.

    Attributes:
        secret_arn: ARN of the existing secret.
        function: The rotation function.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: CredentialRotationProps) -> None:
        """Look the secret up; create function, permission and rotation."""
        super().__init__(scope, construct_id)
        ctx = StackContext.of(self)
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
                home=props.home,
                timeout_seconds=60,
                environment={"NODE_EXTRA_CA_CERTS": RDS_CA_BUNDLE},
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
                        (ctx.arn("kms", "key/*"),),
                        conditions={
                            "StringEquals": {"kms:ViaService": ctx.service_principal("secretsmanager")}
                        },
                    ),
                    *guardrail_denies((ctx.region,)),
                ),
            ),
        )
        rotate_secret(
            self,
            secret_arn=secret.arn,
            function=self.function,
            every_days=ROTATION_DAYS,
            ids=("secretsmanager-invokes", "schedule"),
        )
        self.secret_arn: str = secret.arn
