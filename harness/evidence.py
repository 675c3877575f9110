"""Compliance evidence: PCI DSS v4.0 requirements mapped to what implements and what proves them.

Read from a real run: the synthesized stacks (which resources implement each requirement), the
test results of that run (JUnit XML from pytest: which static checks passed, which live checks ran,
were skipped and why) and the live environments' run metadata (run id, date, emulator or AWS).
Written as Markdown for a compliance officer, JSON for tooling and one self-contained HTML page
(:mod:`harness.evidence_html`) rendered from that same JSON document, with the live runs' PAN-scan
and reachability records beside it. Beside checkov's results on each stack's plan stand the runtime
scan's (Prowler's PCI DSS v4.0 checks on each deployed environment, :mod:`harness.runtime_scan`),
per requirement, when the run made one (the nightly selection does), and "not run in this run"
otherwise.

A test is evidence for the requirements its ``@pytest.mark.pci_dss("3", "10")`` marker names: the
project's ``conftest.py`` makes a number not in :data:`REQUIREMENTS` a collection error and writes
each id of a test into the JUnit XML as a ``pci_dss`` property, which this report reads.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.evidence_html import (
    PAN_SCAN_RECORD,
    REACHABILITY_RECORD,
    RUNTIME_SCAN_HINT,
    RUNTIME_SCAN_RECORD,
    LiveRecord,
    record_path,
    runtime_counts,
    write_html,
)
from pci_infra.app.stack_kind import StackKind


@dataclass(frozen=True)
class Requirement:
    """One PCI DSS v4.0 principal requirement and where our evidence for it lives.

    Attributes:
        number: Requirement number, as tests name it in ``@pytest.mark.pci_dss(...)``.
        title: What it asks, in short.
        resource_types: Terraform resource (and module) types that implement it.
    """

    number: str
    title: str
    resource_types: tuple[str, ...]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "1",
        "Install and maintain network security controls",
        (
            "module:vpc",
            "aws_networkfirewall_firewall",
            "aws_networkfirewall_rule_group",
            "aws_security_group",
            "aws_vpc_security_group_egress_rule",
            "aws_wafv2_web_acl",
            "module:waf",
        ),
    ),
    Requirement(
        "3",
        "Protect stored account data",
        ("aws_kms_key", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_policy"),
    ),
    Requirement(
        "4",
        "Protect cardholder data with strong cryptography during transmission",
        ("module:alb", "module:aurora", "aws_s3_bucket_policy"),
    ),
    Requirement(
        "7",
        "Restrict access to system components and cardholder data by business need to know",
        ("aws_iam_role", "aws_iam_role_policy", "aws_kms_key"),
    ),
    Requirement(
        "8",
        "Identify users and authenticate access to system components",
        ("aws_secretsmanager_secret_rotation", "aws_ssm_parameter", "module:aurora"),
    ),
    Requirement(
        "10",
        "Log and monitor all access to system components and cardholder data",
        (
            "aws_cloudtrail",
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_metric_filter",
            "aws_cloudwatch_metric_alarm",
            "aws_s3_bucket_logging",
            "aws_flow_log",
        ),
    ),
    Requirement(
        "11",
        "Test security of systems and networks regularly; detect intrusions",
        ("aws_guardduty_detector", "aws_config_config_rule", "aws_cloudwatch_event_rule"),
    ),
)

MARKER = "pci_dss"
"""``@pytest.mark.pci_dss(*numbers)``: the requirements a test is evidence for; also the name of the
JUnit XML property that carries each number."""

EVIDENCE_STACKS = tuple(StackKind)
"""The environments the report is about."""


def marker_problem(test_id: str, numbers: Sequence[object]) -> str | None:
    """Why ``@pytest.mark.pci_dss(*numbers)`` on ``test_id`` is wrong; ``None`` when it is right.

    Right is at least one number, each a requirement of :data:`REQUIREMENTS` (a string: ``"10"``).
    """
    known = [requirement.number for requirement in REQUIREMENTS]
    unknown = [number for number in numbers if number not in known]
    if numbers and not unknown:
        return None
    named = ", ".join(map(repr, numbers))
    what = f"unknown requirement {', '.join(map(repr, unknown))}" if unknown else "names no requirement"
    return f"{test_id}: @pytest.mark.{MARKER}({named}) {what}; PCI DSS requirements here: {', '.join(known)}"


@dataclass
class TestResult:
    """One test of the run and the requirements it is evidence for (its ``pci_dss`` marker)."""

    test_id: str
    outcome: str
    message: str = ""
    requirements: tuple[str, ...] = ()


@dataclass
class Evidence:
    """The evidence of one requirement."""

    requirement: Requirement
    resources: list[dict[str, str]] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def read_junit(path: Path) -> tuple[list[TestResult], float]:
    """Test outcomes from a pytest JUnit XML report, and the wall time of its longest suite."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest report
    results = []
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", child.get("message", "")
            elif child.tag == "skipped":
                outcome, message = "skipped", child.get("message", "")
        numbers = tuple(
            str(prop.get("value")) for prop in case.iter("property") if prop.get("name") == MARKER
        )
        results.append(TestResult(test_id, outcome, message, numbers))
    return results, max((float(s.get("time", "0")) for s in root.iter("testsuite")), default=0.0)


def stack_resources(outdir: Path) -> list[dict[str, str]]:
    """Every resource and module of every synthesized stack: stack, type, construct path, name."""
    found = []
    for document_path in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        document = json.loads(document_path.read_text())
        stack = document_path.parent.name
        for rtype, items in document.get("resource", {}).items():
            for body in items.values():
                name = next(
                    (str(body[a]) for a in ("name", "bucket", "function_name", "alarm_name") if a in body), ""
                )
                found.append(
                    {"stack": stack, "type": rtype, "path": body["//"]["metadata"]["path"], "name": name}
                )
        for body in document.get("module", {}).values():
            source = str(body.get("source", ""))
            found.append(
                {
                    "stack": stack,
                    "type": f"module:{source.rstrip('/').rsplit('/', 1)[-1]}",
                    "path": body["//"]["metadata"]["path"],
                    "name": str(body.get("name", "")),
                }
            )
    return found


def collect(outdir: Path, results: list[TestResult]) -> list[Evidence]:
    """Map resources and test outcomes onto the requirements."""
    resources = stack_resources(outdir)
    evidence = []
    for requirement in REQUIREMENTS:
        item = Evidence(requirement, [r for r in resources if r["type"] in requirement.resource_types])
        for result in results:
            if requirement.number not in result.requirements:
                continue
            if result.outcome == "passed":
                item.passed.append(result.test_id)
            elif result.outcome == "skipped":
                item.skipped.append({"test": result.test_id, "reason": result.message})
            else:
                item.failed.append(result.test_id)
        evidence.append(item)
    return evidence


def write_report(
    evidence: list[Evidence],
    runs: list[dict[str, Any]],
    destination: Path,
    generated: str | None = None,
    static_scans: list[dict[str, Any]] | None = None,
    pan_scans: list[LiveRecord] | None = None,
    reachability: list[LiveRecord] | None = None,
    runtime_scans: list[dict[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """Write ``evidence.json``, ``evidence.md`` and ``evidence.html`` into ``destination``.

    Return the JSON and Markdown paths; the page is ``destination / evidence_html.HTML_FILE``.
    ``static_scans`` are the compliance gate's records (checkov on each stack's plan) of the run and
    ``runtime_scans`` the runtime scan's (Prowler on each live environment; a stack without one is
    "not run in this run"); ``pan_scans`` and ``reachability`` the live runs' records, shown on the
    page only (each absent one as "not run" or "not recorded").
    """
    static_scans = static_scans or []
    runtime_scans = runtime_scans or []
    destination.mkdir(parents=True, exist_ok=True)
    stamp = generated or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    document = {
        "standard": "PCI DSS v4.0",
        "generated": stamp,
        "runs": runs,
        "static_scans": static_scans,
        "runtime_scans": runtime_scans,
        "requirements": [
            {
                "number": e.requirement.number,
                "title": e.requirement.title,
                "resources": e.resources,
                "checks_passed": e.passed,
                "checks_skipped": e.skipped,
                "checks_failed": e.failed,
            }
            for e in evidence
        ],
    }
    json_path = destination / "evidence.json"
    json_path.write_text(json.dumps(document, indent=2))
    lines = ["# PCI DSS v4.0 evidence", "", f"Generated {stamp}.", ""]
    for run in runs:
        where = "the emulator" if run.get("endpoint") else f"AWS ({run.get('region')})"
        lines.append(
            f"- Live run `{run['run_id']}` of `{run['stack']}` on {where}, deployed {run['created']}."
        )
    if static_scans:
        lines += ["", "## Static compliance scan (checkov, before each apply)", ""]
        for scan in static_scans:
            lines.append(
                f"- `{scan['scan']}`: {scan['passed']} checks passed, {len(scan['failed'])} failed, "
                f"{len(scan['waived'])} accepted exceptions:"
            )
            lines += [f"  - {w['finding']}: {w['reason']}" for w in scan["waived"]]
    lines += _runtime_lines(runtime_scans)
    for e in evidence:
        lines += ["", f"## Requirement {e.requirement.number}: {e.requirement.title}", ""]
        lines.append(f"Implemented by {len(e.resources)} resources:")
        lines += [f"- `{r['stack']}`: {r['type']} `{r['name'] or r['path']}`" for r in e.resources[:40]]
        if len(e.resources) > 40:
            lines.append(f"- ... and {len(e.resources) - 40} more (see evidence.json)")
        lines += ["", f"Checks passed ({len(e.passed)}):"] + [f"- {t}" for t in e.passed]
        if e.skipped:
            lines += ["", f"Checks skipped ({len(e.skipped)}), with the reason:"]
            lines += [f"- {s['test']}: {s['reason']}" for s in e.skipped]
        if e.failed:
            lines += ["", f"Checks FAILED ({len(e.failed)}):"] + [f"- {t}" for t in e.failed]
        runtime = _runtime_requirement_lines(e.requirement.number, runtime_scans)
        lines += ["", "Runtime scan (Prowler):", *runtime]
    markdown_path = destination / "evidence.md"
    markdown_path.write_text("\n".join(lines) + "\n")
    write_html(document, destination, EVIDENCE_STACKS, pan_scans or [], reachability or [])
    return json_path, markdown_path


def _runtime_lines(runtime_scans: Sequence[dict[str, Any]]) -> list[str]:
    """The Markdown section of the runtime scan: each stack's verdict, requirements and exceptions."""
    lines = ["", "## Runtime compliance scan (Prowler, PCI DSS v4.0, each live environment)", ""]
    for stack in EVIDENCE_STACKS:
        scan = next((s for s in runtime_scans if s.get("stack") == stack), None)
        if scan is None:
            lines.append(f"- `{stack}`: not run in this run (`{RUNTIME_SCAN_HINT}` scans each live run)")
            continue
        lines.append(f"- `{stack}` (run `{scan['run_id']}`, {scan['target']}): {scan['line']}")
        lines += [f"  - requirement {r['number']}: {runtime_counts(r)}" for r in scan["requirements"]]
        lines += [f"  - FAILED {f}" for f in scan["failed"]]
        lines += [f"  - STALE allow-list entry (explains nothing): {a}" for a in scan["stale"]]
        lines += [f"  - waived {w['finding']}: {w['reason']}" for w in scan["waived"]]
        lines += [f"  - not counted as a pass: {d['finding']}: {d['reason']}" for d in scan["discounted"]]
        if scan["not_run"]:
            lines.append(f"  - {len(scan['not_run'])} checks could not run on the {scan['target']}:")
            lines += [f"    - {n['check']}: {n['reason']}" for n in scan["not_run"]]
    return lines


def _runtime_requirement_lines(number: str, runtime_scans: Sequence[dict[str, Any]]) -> list[str]:
    """One line per stack: its runtime scan's counts for requirement ``number`` (or why there are none)."""
    lines = []
    for stack in EVIDENCE_STACKS:
        scan = next((s for s in runtime_scans if s.get("stack") == stack), None)
        row = next((r for r in scan["requirements"] if r["number"] == number), None) if scan else None
        if scan is None:
            lines.append(f"- `{stack}`: not run in this run")
        elif row is None:
            lines.append(f"- `{stack}`: no finding of this requirement")
        else:
            lines.append(f"- `{stack}`: {runtime_counts(row)}")
            lines += [f"  - FAILED {f}" for f in row["failed"]]
    return lines


def run_metadata(work_root: Path, since: float) -> list[dict[str, Any]]:
    """The ``<stack>.run.json`` of every live run of our two stacks under ``work_root`` since ``since``.

    Test-data deployments (e.g. the upgrade check's fixtures) are not evidence for the environments.
    """
    return [
        json.loads(p.read_text())
        for p in sorted(work_root.glob("*/*.run.json"))
        if p.stat().st_mtime >= since and p.name.removesuffix(".run.json") in EVIDENCE_STACKS
    ]


def live_records(
    work_root: Path, runs: list[dict[str, Any]], kind: str, stacks: Sequence[str] = EVIDENCE_STACKS
) -> list[LiveRecord]:
    """The ``<stack>.<kind>.json`` record of each live run of ``stacks`` (``None`` where it wrote none).

    A live run's records are in its work directory, ``<work_root>/it-<run id>``, beside its metadata.
    """
    found = []
    for run in runs:
        if run["stack"] not in stacks:
            continue
        path = record_path(work_root / f"it-{run['run_id']}", run["stack"], kind)
        found.append(
            LiveRecord(run["stack"], run["run_id"], json.loads(path.read_text()) if path.exists() else None)
        )
    return found


def generate(junit: Path, work_root: Path, destination: Path) -> tuple[Path, Path]:
    """The report of the run that wrote ``junit``: its live runs and the stacks they synthesized."""
    results, suite_time = read_junit(junit)
    runs = run_metadata(work_root, since=junit.stat().st_mtime - suite_time - 60)
    if not runs:
        raise FileNotFoundError(f"no live run under {work_root} belongs to {junit}: run the live tests first")
    rundirs = sorted({work_root / f"it-{run['run_id']}" for run in runs})  # one per test worker
    scans = [json.loads(p.read_text()) for rundir in rundirs for p in sorted(rundir.glob("*.checkov.json"))]
    runtime = [
        json.loads(p.read_text())
        for rundir in rundirs
        for p in sorted(rundir.glob(f"*.{RUNTIME_SCAN_RECORD}.json"))
    ]
    outdir = work_root / f"it-{runs[-1]['run_id']}" / "cdktf.out"  # every worker synthesizes both stacks
    return write_report(
        collect(outdir, results),
        runs,
        destination,
        static_scans=scans,
        pan_scans=live_records(work_root, runs, PAN_SCAN_RECORD),
        reachability=live_records(work_root, runs, REACHABILITY_RECORD, (StackKind.PCI_DATA_PROCESSING,)),
        runtime_scans=runtime,
    )
