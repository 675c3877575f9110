"""The emulator target's database: a real PostgreSQL on loopback, TLS only, IAM users without password.

Runs the PostgreSQL 15 binaries on PATH (as CI has them) and connects with ``psql`` as a function
would over TCP: TLS with the server's name verified against the test CA.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.emulator import EmulatorError
from harness.ledger_database import ProxyConnection
from harness.listeners import exposed, listeners
from harness.local_postgres import LocalPostgres, identifier, literal
from harness.throwaway_pki import PkiError, TestAuthority

PROXY = "ledger.proxy-abc123.us-east-1.rds.amazonaws.com"
TEST_PASSWORD = "first-password"  # noqa: S105 (a throwaway server's test role)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    return TestAuthority.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(authority: TestAuthority, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    certificate = authority.issue_server("db", [PROXY, "127.0.0.1"])
    log = tmp_path_factory.mktemp("pg") / "postgres.log"
    with LocalPostgres(log, certificate, iam_users=["payments_app"]) as running:
        running.create_login("payments_app", "ledger")
        running.create_login("rotator", "vault", password=TEST_PASSWORD)
        yield running


def psql(server: LocalPostgres, conninfo: str) -> subprocess.CompletedProcess[str]:
    """``SELECT current_user, ssl`` over TCP with ``conninfo`` added to the server's address."""
    query = "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    return subprocess.run(
        ["psql", f"host=127.0.0.1 port={server.port} {conninfo}", "-Atc", query],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_iam_user_logs_in_over_tls_verified_against_the_test_ca_without_a_password(
    server: LocalPostgres, authority: TestAuthority
) -> None:
    verified = f"sslmode=verify-ca sslrootcert={authority.ca.cert}"
    answer = psql(server, f"user=payments_app dbname=ledger {verified}")
    assert (answer.returncode, answer.stdout.strip()) == (0, "payments_app|t"), answer.stderr


def test_it_listens_on_loopback_only(server: LocalPostgres) -> None:
    assert server.pid is not None
    found = listeners(server.pid)
    assert any(listener.port == server.port for listener in found), found
    assert exposed(found) == []


def test_a_connection_without_tls_is_refused(server: LocalPostgres) -> None:
    answer = psql(server, "user=payments_app dbname=ledger sslmode=disable")
    assert answer.returncode != 0
    assert "no pg_hba.conf entry" in answer.stderr and "no encryption" in answer.stderr


def test_a_password_role_needs_its_password(server: LocalPostgres) -> None:
    good = psql(server, f"user=rotator dbname=vault sslmode=require password={TEST_PASSWORD}")
    bad = psql(server, "user=rotator dbname=vault sslmode=require password=another")
    assert (good.returncode, good.stdout.strip()) == (0, "rotator|t"), good.stderr
    assert bad.returncode != 0 and "password authentication failed" in bad.stderr


def test_the_certificate_names_the_proxy_and_a_stranger_name_fails_verification(
    server: LocalPostgres, authority: TestAuthority, tmp_path: Path
) -> None:
    full = f"sslmode=verify-full sslrootcert={authority.ca.cert}"
    # verify-full checks the name: 127.0.0.1 is in the certificate, so the address itself passes
    assert psql(server, f"user=payments_app dbname=ledger {full}").returncode == 0
    stranger = TestAuthority.create(tmp_path / "stranger")
    refused = psql(
        server, f"user=payments_app dbname=ledger sslmode=verify-ca sslrootcert={stranger.ca.cert}"
    )
    assert refused.returncode != 0 and "certificate verify failed" in refused.stderr


def test_sql_reads_rows_and_errors_name_the_cause(server: LocalPostgres) -> None:
    server.sql("CREATE TABLE IF NOT EXISTS t (a text, b int)", database="ledger")
    quoted = literal("it's")
    server.sql(f"INSERT INTO t VALUES ({quoted}, 2)", database="ledger")  # noqa: S608 (quoted by literal)
    assert server.sql("SELECT a, b FROM t", database="ledger") == [["it's", "2"]]
    with pytest.raises(EmulatorError, match='relation "missing" does not exist'):
        server.sql("SELECT * FROM missing", database="ledger")


@pytest.mark.parametrize("name", ["Payments", "drop table", "a;b", "", "x" * 64])
def test_only_plain_identifiers_reach_sql(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        identifier(name)


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        (
            f"postgresql://payments_app@{PROXY}:5432/ledger?sslmode=verify-full",
            ProxyConnection(PROXY, 5432, "payments_app", "ledger"),
        ),
        (f"postgresql://app%40x@{PROXY}/ledger", ProxyConnection(PROXY, 5432, "app@x", "ledger")),
    ],
)
def test_the_proxy_connection_string_is_read_as_the_processor_reads_it(
    url: str, parsed: ProxyConnection
) -> None:
    assert ProxyConnection.parse(url) == parsed


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://app:secret@{PROXY}:5432/ledger",  # a password: IAM authentication expected
        f"mysql://app@{PROXY}/ledger",
        f"postgresql://{PROXY}/ledger",
        f"postgresql://app@{PROXY}/",
    ],
)
def test_a_connection_string_the_processor_would_not_use_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="proxy connection string"):
        ProxyConnection.parse(url)


def test_a_certificate_needs_real_names(authority: TestAuthority) -> None:
    with pytest.raises(PkiError, match="not a host name"):
        authority.issue_server("bad", ["host name with spaces"])
    with pytest.raises(PkiError, match="needs names"):
        authority.issue_server("empty", [])
