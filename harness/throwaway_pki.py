"""A throwaway certificate authority for the local emulators, made with the ``openssl`` CLI.

The functions MiniStack runs trust it (``harness/function_network.py``), and the harness's PostgreSQL
serves a certificate it signs, so a function verifies the database's certificate exactly as it
verifies the RDS Proxy's on AWS (``rejectUnauthorized: true``, name checked). EC P-256 keys, valid
for two days; the files live in the run's work directory and go with it.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*$"
)


class PkiError(RuntimeError):
    """openssl refused, or a name is not a host name or an IP address."""


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key (PEM files)."""

    cert: Path
    key: Path


def _openssl(args: list[str], cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PkiError(f"openssl {args[0]} failed: {result.stderr.strip()[-400:]}")


def _subject_alt_names(names: list[str]) -> str:
    entries = []
    for name in names:
        try:
            entries.append(f"IP:{ipaddress.ip_address(name)}")
        except ValueError:
            if not _DNS_NAME.match(name):
                raise PkiError(f"not a host name or IP address: {name!r}") from None
            entries.append(f"DNS:{name}")
    return ",".join(entries)


@dataclass(frozen=True)
class TestAuthority:
    """A test CA in ``directory``; :meth:`issue_server` signs server certificates with it."""

    __test__ = False  # not a pytest test class
    directory: Path
    ca: KeyPair

    @classmethod
    def create(cls, directory: Path, common_name: str = "emulator test CA") -> TestAuthority:
        """Make the CA (or reuse the one already in ``directory``)."""
        directory.mkdir(parents=True, exist_ok=True)
        ca = KeyPair(directory / "ca.pem", directory / "ca.key")
        if not (ca.cert.exists() and ca.key.exists()):
            _openssl(
                [
                    "req", "-x509", *_KEY, "-keyout", ca.key.name, "-out", ca.cert.name, "-days", "2",
                    "-subj", f"/CN={common_name} (test only)",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ],
                directory,
            )  # fmt: skip
            ca.key.chmod(0o600)
        return cls(directory, ca)

    def issue_server(self, label: str, names: list[str]) -> KeyPair:
        """A server certificate for ``names`` (host names and IP addresses), signed by this CA.

        Raises:
            PkiError: No name, a name that is neither, or openssl failed.
        """
        if not names or not re.fullmatch(r"[a-z0-9-]+", label):
            raise PkiError(f"a server certificate needs names and a plain label (got {label!r}, {names!r})")
        pair = KeyPair(self.directory / f"{label}.pem", self.directory / f"{label}.key")
        extensions = self.directory / f"{label}.ext"
        extensions.write_text(
            "\n".join(
                [
                    f"subjectAltName={_subject_alt_names(names)}",
                    "basicConstraints=critical,CA:FALSE",
                    "keyUsage=critical,digitalSignature",
                    "extendedKeyUsage=serverAuth",
                ]
            )
            + "\n"
        )
        csr = self.directory / f"{label}.csr"
        _openssl(
            ["req", *_KEY, "-keyout", pair.key.name, "-out", csr.name, "-subj", f"/CN={names[0]}"],
            self.directory,
        )
        _openssl(
            [
                "x509", "-req", "-in", csr.name, "-CA", self.ca.cert.name, "-CAkey", self.ca.key.name,
                "-CAcreateserial", "-out", pair.cert.name, "-days", "2", "-extfile", extensions.name,
            ],
            self.directory,
        )  # fmt: skip
        pair.key.chmod(0o600)
        return pair
