"""The context of one stack: account, partition, region, target, and the ARNs built from them.

Constructs ask ``StackContext.of(self)`` for these, as CDK constructs ask ``Stack.of(this)``; Props
carry only what a concern decides. The account id and partition are read from the deploying
identity (data sources), so nothing here is guessed.
"""

from __future__ import annotations

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws import data_aws_caller_identity, data_aws_partition
from constructs import Construct, IConstruct

from pci_infra.app.settings import Target
from pci_infra.foundation.capabilities import hosts
from pci_infra.foundation.service_routing import MOTO_ALONE, EmulatorSet

CONTEXT_ID = "account"
"""Construct id of the context in its stack (also the prefix of the two data sources' addresses)."""


class StackContextMissingError(LookupError):
    """A construct asked for the context of a stack that has none."""


class StackContext(Construct):
    """Account id, partition and region of the deploying identity, and the deployment target.

    Attributes:
        account_id: Account id (token).
        partition: Partition (token), e.g. ``aws``.
        region: Region name.
        target: Where the stack is deployed; with ``emulators`` decides what :meth:`hosts` answers.
        emulators: The local emulators an emulator deployment runs on (``pair`` or ``moto``).
        root_arn: The account root principal's ARN.
    """

    def __init__(
        self, stack: TerraformStack, *, region: str, target: Target, emulators: EmulatorSet = MOTO_ALONE
    ) -> None:
        """Read the caller identity and partition once for ``stack``."""
        super().__init__(stack, CONTEXT_ID)
        identity = data_aws_caller_identity.DataAwsCallerIdentity(self, "identity")
        partition = data_aws_partition.DataAwsPartition(self, "partition")
        self.account_id: str = identity.account_id
        self.partition: str = partition.partition
        self.region: str = region
        self.target: Target = target
        self.emulators: EmulatorSet = emulators
        self.root_arn: str = self.arn("iam", "root", region="")

    @staticmethod
    def of(construct: IConstruct) -> StackContext:
        """The context of the stack ``construct`` belongs to.

        Raises:
            StackContextMissingError: The stack was built without one.
        """
        stack = TerraformStack.of(construct)
        found = stack.node.try_find_child(CONTEXT_ID)
        if not isinstance(found, StackContext):
            raise StackContextMissingError(
                f"{construct.node.path}: its stack {stack.node.id!r} has no StackContext (create one first)"
            )
        return found

    @property
    def is_emulator(self) -> bool:
        """Whether the stack is deployed to the embedded emulator."""
        return self.target is Target.EMULATOR

    def hosts(self, resource_type: str) -> bool:
        """Whether this stack's target can host ``resource_type`` (the emulator capability list)."""
        return hosts(self.target, resource_type, self.emulators)

    def arn(
        self, service: str, resource: str, *, region: str | None = None, account: str | None = None
    ) -> str:
        """An ARN in this partition: ``arn:<partition>:<service>:<region>:<account>:<resource>``.

        ``region`` and ``account`` default to this stack's; pass ``""`` for services whose ARNs
        carry none (IAM has no region, S3 buckets neither) or ``"*"`` for any.
        """
        where = self.region if region is None else region
        owner = self.account_id if account is None else account
        return f"arn:{self.partition}:{service}:{where}:{owner}:{resource}"

    def managed_policy_arn(self, name: str) -> str:
        """ARN of the AWS managed policy ``name`` (e.g. ``service-role/AWSConfigRole``)."""
        return self.arn("iam", f"policy/{name}", region="", account="aws")

    def service_principal(self, service: str) -> str:
        """The regional service principal of ``service``, e.g. ``logs.us-east-1.amazonaws.com``."""
        return f"{service}.{self.region}.amazonaws.com"
