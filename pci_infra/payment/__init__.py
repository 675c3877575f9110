"""Concern-level constructs of the payment processing platform (one concern per module)."""
