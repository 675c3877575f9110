"""Concern constructs of the PCI-DSS secure data processing environment."""
