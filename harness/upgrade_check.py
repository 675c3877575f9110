"""Judge an upgrade plan: is any stateful resource replaced or destroyed.

The plan is Terraform's own (``terraform show -json``) of the new code against the state the old
code left. Every resource action is listed; a stateful resource (data lives in it) that would be
deleted, alone or as half of a replacement, fails the check unless the committed allow-list names
it with a reason. A resource that a ``moved`` block carries to a new address is reported as moved,
which is safe: Terraform keeps the object.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.globs import glob_match
from pci_infra.app.paths import PROJECT_ROOT

ALLOW_FILE = PROJECT_ROOT / ".ci" / "upgrade-allow.toml"

STATEFUL_TYPES: dict[str, str] = {
    "aws_rds_cluster": "Aurora cluster: the payment ledger",
    "aws_rds_cluster_instance": "Aurora instance",
    "aws_kms_key": "KMS key: data encrypted with it is lost with it",
    "aws_s3_bucket": "S3 bucket: its objects",
    "aws_secretsmanager_secret": "secret: its value and versions",
    "aws_cloudwatch_log_group": "log group: the audit trail it holds",
    "aws_ssm_parameter": "SSM parameter: its value",
}
"""Resource types whose replacement or removal loses data, with what would be lost."""


class UpgradeCheckError(RuntimeError):
    """The check could not run (bad input) or found unsafe actions."""


@dataclass(frozen=True)
class Allowed:
    """One entry of the allow-list: a stateful replace/destroy accepted on purpose."""

    address: str
    reason: str


@dataclass(frozen=True)
class ResourceAction:
    """What the plan does to one resource, and the check's verdict on it."""

    address: str
    resource_type: str
    action: str
    previous_address: str | None = None
    allowed_by: Allowed | None = None

    @property
    def stateful(self) -> bool:
        """True for a type in :data:`STATEFUL_TYPES`."""
        return self.resource_type in STATEFUL_TYPES

    @property
    def loses_data(self) -> bool:
        """A stateful resource deleted, alone or as part of a replacement."""
        return self.stateful and self.action in ("delete", "replace")

    @property
    def verdict(self) -> str:
        """``ok``, ``moved`` (safe), ``allowed`` or ``UNSAFE``."""
        if self.loses_data:
            return "allowed" if self.allowed_by else "UNSAFE"
        return "moved" if self.previous_address else "ok"

    @property
    def note(self) -> str:
        """Why the verdict: what is lost, what allowed it, where it moved from."""
        if self.loses_data:
            lost = STATEFUL_TYPES[self.resource_type]
            return f"{lost}; allowed: {self.allowed_by.reason}" if self.allowed_by else f"loses the {lost}"
        return f"moved from {self.previous_address}" if self.previous_address else ""


def action_name(actions: Sequence[str]) -> str:
    """Terraform's action list as one word: ``create``, ``update``, ``replace``, ``delete``, ``no-op``."""
    if sorted(actions) == ["create", "delete"]:
        return "replace"
    return actions[0] if len(actions) == 1 else "+".join(actions)


def load_allow_list(path: Path = ALLOW_FILE) -> list[Allowed]:
    """Entries of the allow-list; each must name an address glob and a reason."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text()).get("allow", [])
    problems = [
        f"{path.name} entry {number}: needs 'address' and a 'reason' of at least 20 characters"
        for number, entry in enumerate(entries, start=1)
        if not entry.get("address")
        or len(str(entry.get("reason", ""))) < 20
        or set(entry) - {"address", "reason"}
    ]
    if problems:
        raise UpgradeCheckError("allow-list cannot be used:\n  " + "\n  ".join(problems))
    return [Allowed(entry["address"], entry["reason"]) for entry in entries]


def classify(plan: Mapping[str, Any], allow: Sequence[Allowed] = ()) -> list[ResourceAction]:
    """Every managed resource's action in ``plan`` with its verdict, in address order."""
    found = []
    for change in plan.get("resource_changes", []):
        if change.get("mode") != "managed":
            continue
        address = change["address"]
        previous = change.get("previous_address")
        action = action_name(change["change"]["actions"])
        if previous and action == "no-op":
            action = "move"
        allowed = next((entry for entry in allow if glob_match(entry.address, address)), None)
        found.append(ResourceAction(address, change["type"], action, previous, allowed))
    return sorted(found, key=lambda item: item.address)


@dataclass
class UpgradeReport:
    """The check's outcome for one stack."""

    stack: str
    actions: list[ResourceAction]

    @property
    def unsafe(self) -> list[ResourceAction]:
        """Stateful resources that would lose data without an allow-list entry."""
        return [a for a in self.actions if a.verdict == "UNSAFE"]

    def table(self) -> str:
        """Every resource action (no-ops counted, not listed) as an aligned text table."""
        rows = [(a.verdict, a.action, a.address, a.note) for a in self.actions if a.action != "no-op"]
        unchanged = sum(1 for a in self.actions if a.action == "no-op")
        header = ("VERDICT", "ACTION", "RESOURCE", "NOTE")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(3)]
        lines = [f"upgrade check of {self.stack}: {len(rows)} resource actions, {unchanged} unchanged"]
        for row in [header, *rows]:
            lines.append(
                "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
            )
        verdict = (
            f"FAILED: {len(self.unsafe)} stateful resource(s) would be replaced or destroyed"
            if self.unsafe
            else "passed: no stateful resource is replaced or destroyed"
        )
        lines.append(verdict)
        return "\n".join(line.rstrip() for line in lines)


def provider_versions_in(mirror: Path, provider: str = "registry.terraform.io/hashicorp/aws") -> list[str]:
    """Versions of ``provider`` an unpacked filesystem mirror holds (empty without a mirror)."""
    root = mirror / provider
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def provider_override(version: str, mirror: Path) -> dict[str, Any]:
    """Terraform override pinning the AWS provider to ``version``.

    Refused before anything is created when the machine's mirror does not hold that version.
    """
    held = provider_versions_in(mirror)
    if mirror.is_dir() and held and version not in held:
        raise UpgradeCheckError(
            f"--provider-version {version}: the provider mirror at {mirror} holds only "
            f"{', '.join(held)}; this machine cannot check another version (a machine with registry "
            "access can)"
        )
    return {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}}}
