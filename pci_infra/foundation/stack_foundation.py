"""What every stack starts with: provider wiring, state backend and the stack's context."""

from __future__ import annotations

from cdktf import TerraformStack

from pci_infra.app.settings import Settings
from pci_infra.foundation.aws_provider import AwsProviderProps, AwsProviderWiring
from pci_infra.foundation.stack_context import StackContext
from pci_infra.foundation.state_backend import StateBackendProps, configure_state_backend


def lay_foundation(stack: TerraformStack, stack_name: str, settings: Settings) -> StackContext:
    """Wire the AWS provider (default tags, emulator endpoints) and the state backend of ``stack``.

    Returns the stack's context, which its constructs find with ``StackContext.of(self)``.
    """
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
    return StackContext(stack, region=settings.region, target=settings.target, emulators=settings.emulators)
