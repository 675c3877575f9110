"""A real PostgreSQL 15 on loopback for the emulator target: the database behind the RDS Proxy endpoint.

Neither emulator runs a database (MiniStack's RDS would need Docker), so the harness starts one from
the PostgreSQL binaries on ``PATH`` (``initdb``, ``postgres``, ``psql``): TCP on 127.0.0.1 over TLS
only (``hostssl`` lines, no ``host`` line), with a certificate from the emulator's test CA for the
names the functions connect to. Logins:

- ``iam_users``: what the RDS Proxy admits with an IAM token. PostgreSQL cannot check the token's
  signature, so these connect without a password (``trust``), over TLS; that the token is made and
  sent is the function's own code, run unchanged. An emulator-only difference, in the capability
  list (``behaviour:database_network``).
- every other role: ``scram-sha-256`` passwords (the rotation journey: the new password works, the
  old one does not).
- the harness's own superuser over the Unix socket only (``psql``, reading back what a journey wrote).

As root (CI containers) the server runs as the ``postgres`` system user, which PostgreSQL requires;
its files then live in a private temporary directory that user can reach, removed on stop.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from harness.emulator import EmulatorError, ServerProcess, free_port
from harness.throwaway_pki import KeyPair

SUPERUSER = "harness_admin"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def identifier(name: str) -> str:
    """``name`` when it is a plain lower-case SQL identifier (so it needs no quoting), else ValueError."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def literal(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


class LocalPostgres(ServerProcess):
    """PostgreSQL on ``127.0.0.1:<port>``, TLS only, until :meth:`stop`.

    Attributes:
        port: The TCP port (loopback).
        log_path: The server's log (kept after stop, beside the run's other logs).
    """

    def __init__(
        self,
        log_path: Path,
        certificate: KeyPair,
        *,
        iam_users: Sequence[str] = (),
        start_timeout: float = 30.0,
    ) -> None:
        """Prepare a server; nothing runs until :meth:`start`."""
        self.log_path = log_path
        self.certificate = certificate
        self.iam_users = [identifier(user) for user in iam_users]
        self.start_timeout = start_timeout
        self.port = free_port()
        self._root: Path | None = None
        self._as_postgres = os.geteuid() == 0

    def _command(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self._as_postgres else argv

    def _own(self, path: Path) -> None:
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)

    def _hba(self) -> str:
        lines = [f"local all {SUPERUSER} trust"]
        lines += [f"hostssl all {user} 127.0.0.1/32 trust" for user in self.iam_users]
        lines.append("hostssl all all 127.0.0.1/32 scram-sha-256")
        return "\n".join(lines) + "\n"

    def start(self) -> Self:
        """initdb, then the server; wait until it accepts the superuser.

        Raises:
            EmulatorError: A binary is missing, initdb failed, or the server did not come up (names the log).
        """
        missing = [name for name in ("initdb", "postgres", "psql") if shutil.which(name) is None]
        if missing:
            raise EmulatorError(
                f"PostgreSQL binaries not on PATH: {missing} (the emulator target's database)"
            )
        self._root = Path(tempfile.mkdtemp(prefix="infra-postgres-"))
        self._own(self._root)
        data = self._root / "data"
        initdb = subprocess.run(
            self._command(
                [
                    "initdb",
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if initdb.returncode != 0:
            self._remove()
            raise EmulatorError(f"initdb failed: {initdb.stderr.strip()[-400:]}")
        for name, source in (("server.crt", self.certificate.cert), ("server.key", self.certificate.key)):
            copy = self._root / name
            shutil.copyfile(source, copy)
            copy.chmod(0o600)
            self._own(copy)
        (data / "pg_hba.conf").write_text(self._hba())
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self._root),
            "ssl": "on",
            "ssl_cert_file": str(self._root / "server.crt"),
            "ssl_key_file": str(self._root / "server.key"),
            "ssl_min_protocol_version": "TLSv1.2",
            "password_encryption": "scram-sha-256",
            "fsync": "off",
        }
        argv = ["postgres", "-D", str(data)] + [f"--{key}={value}" for key, value in settings.items()]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command(argv), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_until_ready(
                f"PostgreSQL on port {self.port}", self._ready, self.start_timeout, self.log_path, poll=0.2
            )
        except EmulatorError:
            self._remove()
            raise
        return self

    @property
    def pid(self) -> int | None:
        """The server's process (``runuser``'s, when run as root), while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def _ready(self) -> bool:
        probe = subprocess.run(
            ["psql", *self._socket_args("postgres"), "-Atc", "SELECT 1"],
            capture_output=True,
            text=True,
            check=False,
        )
        return probe.returncode == 0

    def _socket_args(self, database: str) -> list[str]:
        assert self._root is not None
        return [
            "-h",
            str(self._root),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
        ]

    def sql(self, statement: str, database: str = "postgres") -> list[list[str]]:
        """Run ``statement`` as the superuser over the Unix socket; rows as lists of text fields.

        Raises:
            EmulatorError: psql failed (the message carries its error).
        """
        if self._root is None:
            raise EmulatorError("PostgreSQL is not running")
        result = subprocess.run(
            ["psql", *self._socket_args(database), "-AtF", "\x1f", "-c", statement],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise EmulatorError(f"psql: {result.stderr.strip()[-400:]}")
        return [line.split("\x1f") for line in result.stdout.splitlines()]

    def create_login(self, role: str, database: str, password: str | None = None) -> None:
        """A login ``role`` (with ``password``, or none: an IAM user) owning a new ``database``."""
        secret = f" PASSWORD {literal(password)}" if password is not None else ""
        self.sql(f"CREATE ROLE {identifier(role)} LOGIN{secret}")
        self.sql(f"CREATE DATABASE {identifier(database)} OWNER {identifier(role)}")

    def stop(self) -> None:
        """Fast shutdown (open client connections are closed), then remove the data directory."""
        if self._process is not None and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGINT)  # PostgreSQL's fast shutdown
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        super().stop()
        self._remove()

    def _remove(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
