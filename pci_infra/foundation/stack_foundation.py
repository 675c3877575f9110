"""What every stack starts with: provider wiring, state backend and the account it lands in."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack

from pci_infra.app.settings import Settings
from pci_infra.foundation.account import AccountContext
from pci_infra.foundation.aws_provider import AwsProviderProps, AwsProviderWiring
from pci_infra.foundation.state_backend import StateBackendProps, configure_state_backend


@dataclass(frozen=True)
class StackFoundation:
    """The account context of a stack.

    Attributes:
        account: Account id and partition (tokens).
        where: ``account_id``, ``partition`` and ``region``, as most props take them.
    """

    account: AccountContext
    where: dict[str, str]


def lay_foundation(stack: TerraformStack, stack_name: str, settings: Settings) -> StackFoundation:
    """Wire the AWS provider (default tags, emulator endpoints) and the state backend of ``stack``."""
    emulator = settings.emulator_endpoint if settings.is_emulator else None
    AwsProviderWiring(
        stack,
        "provider",
        props=AwsProviderProps(
            region=settings.region, default_tags=settings.tags, emulator_endpoint=emulator
        ),
    )
    configure_state_backend(
        stack,
        stack_name,
        props=StateBackendProps(
            backend=settings.backend,
            region=settings.region,
            environment_key=settings.namer.full_suffix,
            emulator_endpoint=emulator,
        ),
    )
    account = AccountContext(stack, "account")
    return StackFoundation(
        account=account,
        where={"account_id": account.account_id, "partition": account.partition, "region": settings.region},
    )
