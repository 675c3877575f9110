"""Automatic rotation of a Secrets Manager secret by one of our functions."""

from __future__ import annotations

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws import lambda_permission, secretsmanager_secret_rotation
from constructs import Construct

from pci_infra.blocks.node_function import NodeFunction
from pci_infra.foundation.stack_context import StackContext

ROTATION_TYPE = "aws_secretsmanager_secret_rotation"


def rotate_secret(
    scope: Construct,
    *,
    secret_arn: str,
    function: NodeFunction,
    every_days: int,
    ids: tuple[str, str],
    depends_on: tuple[ITerraformDependable, ...] = (),
) -> None:
    """Let Secrets Manager invoke ``function`` for ``secret_arn`` only, and rotate every ``every_days``.

    ``ids`` are the construct ids of the permission and the schedule. moto cannot run the function,
    so the schedule is left out of synthesis for moto alone (capability list); the permission stays.
    """
    permission_id, schedule_id = ids
    permission = lambda_permission.LambdaPermission(
        scope,
        permission_id,
        statement_id="AllowSecretsManagerRotation",
        action="lambda:InvokeFunction",
        function_name=function.function_name,
        principal="secretsmanager.amazonaws.com",
        source_arn=secret_arn,
    )
    if StackContext.of(scope).hosts(ROTATION_TYPE):
        secretsmanager_secret_rotation.SecretsmanagerSecretRotation(
            scope,
            schedule_id,
            secret_id=secret_arn,
            rotation_lambda_arn=function.function_arn,
            rotation_rules=secretsmanager_secret_rotation.SecretsmanagerSecretRotationRotationRules(
                automatically_after_days=every_days
            ),
            depends_on=[permission, *depends_on],
        )
