"""Python constructs of the two PCI-grade environments (one concern per module)."""
