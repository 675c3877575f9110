"""Static compliance gate: checkov on a stack's plan JSON (or on HCL), against one committed skip file.

Zero failed checks pass the gate, except findings a skip entry waives. Each entry names the check,
the scan (a stack or ``modules``), the resource (a glob over checkov's resource address) and a reason
an auditor would accept. An entry may also be limited to plans against the emulator, or say that the
checked attribute is set but known only after apply: the gate then confirms that in the plan itself,
so a waiver for "unknown until apply" cannot hide an attribute that is really missing; or that it
holds only for throwaway runs: the gate then confirms in the plan that the resource carries the
``RunId`` tag every throwaway run's resources carry, so a long-lived environment's plan gets no such
waiver. Entries that waive nothing are reported as stale, so the file only ever lists live exceptions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.globs import glob_match
from harness.run_id import is_run_id
from pci_infra.app.paths import PROJECT_ROOT

SKIP_FILE = PROJECT_ROOT / ".ci" / "checkov" / "skips.toml"
CHECKOV_VENV = PROJECT_ROOT / ".venv-checkov"
CHECKOV_BIN_VAR = "CHECKOV_BIN"
"""Set to a checkov executable to use it instead of the project's pinned one in ``.venv-checkov``."""

CHECKOV_CACHE_VAR = "INFRA_CHECKOV_CACHE"
"""A directory where checkov's results are kept by content hash (the unit run sets it; live runs do not)."""
CHECKOV_PINS = PROJECT_ROOT / ".ci" / "checkov" / "requirements.txt"

_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
MIN_REASON_LENGTH = 40
TARGETS = ("any", "emulator", "moto", "aws")
"""What a skip entry may be limited to: every plan, plans against an emulator (either set), plans
against moto alone (what only moto cannot host), or plans against AWS."""
_HOLDING = {"aws": ("any", "aws"), "emulator": ("any", "emulator"), "moto": ("any", "emulator", "moto")}
"""The entries that hold for a plan against each gate target (``emulator``: the pair; ``moto``: moto
alone)."""
RUN_TAG = "RunId"
"""The tag that marks a throwaway run's resources (``Settings.tags``); long-lived environments have none."""
_KEYS = frozenset({"check", "scan", "resource", "reason", "target", "unknown_until_apply", "throwaway_only"})


class ComplianceGateError(RuntimeError):
    """Failed checks no skip entry waives, or a skip file that cannot be trusted."""


@dataclass(frozen=True)
class Skip:
    """One waiver of the skip file.

    Attributes:
        check: Checkov check id, e.g. ``CKV_AWS_145``.
        scan: What it applies to: a stack name or ``modules``.
        resources: Globs over the failing resource's address (``resource`` in the file: one glob
            or a list).
        reason: Why the finding is accepted, for an auditor.
        target: ``any``, or only plans against an ``emulator``, ``moto`` alone, or ``aws``.
        unknown_until_apply: Attribute the check reads that the plan sets but cannot know yet.
        throwaway_only: Waives only resources the plan tags with a run id (``RunId``): a throwaway
            run's, never a long-lived environment's.
    """

    check: str
    scan: str
    resources: tuple[str, ...]
    reason: str
    target: str = "any"
    unknown_until_apply: str | None = None
    throwaway_only: bool = False

    def label(self) -> str:
        """How a report names this entry."""
        return f"{self.check} {self.scan}:{','.join(self.resources)}"


@dataclass(frozen=True)
class Finding:
    """One failed check of a scan."""

    check: str
    name: str
    resource: str

    def __str__(self) -> str:
        """``CKV_AWS_18 aws_s3_bucket.x (Ensure the S3 bucket has access logging enabled)``."""
        return f"{self.check} {self.resource} ({self.name})"


@dataclass
class GateResult:
    """Outcome of one scan against the skip file."""

    scan: str
    passed: int
    failed: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Skip]] = field(default_factory=list)
    stale: list[Skip] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No unwaived failure and no stale skip entry."""
        return not self.failed and not self.stale

    def summary(self) -> str:
        """One line for progress output and the run summary."""
        return (
            f"checkov {self.scan}: {self.passed} passed, {len(self.failed)} failed, "
            f"{len(self.waived)} waived by {SKIP_FILE.relative_to(PROJECT_ROOT)}, {len(self.stale)} stale"
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data for the evidence report."""
        return {
            "scan": self.scan,
            "passed": self.passed,
            "failed": [str(f) for f in self.failed],
            "waived": [{"finding": str(f), "reason": s.reason} for f, s in self.waived],
            "stale": [s.label() for s in self.stale],
        }

    def raise_if_failed(self) -> None:
        """Raise :class:`ComplianceGateError` naming every failure and stale entry."""
        if self.ok:
            return
        lines = [self.summary()]
        lines += [f"  FAILED {f}" for f in self.failed]
        lines += [f"  STALE skip entry (waives nothing): {s.label()}" for s in self.stale]
        lines.append(
            f"Fix the resource, or add an entry with an auditor-grade reason to {SKIP_FILE} "
            "(remove stale entries)."
        )
        raise ComplianceGateError("\n".join(lines))


def load_skips(path: Path = SKIP_FILE, scans: Sequence[str] = ()) -> list[Skip]:
    """Read and check the skip file; every problem is named with its entry number."""
    raw = tomllib.loads(path.read_text())
    entries = raw.get("skip", [])
    problems: list[str] = []
    skips: list[Skip] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {number}"
        unknown = set(entry) - _KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
            continue
        missing = [key for key in ("check", "scan", "resource", "reason") if not entry.get(key)]
        if missing:
            problems.append(f"{where}: missing {missing}")
            continue
        globs = entry.pop("resource")
        skip = Skip(resources=(globs,) if isinstance(globs, str) else tuple(globs), **entry)
        if not _CHECK_ID.match(skip.check):
            problems.append(f"{where}: check {skip.check!r} is not a checkov id such as CKV_AWS_145")
        if scans and skip.scan not in scans:
            problems.append(f"{where}: scan {skip.scan!r} is none of {sorted(scans)}")
        if skip.target not in TARGETS:
            problems.append(f"{where}: target {skip.target!r} is none of {TARGETS}")
        if not isinstance(skip.throwaway_only, bool):
            problems.append(f"{where}: throwaway_only must be true or false")
        elif skip.throwaway_only and skip.scan == "modules":
            problems.append(f"{where}: throwaway_only needs a plan: it cannot apply to the modules scan")
        if len(skip.reason.strip()) < MIN_REASON_LENGTH:
            problems.append(
                f"{where}: reason must explain the exception (at least {MIN_REASON_LENGTH} chars)"
            )
        skips.append(skip)
    if problems:
        raise ComplianceGateError("skip file cannot be used:\n  " + "\n  ".join(problems))
    return skips


def record_path(workdir: Path, stack: str) -> Path:
    """Where a live run keeps the gate's result for ``stack`` (read by its tests and the evidence report)."""
    return workdir / f"{stack}.checkov.json"


def checkov_command() -> list[str]:
    """The checkov executable: ``$CHECKOV_BIN``, else the pinned one that ``bin/_setup.sh`` installs."""
    configured = os.environ.get(CHECKOV_BIN_VAR)
    executable = Path(configured) if configured else CHECKOV_VENV / "bin" / "checkov"
    if not executable.exists():
        raise ComplianceGateError(
            f"checkov not found at {executable}: run bin/test (its set-up installs the pinned version "
            f"from .ci/checkov/requirements.txt into .venv-checkov) or set {CHECKOV_BIN_VAR}"
        )
    return [str(executable)]


def run_checkov(target: Path, framework: str) -> tuple[int, list[Finding]]:
    """Scan ``target`` (a plan JSON file, or a directory of HCL) and return (passed count, failures).

    With ``$INFRA_CHECKOV_CACHE`` set, a scan of content already scanned by the same pinned checkov
    with the same arguments is read from there instead of run again (the key hashes all three).
    """
    command = [*checkov_command(), "-f" if target.is_file() else "-d", str(target)]
    command += ["--framework", framework, "-o", "json", "--quiet", "--compact", "--skip-download"]
    cache_dir = os.environ.get(CHECKOV_CACHE_VAR)
    cached = (
        Path(cache_dir) / f"{_scan_key(target, command[len(checkov_command()) + 2 :])}.json"
        if cache_dir
        else None
    )
    if cached is not None and cached.exists():
        record = json.loads(cached.read_text())
        return record["passed"], [Finding(**item) for item in record["findings"]]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},  # offline use: no guideline download
        timeout=600,
    )
    if result.returncode not in (0, 1):
        raise ComplianceGateError(f"checkov exited {result.returncode} on {target}:\n{result.stderr[-2000:]}")
    try:
        document = json.loads(result.stdout)
    except json.JSONDecodeError as err:
        raise ComplianceGateError(
            f"checkov gave no JSON report for {target}: {result.stderr[-2000:]}"
        ) from err
    reports = document if isinstance(document, list) else [document]
    passed = 0
    findings: list[Finding] = []
    for report in reports:
        passed += int(report.get("summary", {}).get("passed", 0))
        findings += [
            Finding(item["check_id"], item["check_name"], item["resource"])
            for item in report.get("results", {}).get("failed_checks", [])
        ]
    if passed == 0:
        raise ComplianceGateError(f"checkov ran no check on {target}: is it the right file?")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        record = {"passed": passed, "findings": [vars(f) for f in findings]}
        partial = cached.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(record))
        partial.replace(cached)  # atomic: a parallel worker reads the whole record or none
    return passed, findings


def _scan_key(target: Path, arguments: Sequence[str]) -> str:
    """A hash of what a checkov scan depends on: the pinned version, the arguments, the content scanned."""
    digest = hashlib.sha256(CHECKOV_PINS.read_bytes() + "\0".join(arguments).encode())
    files = [target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file())
    for path in files:
        if ".terraform" in path.parts or path.name == ".terraform.lock.hcl":
            continue
        digest.update(str(path.relative_to(target.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def unknown_attributes(plan: Mapping[str, Any]) -> dict[str, set[str]]:
    """Per resource address, the top-level attributes the plan sets but knows only after apply."""
    unknown: dict[str, set[str]] = {}
    for change in plan.get("resource_changes", []):
        after_unknown = change.get("change", {}).get("after_unknown") or {}
        unknown[change["address"]] = {name for name, value in after_unknown.items() if value is True}
    return unknown


def throwaway_resources(plan: Mapping[str, Any]) -> set[str]:
    """Addresses of the resources the plan tags with a run id (``RunId`` in ``tags_all``)."""
    tagged: set[str] = set()
    for change in plan.get("resource_changes", []):
        after = change.get("change", {}).get("after") or {}
        tags = after.get("tags_all") or after.get("tags") or {}
        if isinstance(tags, dict) and is_run_id(str(tags.get(RUN_TAG, ""))):
            tagged.add(change["address"])
    return tagged


def evaluate(
    scan: str,
    passed: int,
    findings: Sequence[Finding],
    skips: Sequence[Skip],
    *,
    target: str = "any",
    plan: Mapping[str, Any] | None = None,
) -> GateResult:
    """Apply the skip entries of ``scan`` (for ``target``) to its findings."""
    relevant = [s for s in skips if s.scan == scan and s.target in _HOLDING.get(target, ("any", target))]
    unknown = unknown_attributes(plan) if plan is not None else {}
    throwaway = throwaway_resources(plan) if plan is not None else set()
    result = GateResult(scan=scan, passed=passed)
    used: set[Skip] = set()
    for finding in findings:
        match = next((s for s in relevant if _waives(s, finding, unknown, throwaway)), None)
        if match is None:
            result.failed.append(finding)
        else:
            result.waived.append((finding, match))
            used.add(match)
    result.stale = [s for s in relevant if s not in used]
    return result


def _waives(skip: Skip, finding: Finding, unknown: Mapping[str, set[str]], throwaway: set[str]) -> bool:
    if skip.check != finding.check or not any(glob_match(g, finding.resource) for g in skip.resources):
        return False
    if skip.throwaway_only and finding.resource not in throwaway:
        return False
    if skip.unknown_until_apply is None:
        return True
    return skip.unknown_until_apply in unknown.get(finding.resource, set())


def scan_plan(scan: str, plan_json: Path, *, target: str, skips: Sequence[Skip] | None = None) -> GateResult:
    """Checkov on one stack's plan JSON, judged against the skip file."""
    passed, findings = run_checkov(plan_json, "terraform_plan")
    plan = json.loads(plan_json.read_text())
    return evaluate(
        scan, passed, findings, load_skips() if skips is None else skips, target=target, plan=plan
    )


def scan_modules(modules_dir: Path, *, skips: Sequence[Skip] | None = None) -> GateResult:
    """Checkov on the HCL of ``modules/``, judged against the skip file."""
    passed, findings = run_checkov(modules_dir, "terraform")
    return evaluate("modules", passed, findings, load_skips() if skips is None else skips)


def untouched_addresses(plan: Mapping[str, Any]) -> set[str]:
    """Addresses a plan leaves as they are (``no-op``) or only reads (data sources)."""
    return {
        change["address"]
        for change in plan.get("resource_changes", [])
        if change.get("change", {}).get("actions") in (["no-op"], ["read"])
    }


@dataclass(frozen=True)
class PlanGate:
    """The checkov gate on a deploy's saved plan, as every apply of the harness runs it.

    Called with the plan's JSON between ``plan`` and ``apply``: scans it, writes the result to
    :func:`record_path` (read by the live tests and the evidence report), says the summary, and
    raises :class:`ComplianceGateError` on an unwaived failure or a stale entry, so nothing is applied.

    Attributes:
        stack: The stack's name (the scan name in the skip file).
        workdir: Where the result is recorded.
        target: ``"emulator"`` (the pair), ``"moto"`` (moto alone) or ``"aws"``: which skip entries
            hold (:attr:`harness.aws_target.AwsTarget.plan_target`).
        say: Progress lines.
        skip_file: The skip file judging the plan.
        blocking: ``False`` only for a replica of what is deployed already (the upgrade check's
            deploy of an older ref): its findings are said and recorded, the apply goes ahead, and
            the plan that would really be applied (the upgrade) is gated blocking.
        changes_only: ``True`` for a re-plan after an apply stopped halfway: what the plan leaves
            as it is (no-op) was gated in the first plan, and checkov would judge it by what the
            target read back (an emulator's, e.g. MiniStack's kept default egress rule), so only
            findings on what the plan changes block; the others are said.
        judge_stale: ``False`` for a plan against a deployed state (an upgrade): checkov judges
            some resources of such a plan differently from a fresh deploy's, so whether an entry
            still waives something is judged on fresh plans (every live deploy, the AWS-target
            plans of the unit run); here unused entries are only said.
    """

    stack: str
    workdir: Path
    target: str
    say: Callable[[str], None]
    skip_file: Path = SKIP_FILE
    blocking: bool = True
    judge_stale: bool = True
    changes_only: bool = False

    def __call__(self, plan_json: Path) -> None:
        """Scan ``plan_json``; record and say the result; raise when the apply must not go ahead."""
        result = scan_plan(self.stack, plan_json, target=self.target, skips=load_skips(self.skip_file))
        if self.changes_only:
            untouched = untouched_addresses(json.loads(plan_json.read_text()))
            for finding in [f for f in result.failed if f.resource in untouched]:
                self.say(f"  on a resource this plan leaves as applied (judged on the first plan): {finding}")
            result.failed = [f for f in result.failed if f.resource not in untouched]
        if not self.judge_stale:
            for skip in result.stale:
                self.say(f"  entry unused by this plan (judged on fresh plans): {skip.label()}")
            result.stale = []
        self.workdir.mkdir(parents=True, exist_ok=True)
        record_path(self.workdir, self.stack).write_text(json.dumps(result.to_json(), indent=2))
        if self.blocking:
            self.say(f"gate before apply: {result.summary()}")
            result.raise_if_failed()
        else:
            self.say(f"gate before apply (advisory: a replica of what is deployed): {result.summary()}")
            for line in [*map(str, result.failed), *(s.label() for s in result.stale)]:
                self.say(f"  advisory: {line}")
