"""The database secret the PCI stack looks up instead of creating: made for a throwaway run.

By default its value points at no real database (``db.pci.internal``): on AWS and on moto alone it
is what the stack looks up and rotates, and the rotation's database steps are tested against a real
PostgreSQL in ``lambda/secret-rotation``. On the emulator pair, where MiniStack runs the rotation
function, :func:`serve_rotation_database` starts a real PostgreSQL on loopback first and the secret
names it, so the deployed function's four steps run against a database (the rotation journey).
The password is random for each run and never written anywhere but the target (and the database).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from harness.aws_target import AwsTarget
from harness.local_postgres import LocalPostgres
from harness.throwaway_pki import TestAuthority


@dataclass(frozen=True)
class DatabaseLogin:
    """Where the secret's credentials log in (everything of its value but the password).

    Attributes:
        host: Host name or address the rotation function connects to.
        port: Its PostgreSQL port.
        username: The login role whose password is rotated.
        dbname: The database the role logs in to.
    """

    host: str
    port: int
    username: str
    dbname: str


PLACEHOLDER_LOGIN = DatabaseLogin(host="db.pci.internal", port=5432, username="pci_app", dbname="cards")
"""What the secret names when no database is served: a host nothing resolves."""

LOOPBACK = "127.0.0.1"


def create_database_secret(
    target: AwsTarget,
    name: str,
    login: DatabaseLogin = PLACEHOLDER_LOGIN,
    password: str | None = None,
) -> str:
    """Create the secret ``name`` on ``target`` for ``login`` (random password unless given); its ARN.

    The value is what the rotation function reads: ``{engine, host, port, username, password, dbname}``.
    """
    value = {
        "engine": "postgres",
        "host": login.host,
        "port": login.port,
        "username": login.username,
        "password": password if password is not None else secrets.token_urlsafe(24),
        "dbname": login.dbname,
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


@dataclass
class RotationDatabase:
    """A running PostgreSQL holding the login the database secret names.

    Attributes:
        server: The server (TLS only; password logins for :attr:`login`).
        login: Where the secret points: ``127.0.0.1``, the server's port, the role and its database.
        password: The role's first password, to be written into the secret only.
    """

    server: LocalPostgres
    login: DatabaseLogin
    password: str

    def stop(self) -> None:
        """Stop the server (its data goes with it)."""
        self.server.stop()


def serve_rotation_database(authority: TestAuthority, log_dir: Path) -> RotationDatabase:
    """Start PostgreSQL on 127.0.0.1 (certificate from ``authority``) with the secret's role and database.

    The role logs in with a random password (scram-sha-256, over TLS only); the function verifies the
    server's certificate for ``127.0.0.1`` against ``authority``, which every MiniStack worker trusts.

    Raises:
        harness.emulator.EmulatorError: PostgreSQL did not start (the message names its log).
    """
    certificate = authority.issue_server("rotation-database", [LOOPBACK])
    server = LocalPostgres(log_dir / "rotation-postgres.log", certificate).start()
    password = secrets.token_urlsafe(24)
    try:
        server.create_login(PLACEHOLDER_LOGIN.username, PLACEHOLDER_LOGIN.dbname, password)
    except BaseException:
        server.stop()
        raise
    login = DatabaseLogin(LOOPBACK, server.port, PLACEHOLDER_LOGIN.username, PLACEHOLDER_LOGIN.dbname)
    return RotationDatabase(server, login, password)
