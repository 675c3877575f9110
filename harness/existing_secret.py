"""The database secret the PCI stack looks up instead of creating: made for a throwaway run.

Its value points at no real database (the rotation's database steps are tested against a real
PostgreSQL in ``lambda/secret-rotation``); here it is what the stack looks up and rotates. The
password is random for each run and never written anywhere but the target.
"""

from __future__ import annotations

import json
import secrets

from harness.aws_target import AwsTarget


def create_database_secret(target: AwsTarget, name: str) -> str:
    """Create the secret ``name`` on ``target``; return its ARN."""
    value = {
        "engine": "postgres",
        "host": "db.pci.internal",
        "port": 5432,
        "username": "pci_app",
        "password": secrets.token_urlsafe(24),
        "dbname": "cards",
    }
    arn: str = target.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(value))["ARN"]
    return arn


def ensure_database_secret(target: AwsTarget, name: str) -> None:
    """Create the secret unless it exists (an emulator restart forgets it)."""
    client = target.client("secretsmanager")
    if not client.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]:
        create_database_secret(target, name)


def delete_secret(target: AwsTarget, arn: str) -> None:
    """Delete at once, without the recovery window (a throwaway run's secret)."""
    target.client("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
