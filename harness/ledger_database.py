"""The payment ledger's database on the emulator target: a real PostgreSQL behind the proxy endpoint.

After the payment platform is deployed on the emulator pair, :func:`serve_ledger` reads the proxy
connection string the stack wrote to SSM (the one the processor reads), starts
:class:`~harness.local_postgres.LocalPostgres` with a certificate for the proxy's host name signed by
the MiniStack server's test CA, creates the IAM login and database the string names, and routes the
functions' connections to ``host:5432`` to it (:class:`~harness.function_network.FunctionNetwork`).
The processor then runs exactly as on AWS: SSM, an IAM auth token, TLS with the name verified, SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from harness.aws_target import AwsTarget
from harness.emulator import EmulatorError
from harness.function_network import FunctionNetwork
from harness.journeys import wait_for
from harness.local_postgres import LocalPostgres, literal


@dataclass(frozen=True)
class ProxyConnection:
    """What the proxy connection string names (no password: IAM authentication)."""

    host: str
    port: int
    user: str
    database: str

    @classmethod
    def parse(cls, url: str) -> ProxyConnection:
        """``postgresql://user@host:port/database?...`` as its parts.

        Raises:
            ValueError: Not a postgresql URL with user, host and database, or it carries a password.
        """
        parts = urlsplit(url)
        if parts.scheme != "postgresql" or not parts.hostname or not parts.username or len(parts.path) < 2:
            raise ValueError("the proxy connection string is not postgresql://user@host[:port]/database")
        if parts.password is not None:
            raise ValueError("the proxy connection string carries a password (IAM authentication expected)")
        return cls(parts.hostname, parts.port or 5432, unquote(parts.username), parts.path[1:])


def read_connection(target: AwsTarget, parameter_name: str) -> ProxyConnection:
    """The connection string in SSM (decrypted with the stack's key), parsed."""
    value = target.client("ssm").get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"]["Value"]
    return ProxyConnection.parse(value)


@dataclass(frozen=True)
class LedgerRow:
    """One payment as the processor recorded it."""

    payment_id: str
    merchant_id: str
    amount_cents: int
    currency: str
    announced: bool


@dataclass
class LedgerDatabase:
    """The running ledger database and how the functions reach it."""

    server: LocalPostgres
    connection: ProxyConnection

    def rows(self, statement: str) -> list[list[str]]:
        """Rows of ``statement`` in the ledger database (as the harness's superuser)."""
        return self.server.sql(statement, database=self.connection.database)

    def payment(self, payment_id: str) -> LedgerRow | None:
        """The ledger's row of ``payment_id``; None until the processor has made the table and the row."""
        columns = "payment_id, merchant_id, amount_cents, currency, announced_at IS NOT NULL"
        where = f"payment_id = {literal(payment_id)}"
        try:
            rows = self.rows(f"SELECT {columns} FROM payments WHERE {where}")  # noqa: S608 (literal quotes it)
        except EmulatorError as err:
            if 'relation "payments" does not exist' in str(err):
                return None
            raise
        if not rows:
            return None
        payment, merchant, cents, currency, announced = rows[0]
        return LedgerRow(payment, merchant, int(cents), currency, announced == "t")

    def announced_payment(self, payment_id: str, timeout: float = 120.0) -> LedgerRow:
        """The row of ``payment_id`` once the processor has written it and announced it on the bus.

        Raises:
            harness.probes.ProbeError: It is not there, announced, within ``timeout`` seconds.
        """
        row: LedgerRow = wait_for(
            f"the ledger row of {payment_id}, announced on the bus",
            timeout,
            lambda: found if (found := self.payment(payment_id)) and found.announced else None,
        )
        return row

    def stop(self) -> None:
        """Stop the server (its data goes with it)."""
        self.server.stop()


def serve_ledger(
    target: AwsTarget, parameter_name: str, network: FunctionNetwork, log_dir: Path
) -> LedgerDatabase:
    """Start the ledger database behind the proxy endpoint named in ``parameter_name``.

    Raises:
        harness.emulator.EmulatorError: PostgreSQL did not start (the message names its log).
    """
    connection = read_connection(target, parameter_name)
    certificate = network.authority.issue_server("ledger", [connection.host])
    server = LocalPostgres(log_dir / "ledger-postgres.log", certificate, iam_users=[connection.user]).start()
    try:
        server.create_login(connection.user, connection.database)
        network.route(connection.host, connection.port, server.port)
    except BaseException:
        server.stop()
        raise
    return LedgerDatabase(server, connection)
