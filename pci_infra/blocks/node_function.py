"""A Node.js Lambda function with the guard rails every function of ours gets.

Reserved concurrency (no runaway cost, no starving the account), X-Ray active tracing, a CMK-encrypted
dead-letter queue for failed asynchronous invocations, a CMK-encrypted log group with retention, a
role that can write only to its own log group, and environment variables encrypted with our key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws import (
    cloudwatch_log_group,
    iam_role,
    iam_role_policy,
    iam_role_policy_attachment,
    lambda_function,
)
from constructs import Construct

from pci_infra.blocks.grants import LazyPolicy
from pci_infra.blocks.lambda_package import build_package
from pci_infra.blocks.queue_with_dlq import parking_queue
from pci_infra.foundation.stack_context import StackContext
from pci_infra.policies.log_retention import AUDIT_LOG_RETENTION_DAYS
from pci_infra.policies.policy_document import Statement, trust_policy_json

RUNTIME = "nodejs22.x"
"""Node 20 reached end of life in 2026; the runtime brings the AWS SDK v3."""

VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"


@dataclass(frozen=True)
class FunctionHome:
    """Where a group of functions runs and which keys protect it: shared by the functions of a concern.

    Attributes:
        kms_key_arn: CMK for the DLQs and the environment variables.
        logs_key_arn: CMK for the log groups.
        subnet_ids: Subnets to run in (``None``: no VPC).
        security_group_ids: Security groups when in a VPC.
    """

    kms_key_arn: str
    logs_key_arn: str
    subnet_ids: list[str] | None = None
    security_group_ids: list[str] | None = None

    def __post_init__(self) -> None:
        """Subnets and security groups come together or not at all."""
        if bool(self.subnet_ids) != bool(self.security_group_ids):
            raise ValueError("FunctionHome: needs both subnet_ids and security_group_ids, or neither")

    def outside_vpc(self) -> FunctionHome:
        """The same keys, no VPC (for functions that call only AWS APIs and hold no card data)."""
        return FunctionHome(kms_key_arn=self.kms_key_arn, logs_key_arn=self.logs_key_arn)


@dataclass(frozen=True)
class NodeFunctionProps:
    """Inputs of :class:`NodeFunction`.

    Attributes:
        function_name: Name from the naming helper.
        source: Folder under ``lambda/``.
        description: What the function does.
        reserved_concurrency: Concurrent executions reserved (and capped) for the function.
        home: Where it runs and which keys protect it.
        environment: Environment variables (no secret values: those stay in SSM or Secrets Manager).
        statements: What the function may do beyond logging and tracing (grants add more).
        timeout_seconds: Function timeout.
        memory_mb: Memory size.
        log_retention_days: Log group retention.
    """

    function_name: str
    source: str
    description: str
    reserved_concurrency: int
    home: FunctionHome
    environment: dict[str, str] = field(default_factory=dict)
    statements: tuple[Statement, ...] = ()
    timeout_seconds: int = 30
    memory_mb: int = 256
    log_retention_days: int = AUDIT_LOG_RETENTION_DAYS

    def __post_init__(self) -> None:
        """Refuse unbounded or impossible settings before anything is created."""
        if not 1 <= self.reserved_concurrency <= 1000:
            raise ValueError(
                f"NodeFunctionProps.reserved_concurrency: {self.function_name} needs 1-1000 "
                f"(got {self.reserved_concurrency}); every function is capped"
            )
        if not 1 <= self.timeout_seconds <= 900:
            raise ValueError(
                f"NodeFunctionProps.timeout_seconds: Lambda allows 1-900 (got {self.timeout_seconds})"
            )


class NodeFunction(Construct):
    """One ``nodejs22.x`` function built from ``lambda/<source>``.

    Attributes:
        function_name: Function name.
        function_arn: Function ARN.
        role_arn: Execution role ARN.
        role_name: Execution role name.
        dlq_name: Dead-letter queue name (``<function>-dlq``).
        dlq_arn: Dead-letter queue ARN.
        log_group_name: Log group of the function.
        source_code_hash: Base64 SHA-256 of the deployed package.
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: NodeFunctionProps) -> None:
        """Package the code, then create log group, role, DLQ and function."""
        super().__init__(scope, construct_id)
        home = props.home
        package = build_package(props.source)
        asset = TerraformAsset(self, "code", path=str(package.path), type=AssetType.FILE)
        log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self,
            "logs",
            name=f"/aws/lambda/{props.function_name}",
            retention_in_days=props.log_retention_days,
            kms_key_id=home.logs_key_arn,
        )
        self.dlq_name: str = f"{props.function_name}-dlq"
        dlq = parking_queue(self, "dlq", name=self.dlq_name, kms_key_arn=home.kms_key_arn)
        role = iam_role.IamRole(
            self,
            "role",
            name=f"{props.function_name}-role",
            description=f"Execution role of {props.function_name}",
            assume_role_policy=trust_policy_json("lambda.amazonaws.com"),
        )
        baseline = (
            Statement(
                "OwnLogGroupOnly",
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                resources=(f"{log_group.arn}:*",),
            ),
            Statement("Tracing", ("xray:PutTraceSegments", "xray:PutTelemetryRecords")),
            Statement("DeadLetters", ("sqs:SendMessage",), resources=(dlq.arn,)),
            Statement(
                "DeadLettersAndEnvironmentKey",
                ("kms:Decrypt", "kms:GenerateDataKey"),
                resources=(home.kms_key_arn,),
            ),
        )
        self._policy = LazyPolicy(*baseline, *props.statements)
        policy = iam_role_policy.IamRolePolicy(
            self,
            "policy",
            name="function",
            role=role.id,
            policy=self._policy.to_json(),
        )
        depends_on = [policy, log_group]
        vpc_config = None
        if home.subnet_ids:
            depends_on.append(
                iam_role_policy_attachment.IamRolePolicyAttachment(
                    self,
                    "vpc-access",
                    role=role.name,
                    policy_arn=StackContext.of(self).managed_policy_arn(VPC_ACCESS_POLICY),
                )
            )
            vpc_config = lambda_function.LambdaFunctionVpcConfig(
                subnet_ids=home.subnet_ids, security_group_ids=home.security_group_ids or []
            )
        function = lambda_function.LambdaFunction(
            self,
            "function",
            function_name=props.function_name,
            description=props.description,
            role=role.arn,
            runtime=RUNTIME,
            handler="index.handler",
            filename=asset.path,
            source_code_hash=package.source_code_hash,
            timeout=props.timeout_seconds,
            memory_size=props.memory_mb,
            reserved_concurrent_executions=props.reserved_concurrency,
            tracing_config=lambda_function.LambdaFunctionTracingConfig(mode="Active"),
            dead_letter_config=lambda_function.LambdaFunctionDeadLetterConfig(target_arn=dlq.arn),
            kms_key_arn=home.kms_key_arn,
            environment=(
                lambda_function.LambdaFunctionEnvironment(variables=props.environment)
                if props.environment
                else None
            ),
            vpc_config=vpc_config,
            logging_config=lambda_function.LambdaFunctionLoggingConfig(
                log_format="JSON", log_group=log_group.name
            ),
            depends_on=depends_on,
        )
        self.function_name: str = function.function_name
        self.function_arn: str = function.arn
        self.role_arn: str = role.arn
        self.role_name: str = role.name
        self.dlq_arn: str = dlq.arn
        self.log_group_name: str = log_group.name
        self.source_code_hash: str = package.source_code_hash

    def add_to_role_policy(self, statement: Statement) -> None:
        """Add ``statement`` to the execution role's policy (rendered at synthesis)."""
        self._policy.add(statement)

    @property
    def policy_statements(self) -> tuple[Statement, ...]:
        """The execution role's statements so far."""
        return self._policy.statements
