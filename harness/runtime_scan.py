"""Runtime compliance scan: Prowler's PCI DSS v4.0 checks against a deployed live environment.

The static gate (:mod:`harness.compliance_gate`) judges what a plan says; this scan asks the target
what is really there. Prowler (pinned in ``.ci/prowler/requirements.txt``, installed into its own
``.venv-prowler`` only when asked: ``INFRA_RUNTIME_SCAN=1`` or a nightly selection of the tests, see
``bin/_setup.sh``) runs every check the ``pci_4.0_aws`` framework maps, in the target's region,
against the embedded emulator (``AWS_ENDPOINT_URL``) or the AWS account of the usual credential
chain. Unused resources are scanned too (``--scan-unused-services``): a security group open to the
world is a finding whether or not something uses it yet.

Its compliance CSV gives each finding the PCI DSS requirement ids it evidences (``1.2.8.17``) and
their section (``REQUIREMENTS_ATTRIBUTES_SECTION``: ``1.2.8: Network security controls ...``),
from which the principal requirement (``1``) follows; its OCSF JSON adds each resource's name and
tags, so a finding is recognised as the run's even when its id is an opaque one (``sg-0abc``).

What is judged (:class:`Scope`): the findings on the run's resources, those whose id, name or tags
carry the run id; for one stack's scan, the resources in its Terraform state (whatever their names)
and the run's resources no other stack's state holds. Everything else the scan saw (account-level
settings, the emulator's default VPC) is counted, not judged. A failed check on a judged resource fails the
scan unless an entry of ``.ci/prowler/allow.toml`` explains it; an entry can also say that a passed
check is not evidence (the emulator answers wrongly), and an entry that matches nothing is stale and
fails the scan too, as a stale checkov skip does. Prowler's own mute flag is not an exception here.

Checks that give no result are named: those whose check code or service API failed on the target
(the emulator lacks some APIs; Prowler logs each failure), and those that found nothing to assess.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from harness.cli_target import TARGETS, open_target
from harness.evidence_html import RUNTIME_SCAN_RECORD
from harness.evidence_html import record_path as live_record_path
from harness.globs import glob_match
from harness.run_id import RUN_ID_LENGTH, is_run_id
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind

FRAMEWORK = "pci_4.0_aws"
"""Prowler's PCI DSS v4.0 framework for AWS."""
PROWLER_VENV = PROJECT_ROOT / ".venv-prowler"
PROWLER_BIN_VAR = "PROWLER_BIN"
"""Set to a prowler executable to use it instead of the pinned one in ``.venv-prowler``."""
ALLOW_FILE = PROJECT_ROOT / ".ci" / "prowler" / "allow.toml"
INSTALL_HINT = (
    "run INFRA_RUNTIME_SCAN=1 bin/test -m nightly (its set-up installs the pinned version from "
    ".ci/prowler/requirements.txt into .venv-prowler), or bash .ci/prowler/install"
)
SCAN_TIMEOUT_SECONDS = 1800
"""Longest a scan may take; about 2 minutes on the emulator."""
OUTPUT_NAME = "prowler"
"""Prowler's ``--output-filename``: ``prowler.ocsf.json``, ``compliance/prowler_<framework>.csv``."""
MIN_REASON_LENGTH = 40
MIN_IDENTIFIER_LENGTH = 8
"""State values shorter than this (``default``, ``primary``) are too generic to attribute a finding."""
FAIL, PASS, MANUAL = "FAIL", "PASS", "MANUAL"
VERDICTS = (FAIL, PASS)
"""What an allow-list entry may explain: a failure that is wrong, or a pass that is no evidence."""
_CHECK_ID = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
_KEYS = frozenset({"check", "resource", "reason", "verdict", "target", "stack"})

PRINCIPAL_REQUIREMENTS: Mapping[str, str] = {
    "1": "Install and maintain network security controls",
    "2": "Apply secure configurations to all system components",
    "3": "Protect stored account data",
    "4": "Protect cardholder data with strong cryptography during transmission",
    "5": "Protect all systems and networks from malicious software",
    "6": "Develop and maintain secure systems and software",
    "7": "Restrict access to system components and cardholder data by business need to know",
    "8": "Identify users and authenticate access to system components",
    "9": "Restrict physical access to cardholder data",
    "10": "Log and monitor all access to system components and cardholder data",
    "11": "Test security of systems and networks regularly",
    "12": "Support information security with organizational policies and programs",
    "A1": "Multi-tenant service providers",
    "A2": "Entities using SSL/early TLS for card-present POS POI terminal connections",
    "A3": "Designated entities supplemental validation",
}
"""The principal requirements of PCI DSS v4.0 (and its appendices), as the report names them."""


class RuntimeScanError(RuntimeError):
    """Prowler is absent or failed, its output is missing, or the allow-list cannot be trusted."""


def requirement_key(number: str) -> tuple[int, str, tuple[int, ...]]:
    """Sort key for ``1`` < ``2`` < ``10`` < ``A1`` and for sections (``1.2.8`` < ``1.10.1``)."""
    head, _, rest = number.partition(".")
    letter = head.rstrip("0123456789")
    digits = head[len(letter) :]
    parts = [int(p) if p.isdigit() else 0 for p in [digits, *(p for p in rest.split(".") if p)]]
    return (1 if letter else 0, letter, tuple(parts))


def principal_of(section: str) -> str:
    """``1`` for section ``1.2.8``, ``A1`` for ``A1.2.3``."""
    return section.split(".", 1)[0].strip()


# --- what Prowler found ------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one resource, with every PCI DSS requirement it evidences.

    Attributes:
        check: Prowler check id, e.g. ``ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22``.
        status: ``PASS`` or ``FAIL``.
        resource: The resource's uid (an ARN for most resources).
        name: The resource's name as Prowler gives it (an id for some: ``sg-0abc``).
        region: Where Prowler found it.
        detail: Prowler's sentence on the verdict.
        requirements: PCI DSS requirement ids of the framework (``1.2.8.17``).
        sections: Their sections (``1.2.8``).
    """

    check: str
    status: str
    resource: str
    name: str
    region: str
    detail: str
    requirements: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    @property
    def principals(self) -> tuple[str, ...]:
        """The principal requirements of its sections (``1``, ``A1``), in order."""
        return tuple(sorted({principal_of(s) for s in self.sections}, key=requirement_key))

    def __str__(self) -> str:
        """``<check> <resource>: <detail>``."""
        return f"{self.check} {self.resource}: {self.detail}"


@dataclass(frozen=True)
class LogError:
    """One error Prowler logged.

    Attributes:
        module: The Python module that logged it (``ec2_service``, ``check``, a check id).
        message: Its first line, without the region prefix.
        service: For an error of a service module, its service directory (``ec2``; ``cloudwatch``
            for ``logs_service``); ``None`` otherwise.
        method: The service method it happened in (``_describe_vpn_endpoints``), when known.
    """

    module: str
    message: str
    service: str | None = None
    method: str | None = None

    @property
    def subject(self) -> str | None:
        """What the method reads (``vpn_endpoints`` for ``_describe_vpn_endpoints``), when known."""
        if self.method is None:
            return None
        subject = re.sub(
            r"^(?:get|describe|list|lookup|batch_get|fetch|search)_", "", self.method.lstrip("_")
        )
        return subject or None

    def describe(self) -> str:
        """``ListWebACLs (500)``, ``ResponseParserError in _get_instance_metadata_defaults``, or the text."""
        call = re.search(r"An error occurred \(([^)]*)\) when calling the (\w+) operation", self.message)
        if call:
            return f"{call.group(2)} ({call.group(1)})"
        kind = re.match(r"(\w+(?:Error|Exception))", self.message)
        if kind:
            return f"{kind.group(1)} in {self.method}" if self.method else kind.group(1)
        return self.message[:120]


@dataclass(frozen=True)
class ProwlerResults:
    """Everything one Prowler run reported, before any judgement.

    Attributes:
        findings: Every PASS and FAIL verdict, on any resource.
        manual: Per principal requirement, the requirement ids Prowler leaves to a manual review.
        aliases: Per resource uid, its other names (name, details, tags as ``key:value``) from the
            OCSF output.
        log_errors: The errors Prowler logged.
        framework_checks: Every check the framework maps (empty when unknown).
        check_services: Per check, the service directories its code reads (its own and those of the
            clients it imports: ``cloudwatch`` for the ``logs`` client).
        check_sources: Per check, its code (which service attributes it reads).
        prowler_version: Prowler's version, from its output.
        seconds: How long the run took (0 when read from files).
        checks_with_results: The checks that gave any verdict (PASS, FAIL or MANUAL), on any resource.
    """

    findings: tuple[Finding, ...]
    manual: Mapping[str, frozenset[str]] = field(default_factory=dict)
    aliases: Mapping[str, frozenset[str]] = field(default_factory=dict)
    log_errors: tuple[LogError, ...] = ()
    framework_checks: frozenset[str] = frozenset()
    check_services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    check_sources: Mapping[str, str] = field(default_factory=dict)
    prowler_version: str = "unknown"
    seconds: float = 0.0
    checks_with_results: frozenset[str] = frozenset()


def read_compliance_csv(path: Path) -> tuple[list[Finding], dict[str, frozenset[str]], set[str]]:
    """A compliance CSV's findings (one per check and resource), manual requirements and checks seen.

    Prowler writes one row per requirement a finding evidences (``;``-separated); rows of one check
    on one resource are merged. ``MANUAL`` rows (requirements no check covers, and checks that leave
    the verdict to a person) become the manual requirement ids of each principal requirement.
    """
    merged: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    manual: dict[str, set[str]] = defaultdict(set)
    checks: set[str] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            requirement = row.get("REQUIREMENTS_ID", "")
            section = (row.get("REQUIREMENTS_ATTRIBUTES_SECTION") or "").split(":", 1)[0].strip()
            section = section or requirement.rsplit(".", 1)[0]
            check, status = row.get("CHECKID", ""), row.get("STATUS", "")
            if check and check != "manual":
                checks.add(check)
            if status == MANUAL:
                manual[principal_of(section)].add(requirement)
                continue
            if status not in VERDICTS:
                continue
            key = (check, row.get("RESOURCEID", ""), row.get("REGION", ""), status)
            entry = merged.setdefault(
                key,
                {
                    "name": row.get("RESOURCENAME", ""),
                    "detail": row.get("STATUSEXTENDED", ""),
                    "ids": set(),
                    "sections": set(),
                },
            )
            entry["ids"].add(requirement)
            entry["sections"].add(section)
    findings = [
        Finding(
            check=check,
            status=status,
            resource=resource,
            name=entry["name"],
            region=region,
            detail=entry["detail"],
            requirements=tuple(sorted(entry["ids"], key=requirement_key)),
            sections=tuple(sorted(entry["sections"], key=requirement_key)),
        )
        for (check, resource, region, status), entry in merged.items()
    ]
    findings.sort(key=lambda f: (f.check, f.resource, f.region))
    return findings, {k: frozenset(v) for k, v in manual.items()}, checks


def read_ocsf_aliases(path: Path) -> tuple[dict[str, frozenset[str]], str]:
    """Per resource uid, its other names from Prowler's OCSF JSON; and the Prowler version it names."""
    document = json.loads(path.read_text(encoding="utf-8") or "[]")
    aliases: dict[str, set[str]] = defaultdict(set)
    version = "unknown"
    for item in document if isinstance(document, list) else []:
        version = str(item.get("metadata", {}).get("product", {}).get("version") or version)
        for resource in item.get("resources", []):
            uid = str(resource.get("uid", ""))
            data = resource.get("data") or {}
            metadata = data.get("metadata") or {}
            metadata = metadata if isinstance(metadata, dict) else {}
            names = [resource.get("name"), data.get("details"), metadata.get("name"), metadata.get("arn")]
            names += list(resource.get("labels") or [])
            aliases[uid].update(str(n) for n in names if n)
    return {uid: frozenset(names - {uid}) for uid, names in aliases.items()}, version


_LOG_RECORD = re.compile(
    r'\{"timestamp": "[^"]*", "filename": "(?P<file>[^":]*):(?P<line>\d+)", "level": "(?P<level>\w+)", '
    r'"module": "(?P<module>[^"]*)", "message": "(?P<message>.*)"\}\s*$',
    re.DOTALL,
)


def read_log(path: Path, package: Path | None = None) -> list[LogError]:
    """The errors of Prowler's ``--log-file`` (one JSON-like record per error; messages span lines).

    With Prowler's ``package``, an error of a service module is placed in its service directory and
    the method it happened in.
    """
    if not path.exists():
        return []
    services_dir = package / "providers" / "aws" / "services" if package is not None else None
    errors = []
    for record in re.split(r'(?m)^(?=\{"timestamp": )', path.read_text(encoding="utf-8", errors="replace")):
        match = _LOG_RECORD.match(record.strip())
        if match is None or match.group("level") not in ("ERROR", "CRITICAL"):
            continue
        lines = match.group("message").strip().splitlines()
        first = re.sub(r"^[a-z]{2}(?:-[a-z]+)+-\d -- ", "", lines[0] if lines else "")  # the region prefix
        module = match.group("module")
        service, method = None, None
        if module.endswith("_service"):
            service = module.removesuffix("_service")
            sources = sorted(services_dir.glob(f"*/{match.group('file')}")) if services_dir else []
            if sources:
                service = sources[0].parent.name
                method = _method_at(sources[0], int(match.group("line")))
        errors.append(LogError(module, first, service, method))
    return errors


def _method_at(source: Path, line: int) -> str | None:
    """The name of the ``def`` that line ``line`` of ``source`` belongs to."""
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()[:line]
    for text in reversed(lines):
        found = re.match(r"\s*def (\w+)\(", text)
        if found:
            return found.group(1)
    return None


def framework_checks(package: Path) -> frozenset[str]:
    """Every check :data:`FRAMEWORK` maps, from the framework's JSON in Prowler's package."""
    document = json.loads((package / "compliance" / "aws" / f"{FRAMEWORK}.json").read_text())
    return frozenset(check for requirement in document["Requirements"] for check in requirement["Checks"])


_CLIENT_IMPORT = re.compile(r"from prowler\.providers\.aws\.services\.(\w+)\.\w+_client import")


def check_code(package: Path, checks: Collection[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Per check, the service directories its code reads, and its code."""
    services_dir = package / "providers" / "aws" / "services"
    services: dict[str, tuple[str, ...]] = {}
    sources: dict[str, str] = {}
    for check in checks:
        found = sorted(services_dir.glob(f"*/{check}/{check}.py"))
        if not found:
            services[check] = (check.split("_", 1)[0],)
            continue
        sources[check] = found[0].read_text(encoding="utf-8", errors="replace")
        services[check] = tuple(
            dict.fromkeys([found[0].parent.parent.name, *_CLIENT_IMPORT.findall(sources[check])])
        )
    return services, sources


# --- the allow-list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Allow:
    """One entry of the allow-list: a verdict of Prowler that is wrong, and why.

    Attributes:
        check: Prowler check id.
        resources: Globs over the finding's resource uid or name (``resource`` in the file: one
            glob or a list).
        reason: Why, in words an auditor can check.
        verdict: ``FAIL`` (default): the failure is wrong and waived; ``PASS``: the pass is not
            evidence (it is not counted as passed).
        target: ``any``, or only scans of the ``emulator`` / ``aws``.
        stack: Only scans of this stack; ``None``: every scan it applies to.
    """

    check: str
    resources: tuple[str, ...]
    reason: str
    verdict: str = FAIL
    target: str = "any"
    stack: str | None = None

    def label(self) -> str:
        """How a report names this entry."""
        where = f" [{self.stack}]" if self.stack else ""
        return f"{self.check} {','.join(self.resources)} ({self.verdict}){where}"

    def explains(self, finding: Finding) -> bool:
        """True when this entry is about ``finding``'s check, verdict and resource."""
        return (
            self.check == finding.check
            and self.verdict == finding.status
            and any(glob_match(g, finding.resource) or glob_match(g, finding.name) for g in self.resources)
        )


def load_allow(path: Path = ALLOW_FILE, checks: Collection[str] = ()) -> list[Allow]:
    """Read and check the allow-list; every problem is named with its entry number.

    ``checks``: the checks the framework maps; when given, an entry about any other check is refused.
    """
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise RuntimeScanError(f"allow-list {path} cannot be read: {err}") from err
    stacks = [kind.value for kind in StackKind]
    problems: list[str] = []
    entries: list[Allow] = []
    for number, entry in enumerate(raw.get("allow", []), start=1):
        where = f"{path.name} entry {number}"
        unknown = set(entry) - _KEYS
        missing = [key for key in ("check", "resource", "reason") if not entry.get(key)]
        if unknown or missing:
            named = [f"unknown keys {sorted(unknown)}"] if unknown else []
            named += [f"missing {missing}"] if missing else []
            problems.append(f"{where}: {'; '.join(named)}")
            continue
        globs = entry.pop("resource")
        allow = Allow(resources=(globs,) if isinstance(globs, str) else tuple(globs), **entry)
        if not _CHECK_ID.match(allow.check):
            problems.append(
                f"{where}: check {allow.check!r} is not a Prowler check id (s3_bucket_no_mfa_delete)"
            )
        elif checks and allow.check not in checks:
            problems.append(f"{where}: check {allow.check!r} is not one of the checks {FRAMEWORK} maps")
        if allow.verdict not in VERDICTS:
            problems.append(f"{where}: verdict {allow.verdict!r} is none of {VERDICTS}")
        if allow.target not in ("any", *TARGETS):
            problems.append(f"{where}: target {allow.target!r} is none of {('any', *TARGETS)}")
        if allow.stack is not None and allow.stack not in stacks:
            problems.append(f"{where}: stack {allow.stack!r} is none of {stacks}")
        if len(allow.reason.strip()) < MIN_REASON_LENGTH:
            problems.append(f"{where}: reason must explain the entry (at least {MIN_REASON_LENGTH} chars)")
        entries.append(allow)
    if problems:
        raise RuntimeScanError("allow-list cannot be used:\n  " + "\n  ".join(problems))
    return entries


# --- what is judged ----------------------------------------------------------------------------


def _normal(identifier: str) -> str:
    """An ARN without the ``:*`` some APIs append (log groups)."""
    return identifier.removesuffix(":*")


@dataclass(frozen=True)
class Scope:
    """Which findings a scan judges.

    Attributes:
        run_id: The run: a resource whose uid, name, details or tags carry it is the run's.
        stack: For one stack's scan, its name; ``None`` judges the whole run.
        own: For one stack's scan, the identifiers (ARNs, ids, names) of the resources in its state:
            a finding on one of them is the stack's, whether or not it names the run id.
        others: The identifiers of the run's other stacks: their resources are left to their scans.
    """

    run_id: str
    stack: str | None = None
    own: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """The stack, or ``run <id>``."""
        return self.stack or f"run {self.run_id}"

    def holds(self, finding: Finding, aliases: Collection[str] = ()) -> bool:
        """True when ``finding`` (known also by ``aliases``) is judged by this scan."""
        keys = {_normal(key) for key in (finding.resource, finding.name, *aliases)}
        if keys & self.own:
            return True
        if keys & self.others:
            return False
        return any(self.run_id in key for key in keys)


def state_identifiers(state: Mapping[str, Any]) -> frozenset[str]:
    """The ``arn``, ``id`` and ``name`` of every managed resource of a ``terraform show -json`` state.

    Values shorter than :data:`MIN_IDENTIFIER_LENGTH` are left out (too generic to be one resource's).
    """
    found: set[str] = set()

    def walk(module: Mapping[str, Any]) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            values = resource.get("values") or {}
            for key in ("arn", "id", "name"):
                value = values.get(key)
                if isinstance(value, str) and len(value) >= MIN_IDENTIFIER_LENGTH:
                    found.add(_normal(value))
        for child in module.get("child_modules", []):
            walk(child)

    walk(state.get("values", {}).get("root_module", {}))
    return frozenset(found)


# --- the verdict -------------------------------------------------------------------------------


@dataclass
class RequirementResult:
    """One principal requirement's share of a scan.

    Attributes:
        number: ``1`` to ``12``, ``A1`` to ``A3``.
        passed: Passed findings counted as evidence.
        failed: Failed findings no entry explains.
        waived: Failed findings an entry explains, with the entry.
        discounted: Passed findings an entry says are no evidence, with the entry.
        manual: Requirement ids Prowler leaves to a manual review.
    """

    number: str
    passed: list[Finding] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Allow]] = field(default_factory=list)
    discounted: list[tuple[Finding, Allow]] = field(default_factory=list)
    manual: int = 0

    @property
    def title(self) -> str:
        """The requirement's title."""
        return PRINCIPAL_REQUIREMENTS.get(self.number, "")

    def line(self) -> str:
        """``requirement 1: 12 passed, 0 failed, 1 waived, 4 for manual review``."""
        extra = f", {len(self.discounted)} passes not counted" if self.discounted else ""
        return (
            f"requirement {self.number}: {len(self.passed)} passed, {len(self.failed)} failed, "
            f"{len(self.waived)} waived{extra}, {self.manual} for manual review"
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data for the record."""
        return {
            "number": self.number,
            "title": self.title,
            "passed": len(self.passed),
            "failed": [str(f) for f in self.failed],
            "waived": [{"finding": str(f), "reason": a.reason} for f, a in self.waived],
            "discounted": [{"finding": str(f), "reason": a.reason} for f, a in self.discounted],
            "manual": self.manual,
            "sections_failed": sorted({s for f in self.failed for s in f.sections}, key=requirement_key),
        }


@dataclass(frozen=True)
class NotRun:
    """A check that gave no result, and why."""

    check: str
    reason: str

    def __str__(self) -> str:
        """``<check>: <reason>``."""
        return f"{self.check}: {self.reason}"


@dataclass
class RuntimeScanResult:
    """The judged outcome of one scan.

    Attributes:
        scope: What was judged.
        target: ``emulator`` or ``aws``.
        requirements: One entry per principal requirement with a judged finding or a manual one.
        passed: Judged findings that passed (and count as evidence).
        failed: Judged failures no entry explains.
        waived: Judged failures explained, with the entry.
        discounted: Judged passes an entry says are no evidence, with the entry.
        stale: Entries that apply to this scan and explained nothing.
        outside: Findings not judged (not the scope's resources): status -> count.
        not_run: Checks that gave no result because their code or their API failed.
        nothing_to_assess: Checks that ran and found no resource to assess.
        api_errors: ``<service>: <what failed>`` for each failing API of the target.
        checks_expected: How many checks the framework maps (0 when unknown).
        prowler_version: The Prowler that ran.
        seconds: How long Prowler ran.
    """

    scope: Scope
    target: str
    requirements: list[RequirementResult] = field(default_factory=list)
    passed: list[Finding] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Allow]] = field(default_factory=list)
    discounted: list[tuple[Finding, Allow]] = field(default_factory=list)
    stale: list[Allow] = field(default_factory=list)
    outside: dict[str, int] = field(default_factory=dict)
    not_run: list[NotRun] = field(default_factory=list)
    nothing_to_assess: list[str] = field(default_factory=list)
    api_errors: list[str] = field(default_factory=list)
    checks_expected: int = 0
    prowler_version: str = "unknown"
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No unexplained failure and no stale entry."""
        return not self.failed and not self.stale

    @property
    def resources(self) -> int:
        """How many resources were judged."""
        judged = [*self.passed, *self.failed, *(f for f, _ in self.waived), *(f for f, _ in self.discounted)]
        return len({f.resource for f in judged})

    def summary(self) -> str:
        """One line for progress output, the run summary and the evidence report."""
        judged = len(self.passed) + len(self.failed) + len(self.waived) + len(self.discounted)
        checks = f" of {self.checks_expected}" if self.checks_expected else ""
        return (
            f"prowler {FRAMEWORK} {self.scope.label}: {judged} findings on {self.resources} resources: "
            f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.waived)} waived by "
            f"{_relative(ALLOW_FILE)}, {len(self.stale)} stale; {len(self.not_run)}{checks} checks "
            f"could not run on the {self.target}"
        )

    def problems(self) -> list[str]:
        """Each unexplained failure and stale entry, and what to do about them."""
        if self.ok:
            return []
        lines = [self.summary()]
        lines += [f"  FAILED {f} (PCI DSS {', '.join(f.sections)})" for f in self.failed]
        lines += [f"  STALE allow-list entry (explains nothing): {a.label()}" for a in self.stale]
        lines.append(
            f"Fix the resource, or add an entry with an auditor-grade reason to {_relative(ALLOW_FILE)} "
            "(remove stale entries)."
        )
        return lines

    def report_lines(self) -> list[str]:
        """Per requirement, then every failure, exception, stale entry and check that could not run."""
        lines = [r.line() for r in self.requirements]
        lines += [f"FAILED {f} (PCI DSS {', '.join(f.sections)})" for f in self.failed]
        lines += [f"waived {f}: {a.reason}" for f, a in self.waived]
        lines += [f"not counted as a pass: {f}: {a.reason}" for f, a in self.discounted]
        lines += [f"STALE allow-list entry: {a.label()}" for a in self.stale]
        lines += [f"could not run: {n}" for n in self.not_run]
        if self.outside:
            counted = ", ".join(f"{n} {status.lower()}ed" for status, n in sorted(self.outside.items()))
            lines.append(f"not judged (not the {self.scope.label}'s resources): {counted}")
        return [*lines, self.summary()]

    def to_json(self) -> dict[str, Any]:
        """Plain data for the record the evidence report reads."""
        return {
            "scan": self.scope.label,
            "stack": self.scope.stack,
            "run_id": self.scope.run_id,
            "target": self.target,
            "framework": FRAMEWORK,
            "prowler_version": self.prowler_version,
            "seconds": round(self.seconds, 1),
            "ok": self.ok,
            "line": self.summary(),
            "passed": len(self.passed),
            "resources": self.resources,
            "requirements": [r.to_json() for r in self.requirements],
            "failed": [str(f) for f in self.failed],
            "waived": [{"finding": str(f), "reason": a.reason} for f, a in self.waived],
            "discounted": [{"finding": str(f), "reason": a.reason} for f, a in self.discounted],
            "stale": [a.label() for a in self.stale],
            "outside": dict(self.outside),
            "checks_expected": self.checks_expected,
            "not_run": [{"check": n.check, "reason": n.reason} for n in self.not_run],
            "nothing_to_assess": list(self.nothing_to_assess),
            "api_errors": list(self.api_errors),
        }


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def unrun_checks(results: ProwlerResults) -> tuple[list[NotRun], list[str], list[str]]:
    """The framework's checks without any result: those whose code or API failed, and the others.

    A check without a result could not run when its own code failed, or when a call of a service it
    reads failed in a method whose subject its code reads (``_describe_vpn_endpoints`` and a check
    reading ``vpn_endpoints``; any failure of the service when the method is unknown). The others ran
    and found nothing to assess (no such resource on the target).

    Returns:
        (checks that could not run, with why; checks that found nothing to assess; every failing
        API as ``<service>: <call> (<error>)``).
    """
    by_service: dict[str, list[LogError]] = defaultdict(list)
    by_check: dict[str, list[str]] = defaultdict(list)
    for error in results.log_errors:
        if error.service is not None:
            by_service[error.service].append(error)
            continue
        check = error.module if error.module in results.framework_checks else error.message.split(" ", 1)[0]
        if check in results.framework_checks:
            by_check[check].append(error.message[:200])
    api_errors = [
        f"{service}: {', '.join(dict.fromkeys(e.describe() for e in errors))}"
        for service, errors in sorted(by_service.items())
    ]
    not_run: list[NotRun] = []
    nothing: list[str] = []
    for check in sorted(results.framework_checks - results.checks_with_results):
        if by_check.get(check):
            not_run.append(NotRun(check, f"the check failed: {by_check[check][0]}"))
            continue
        source = results.check_sources.get(check)
        failed = [
            error
            for service in results.check_services.get(check, (check.split("_", 1)[0],))
            for error in by_service.get(service, [])
            if source is None or error.subject is None or error.subject in source
        ]
        if failed:
            calls = ", ".join(dict.fromkeys(f"{e.service}: {e.describe()}" for e in failed))
            not_run.append(NotRun(check, f"its API failed on the target ({calls})"))
        else:
            nothing.append(check)
    return not_run, nothing, api_errors


def evaluate(
    results: ProwlerResults, scope: Scope, allow: Sequence[Allow], *, target: str = "emulator"
) -> RuntimeScanResult:
    """Judge the findings ``scope`` holds against the allow-list entries for ``target`` and the scope."""
    applicable = [
        a
        for a in allow
        if a.target in ("any", target) and (scope.stack is None or a.stack in (None, scope.stack))
    ]
    not_run, nothing, api_errors = unrun_checks(results)
    result = RuntimeScanResult(
        scope=scope,
        target=target,
        not_run=not_run,
        nothing_to_assess=nothing,
        api_errors=api_errors,
        checks_expected=len(results.framework_checks),
        prowler_version=results.prowler_version,
        seconds=results.seconds,
    )
    per_requirement: dict[str, RequirementResult] = {}

    def requirement(number: str) -> RequirementResult:
        return per_requirement.setdefault(number, RequirementResult(number))

    used: set[Allow] = set()
    outside: dict[str, int] = defaultdict(int)
    for finding in results.findings:
        if not scope.holds(finding, results.aliases.get(finding.resource, ())):
            outside[finding.status] += 1
            continue
        entry = next((a for a in applicable if a.explains(finding)), None)
        if entry is not None:
            used.add(entry)
        _file(result, finding, entry)
        for number in finding.principals:
            _file(requirement(number), finding, entry)
    for number, ids in results.manual.items():
        requirement(number).manual = len(ids)
    result.requirements = sorted(per_requirement.values(), key=lambda r: requirement_key(r.number))
    result.stale = [a for a in applicable if a not in used]
    result.outside = dict(outside)
    return result


def _file(item: RuntimeScanResult | RequirementResult, finding: Finding, entry: Allow | None) -> None:
    """Put ``finding`` in the right list of ``item``: passed, failed, waived or discounted."""
    if finding.status == FAIL and entry is None:
        item.failed.append(finding)
    elif finding.status == FAIL and entry is not None:
        item.waived.append((finding, entry))
    elif entry is None:
        item.passed.append(finding)
    else:
        item.discounted.append((finding, entry))


# --- running Prowler ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProwlerOutput:
    """Where one Prowler run left its results.

    Attributes:
        directory: The output directory.
        compliance_csv: ``compliance/prowler_pci_4.0_aws.csv``.
        ocsf_json: ``prowler.ocsf.json``.
        log: ``prowler.log`` (errors only).
        package: Prowler's package directory (framework JSON, check code); ``None`` if not found.
        seconds: How long Prowler ran.
    """

    directory: Path
    compliance_csv: Path
    ocsf_json: Path
    log: Path
    package: Path | None
    seconds: float


def prowler_executable() -> Path:
    """``$PROWLER_BIN``, else the pinned one in ``.venv-prowler``.

    Raises:
        RuntimeScanError: It is not there, with how to install it.
    """
    configured = os.environ.get(PROWLER_BIN_VAR)
    executable = Path(configured) if configured else PROWLER_VENV / "bin" / "prowler"
    if not executable.exists():
        raise RuntimeScanError(f"prowler not found at {executable}: {INSTALL_HINT}; or set {PROWLER_BIN_VAR}")
    return executable


def prowler_package(executable: Path) -> Path | None:
    """The ``prowler`` package of the virtual environment ``executable`` belongs to, if found."""
    venv = executable.resolve().parent.parent
    found = sorted(venv.glob("lib/python3*/site-packages/prowler/compliance/aws"))
    return found[-1].parent.parent if found else None


def prowler_environment(target: AwsTarget, environ: Mapping[str, str]) -> dict[str, str]:
    """Prowler's environment: on the emulator every call goes to it with its credentials, none of ours."""
    if target.endpoint is None:
        return {**environ, "AWS_DEFAULT_REGION": target.region}
    kept = {k: v for k, v in environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    return {
        **kept,
        **target.credentials,
        "AWS_ENDPOINT_URL": target.endpoint,
        "AWS_DEFAULT_REGION": target.region,
        "AWS_REGION": target.region,
    }


def run_prowler(
    target: AwsTarget,
    out_dir: Path,
    *,
    timeout: float = SCAN_TIMEOUT_SECONDS,
    environ: Mapping[str, str] | None = None,
) -> ProwlerOutput:
    """Run every check of :data:`FRAMEWORK` against ``target``'s region; results into ``out_dir``.

    ``out_dir`` is emptied first (Prowler appends to an existing compliance CSV). Prowler's console
    output goes to ``out_dir/prowler.out``.

    Raises:
        RuntimeScanError: Prowler is not installed, failed, timed out or wrote no results.
    """
    executable = prowler_executable()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log = out_dir / "prowler.log"
    command = [
        str(executable),
        "aws",
        "--compliance",
        FRAMEWORK,
        "--region",
        target.region,
        "--scan-unused-services",
        "--output-formats",
        "json-ocsf",
        "--output-directory",
        str(out_dir),
        "--output-filename",
        OUTPUT_NAME,
        "--log-level",
        "ERROR",
        "--log-file",
        str(log),
        "--ignore-exit-code-3",  # failed checks are ours to judge, not an error of the run
        "--no-banner",
        "--no-color",
    ]
    console = out_dir / "prowler.out"
    started = time.monotonic()
    with console.open("w") as handle:
        try:
            completed = subprocess.run(
                command,
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=prowler_environment(target, os.environ if environ is None else environ),
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeScanError(f"prowler did not finish within {timeout:.0f}s; see {console}") from err
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        tail = console.read_text(errors="replace")[-2000:]
        raise RuntimeScanError(f"prowler exited {completed.returncode}; see {console}:\n{tail}")
    output = ProwlerOutput(
        directory=out_dir,
        compliance_csv=out_dir / "compliance" / f"{OUTPUT_NAME}_{FRAMEWORK}.csv",
        ocsf_json=out_dir / f"{OUTPUT_NAME}.ocsf.json",
        log=log,
        package=prowler_package(executable),
        seconds=seconds,
    )
    if not output.compliance_csv.exists():
        raise RuntimeScanError(f"prowler wrote no compliance CSV ({output.compliance_csv}); see {console}")
    return output


def read_results(output: ProwlerOutput) -> ProwlerResults:
    """Everything one Prowler run reported (its framework's check list from its own package)."""
    findings, manual, seen = read_compliance_csv(output.compliance_csv)
    aliases, version = read_ocsf_aliases(output.ocsf_json) if output.ocsf_json.exists() else ({}, "unknown")
    expected = framework_checks(output.package) if output.package is not None else frozenset()
    services, sources = check_code(output.package, expected) if output.package is not None else ({}, {})
    return ProwlerResults(
        findings=tuple(findings),
        manual=manual,
        aliases=aliases,
        log_errors=tuple(read_log(output.log, output.package)),
        framework_checks=expected,
        check_services=services,
        check_sources=sources,
        prowler_version=version,
        seconds=output.seconds,
        checks_with_results=frozenset(seen),
    )


def record_path(workdir: Path, stack: str) -> Path:
    """Where a live run keeps the runtime scan of ``stack`` (beside its checkov record)."""
    return live_record_path(workdir, stack, RUNTIME_SCAN_RECORD)


# --- the command -------------------------------------------------------------------------------


def default_workdir(work_root: Path, run_id: str) -> Path:
    """The run's work directory (``<work root>/<suffix>-<run id>``) if exactly one exists, else a new one."""
    found = [p for p in sorted(work_root.glob(f"*-{run_id}")) if p.is_dir()]
    return found[0] if len(found) == 1 else work_root / f"runtime-scan-{run_id}"


def command(
    run_id: str,
    target_kind: str,
    endpoint: str | None,
    region: str,
    *,
    workdir: Path | None,
    allow_file: Path,
    say: Callable[[str], None],
) -> int:
    """``python -m harness runtime-scan``: 0 when the run passes, 1 on a failure or stale entry.

    2 on bad input (unknown target, malformed run id or endpoint, an emulator that does not answer,
    Prowler not installed, an allow-list that cannot be used), 3 when Prowler itself failed.
    """
    if target_kind not in TARGETS:
        say(f"runtime-scan: --target must be one of {', '.join(TARGETS)} (got {target_kind!r})")
        return 2
    if not is_run_id(run_id):
        say(f"runtime-scan: --run-id must be {RUN_ID_LENGTH} lowercase letters or digits (got {run_id!r})")
        return 2
    try:
        executable = prowler_executable()
        package = prowler_package(executable)
        allow = load_allow(allow_file, framework_checks(package) if package is not None else ())
    except RuntimeScanError as err:
        say(f"runtime-scan: {err}")
        return 2
    target = open_target("runtime-scan", target_kind, endpoint, region, say=say)
    if target is None:
        return 2
    out_dir = (workdir or default_workdir(PROJECT_ROOT / ".work", run_id)) / "prowler"
    where = target.endpoint or f"AWS {region}"
    say(f"runtime-scan: run {run_id} on {where}: prowler {FRAMEWORK}, results into {out_dir}")
    try:
        results = read_results(run_prowler(target, out_dir))
    except RuntimeScanError as err:
        say(f"runtime-scan FAILED: {err}")
        return 3
    result = evaluate(results, Scope(run_id), allow, target=target.kind)
    (out_dir / "runtime-scan.json").write_text(json.dumps(result.to_json(), indent=2))
    for line in _command_lines(result):
        say(line)
    if not result.resources:
        say(f"runtime-scan: no finding is on a resource of run {run_id}: is it the right run and target?")
    return 0 if result.ok else 1


def _command_lines(result: RuntimeScanResult) -> Iterator[str]:
    yield from result.report_lines()[:-1]
    if result.api_errors:
        yield "failing APIs of the target: " + "; ".join(result.api_errors)
    yield result.summary()
