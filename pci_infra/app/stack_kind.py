"""The application's stacks by name, and the typed outputs of each (the one place the names are spelled)."""

from __future__ import annotations

from enum import StrEnum

from pci_infra.stacks.outputs import PaymentPlatformOutputs, PciDataProcessingOutputs


class StackKind(StrEnum):
    """One stack of the application; its value is the stack's name (``cdktf.out/stacks/<name>``)."""

    PAYMENT_PLATFORM = "payment-platform"
    PCI_DATA_PROCESSING = "pci-data-processing"

    @property
    def outputs_type(self) -> type[PaymentPlatformOutputs] | type[PciDataProcessingOutputs]:
        """The dataclass of the stack's outputs (what ``emit_outputs`` writes, ``from_terraform`` reads)."""
        if self is StackKind.PAYMENT_PLATFORM:
            return PaymentPlatformOutputs
        return PciDataProcessingOutputs
