"""The evidence report as one self-contained HTML page (``evidence.html``) for a compliance officer.

Rendered from the document :mod:`harness.evidence` writes as ``evidence.json`` (the same data the
Markdown report shows: nothing is recomputed here), plus the records the live runs leave in their
work directories: the PAN discovery scan before each teardown (``<stack>.pan-scan.json``, see
:func:`harness.pan_scan.record_path`) and the reachability table of the PCI environment
(``<stack>.reachability.json``, see :func:`reachability_record`). A record that is absent is shown as
"not run" (PAN scan) or "not recorded" (reachability), never guessed. The runtime scan of each live
environment (Prowler, ``<stack>.prowler.json``, see :mod:`harness.runtime_scan`) is part of the
document itself, beside checkov's, and "not run in this run" when no live run made one.

The page needs nothing but itself: styles are inline, there is no script, font, image or link to
anything outside the page, and its Content-Security-Policy forbids loading any. Every string that
comes from the run (test names, skip reasons, resource names, findings) goes through
:func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.reachability import NetworkModel, PathResult, Verdict

HTML_FILE = "evidence.html"
"""The page's file name in the report's directory."""

PAN_SCAN_RECORD = "pan-scan"
REACHABILITY_RECORD = "reachability"
RUNTIME_SCAN_RECORD = "prowler"
"""Record kinds: a live run's work directory holds ``<stack>.<kind>.json``."""

RUNTIME_SCAN_HINT = "INFRA_RUNTIME_SCAN=1 bin/test -m nightly"
"""The command whose live runs scan each environment at runtime (the report says so when none did)."""

PASS, SKIP, FAIL, NONE = "pass", "skip", "fail", "none"
"""CSS classes of an outcome: passed, skipped, failed, nothing to show."""

STYLE = """
:root { --pass: #1b7f3b; --pass-bg: #e6f4ea; --skip: #8a6100; --skip-bg: #fff4d6;
        --fail: #b3261e; --fail-bg: #fde7e6; --none: #5f6368; --none-bg: #f1f3f4; --line: #d0d4d9; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124;
       margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 90rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.subtitle { font-size: 1.05rem; margin: 0 0 .8rem; color: #3c4043; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f8f9fa; }
ul { margin: .1rem 0; padding-left: 1.1rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; }
.reason { display: block; color: #3c4043; white-space: pre-wrap; }
.badge { display: inline-block; border-radius: .6rem; padding: 0 .5rem; font-size: .85em; font-weight: 600; }
.pass { color: var(--pass); } .skip { color: var(--skip); } .fail { color: var(--fail); }
.none { color: var(--none); }
.badge.pass, td.pass, th.pass { background: var(--pass-bg); }
.badge.skip, td.skip, th.skip { background: var(--skip-bg); }
.badge.fail, td.fail, th.fail { background: var(--fail-bg); }
.badge.none, td.none, th.none { background: var(--none-bg); }
li.check { list-style: none; margin-left: -1.1rem; padding: .1rem 0; }
li.check .test { color: #202124; }
tr.fail td { background: var(--fail-bg); }
details summary { cursor: pointer; }
@media print { nav { display: none; } }
"""

_LABELS = {PASS: "passed", SKIP: "skipped", FAIL: "FAILED", NONE: "no check"}


@dataclass(frozen=True)
class LiveRecord:
    """The record one live run left for one stack.

    Attributes:
        stack: The stack (environment) it is about.
        run_id: The live run.
        record: The record's JSON data; ``None`` when the run wrote none.
    """

    stack: str
    run_id: str
    record: dict[str, Any] | None


def e(value: object) -> str:
    """``value`` as text safe anywhere in the page (element content and quoted attribute values)."""
    return html.escape(str(value), quote=True)


def _count(n: int, noun: str) -> str:
    """``1 resource``, ``2 resources``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _badge(status: str, text: str | None = None) -> str:
    return f'<span class="badge {e(status)}">{e(text or _LABELS[status])}</span>'


def _list(items: Iterable[str], css: str = "") -> str:
    """A ``<ul>`` of already rendered items (empty string when there are none)."""
    rendered = "".join(f"<li>{item}</li>" for item in items)
    if not rendered:
        return ""
    return (f'<ul class="{e(css)}">' if css else "<ul>") + rendered + "</ul>"


def _target(run: dict[str, Any]) -> str:
    """Where a run deployed, as the Markdown report says it (never the emulator's URL)."""
    return "emulator" if run.get("endpoint") else f"AWS ({run.get('region')})"


def title(document: dict[str, Any]) -> str:
    """``PCI DSS v4.0 evidence: run abc123, 2026-11-22, emulator`` (plain text, not escaped)."""
    runs: list[dict[str, Any]] = document.get("runs", [])
    ids = list(dict.fromkeys(str(run.get("run_id", "")) for run in runs))
    dates = list(dict.fromkeys(str(run.get("created", ""))[:10] for run in runs)) or [
        str(document.get("generated", ""))[:10]
    ]
    targets = list(dict.fromkeys(_target(run) for run in runs))
    which = f"run{'s' if len(ids) > 1 else ''} {', '.join(ids)}" if ids else "no live run"
    return f"{document.get('standard', 'PCI DSS')} evidence: " + ", ".join([which, *dates, *targets])


def requirement_status(requirement: dict[str, Any]) -> str:
    """``fail`` when a check failed, else ``pass`` when one passed, ``skip`` when all were skipped."""
    if requirement["checks_failed"]:
        return FAIL
    if requirement["checks_passed"]:
        return PASS
    return SKIP if requirement["checks_skipped"] else NONE


def _check(status: str, test: str, reason: str | None = None) -> str:
    why = f'<span class="reason">{e(reason)}</span>' if reason is not None else ""
    return (
        f'<li class="check {e(status)}" data-outcome="{e(status)}">{_badge(status)} '
        f'<code class="test">{e(test)}</code>{why}</li>'
    )


def _requirement_row(requirement: dict[str, Any], runtime_cell: str) -> str:
    number = str(requirement["number"])
    status = requirement_status(requirement)
    resources: list[dict[str, str]] = requirement["resources"]
    listed = "".join(
        f"<li><code>{e(r['stack'])}</code>: {e(r['type'])} <code>{e(r['name'] or r['path'])}</code></li>"
        for r in resources
    )
    resource_cell = (
        f"<details><summary>{_count(len(resources), 'resource')}</summary><ul>{listed}</ul></details>"
        if resources
        else '<span class="none">no resource in the synthesized stacks</span>'
    )
    checks = [_check(FAIL, test) for test in requirement["checks_failed"]]
    checks += [_check(SKIP, s["test"], s["reason"]) for s in requirement["checks_skipped"]]
    checks += [_check(PASS, test) for test in requirement["checks_passed"]]
    counts = (
        f"{len(requirement['checks_passed'])} passed, {len(requirement['checks_skipped'])} skipped, "
        f"{len(requirement['checks_failed'])} failed"
    )
    check_cell = (
        f'<p class="counts">{e(counts)}</p><ul class="checks">{"".join(checks)}</ul>'
        if checks
        else '<span class="none">no check of this run is marked with this requirement</span>'
    )
    return (
        f'<tr id="req-{e(number)}" class="requirement" data-requirement="{e(number)}" '
        f'data-status="{e(status)}">'
        f'<th scope="row" class="{e(status)}">{e(number)}<br>{_badge(status)}</th>'
        f"<td>{e(requirement['title'])}</td><td>{resource_cell}</td><td>{check_cell}</td>"
        f"<td>{runtime_cell}</td></tr>"
    )


def _requirements(document: dict[str, Any], stacks: Sequence[str]) -> str:
    scans: list[dict[str, Any]] = document.get("runtime_scans", [])
    rows = "".join(
        _requirement_row(r, runtime_requirement_cell(str(r["number"]), scans, stacks))
        for r in document["requirements"]
    )
    return (
        '<section id="requirements"><h2>Requirements, controls and checks</h2>'
        '<table id="requirement-table"><thead><tr><th>Requirement</th><th>Control</th>'
        "<th>Implemented by (resources)</th><th>Checks of this run</th>"
        "<th>Runtime scan (Prowler)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _runs(document: dict[str, Any]) -> str:
    runs: list[dict[str, Any]] = document.get("runs", [])
    if not runs:
        return '<p class="none">No live run belongs to these test results.</p>'
    rows = "".join(
        f"<tr><td><code>{e(run.get('run_id', ''))}</code></td><td><code>{e(run.get('stack', ''))}</code>"
        f"</td><td>{e(_target(run))}</td><td>{e(run.get('created', ''))}</td></tr>"
        for run in runs
    )
    return (
        '<table id="runs"><thead><tr><th>Live run</th><th>Stack</th><th>Target</th><th>Deployed</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _checkov(document: dict[str, Any], stacks: Sequence[str]) -> str:
    scans: list[dict[str, Any]] = document.get("static_scans", [])
    rows, details = [], []
    for scan in scans:
        status = FAIL if scan["failed"] or scan.get("stale") else PASS
        rows.append(
            f'<tr data-scan="{e(scan["scan"])}"><td><code>{e(scan["scan"])}</code></td>'
            f'<td class="{e(status)}">{_badge(status)}</td><td>{e(scan["passed"])}</td>'
            f"<td>{len(scan['failed'])}</td><td>{len(scan['waived'])}</td>"
            f"<td>{len(scan.get('stale', []))}</td></tr>"
        )
        failed = [f'<span class="fail">FAILED</span> <code>{e(f)}</code>' for f in scan["failed"]]
        stale = [
            f'<span class="fail">stale entry (waives nothing)</span> <code>{e(s)}</code>'
            for s in scan.get("stale", [])
        ]
        waived = [
            f'<code>{e(w["finding"])}</code><span class="reason">{e(w["reason"])}</span>'
            for w in scan["waived"]
        ]
        details.append(
            f"<h3>{e(scan['scan'])}: {_count(len(scan['waived']), 'accepted exception')}</h3>"
            + _list([*failed, *stale])
            + (_list(waived, "exceptions") or '<p class="none">No exception.</p>')
        )
    scanned = {str(scan["scan"]) for scan in scans}
    rows += [
        f'<tr data-scan="{e(stack)}"><td><code>{e(stack)}</code></td>'
        f'<td class="none" colspan="5">not recorded (no checkov record of this stack in the run)</td></tr>'
        for stack in stacks
        if stack not in scanned
    ]
    return (
        '<section id="checkov"><h2>Static compliance scan (checkov, before each apply)</h2>'
        '<table id="checkov-table"><thead><tr><th>Plan of</th><th>Gate</th><th>Checks passed</th>'
        "<th>Failed</th><th>Accepted exceptions</th><th>Stale entries</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{''.join(details)}</section>"
    )


def runtime_scan_status(record: dict[str, Any]) -> str:
    """``fail`` on an unexplained failure or a stale allow-list entry, else ``pass``."""
    return FAIL if record.get("failed") or record.get("stale") else PASS


def runtime_requirement_cell(number: str, scans: Sequence[dict[str, Any]], stacks: Sequence[str]) -> str:
    """The requirement table's runtime scan cell: each stack's counts for requirement ``number``."""
    items = []
    for stack in stacks:
        record = next((r for r in scans if r.get("stack") == stack), None)
        if record is None:
            items.append(f'<code>{e(stack)}</code>: <span class="none">not run in this run</span>')
            continue
        row = next((r for r in record.get("requirements", []) if str(r.get("number")) == number), None)
        if row is None:
            items.append(f'<code>{e(stack)}</code>: <span class="none">no finding of this requirement</span>')
            continue
        status = FAIL if row["failed"] else PASS
        items.append(f'<code>{e(stack)}</code>: <span class="{e(status)}">{e(runtime_counts(row))}</span>')
    return _list(items, "runtime")


def runtime_counts(row: dict[str, Any]) -> str:
    """``12 passed, 0 failed, 1 waived, 4 for manual review`` for one requirement of a runtime record."""
    return (
        f"{row['passed']} passed, {len(row['failed'])} failed, {len(row['waived'])} waived, "
        f"{row['manual']} for manual review"
    )


def _runtime_scans(document: dict[str, Any], stacks: Sequence[str]) -> str:
    scans: list[dict[str, Any]] = document.get("runtime_scans", [])
    rows, details = [], []
    for stack in stacks:
        record = next((r for r in scans if r.get("stack") == stack), None)
        if record is None:
            rows.append(
                f'<tr data-runtime-stack="{e(stack)}"><td><code>{e(stack)}</code></td><td>-</td>'
                f'<td class="none verdict" colspan="5">not run in this run ({e(RUNTIME_SCAN_HINT)} '
                "scans each live environment)</td></tr>"
            )
            continue
        status = runtime_scan_status(record)
        rows.append(
            f'<tr data-runtime-stack="{e(stack)}"><td><code>{e(stack)}</code></td>'
            f"<td><code>{e(record.get('run_id', ''))}</code></td>"
            f'<td class="{e(status)} verdict">{_badge(status)} {e(record.get("line", ""))}</td>'
            f"<td>{e(record.get('passed', 0))}</td><td>{len(record.get('failed', []))}</td>"
            f"<td>{len(record.get('waived', []))}</td><td>{len(record.get('stale', []))}</td></tr>"
        )
        requirement_rows = "".join(
            f'<tr class="{FAIL if r["failed"] else PASS}" data-runtime-requirement="{e(r["number"])}">'
            f"<td>{e(r['number'])}</td><td>{e(r.get('title', ''))}</td><td>{e(r['passed'])}</td>"
            f"<td>{len(r['failed'])}</td><td>{len(r['waived'])}</td><td>{len(r.get('discounted', []))}</td>"
            f"<td>{e(r['manual'])}</td></tr>"
            for r in record.get("requirements", [])
        )
        failed = [f'<span class="fail">FAILED</span> <code>{e(f)}</code>' for f in record.get("failed", [])]
        stale = [
            f'<span class="fail">stale entry (explains nothing)</span> <code>{e(s)}</code>'
            for s in record.get("stale", [])
        ]
        explained = [
            f'<code>{e(w["finding"])}</code><span class="reason">{e(w["reason"])}</span>'
            for w in record.get("waived", [])
        ] + [
            f"not counted as a pass: <code>{e(d['finding'])}</code>"
            f'<span class="reason">{e(d["reason"])}</span>'
            for d in record.get("discounted", [])
        ]
        not_run: list[dict[str, str]] = record.get("not_run", [])
        outside = ", ".join(f"{n} {s.lower()}ed" for s, n in sorted(record.get("outside", {}).items()))
        details.append(
            f'<h3 data-runtime-stack="{e(stack)}">{e(stack)}: by requirement</h3>'
            '<table class="runtime-requirements"><thead><tr><th>Requirement</th><th>Control</th>'
            "<th>Passed</th><th>Failed</th><th>Waived</th><th>Passes not counted</th>"
            f"<th>For manual review</th></tr></thead><tbody>{requirement_rows}</tbody></table>"
            + _list([*failed, *stale])
            + (_list(explained, "runtime-exceptions") or '<p class="none">No exception.</p>')
            + (
                f'<details class="skip"><summary>{_count(len(not_run), "check")} could not run on the '
                f"{e(record.get('target', 'target'))}</summary>"
                + _list(f"<code>{e(n['check'])}</code>: {e(n['reason'])}" for n in not_run)
                + "</details>"
                if not_run
                else ""
            )
            + (f'<p class="none">Not judged (not this stack\'s): {e(outside)}.</p>' if outside else "")
        )
    return (
        '<section id="runtime-scan"><h2>Runtime compliance scan (Prowler, PCI DSS v4.0, each live '
        "environment before teardown)</h2>"
        '<table id="runtime-scan-table"><thead><tr><th>Stack</th><th>Live run</th><th>Verdict</th>'
        "<th>Passed</th><th>Failed</th><th>Waived</th><th>Stale entries</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{''.join(details)}</section>"
    )


def pan_scan_status(record: dict[str, Any]) -> str:
    """``fail`` on a PAN found, ``skip`` when something could not be read (0 PANs is then no proof)."""
    if record.get("findings"):
        return FAIL
    return SKIP if record.get("unreadable") else PASS


def _pan_scans(records: Sequence[LiveRecord], stacks: Sequence[str]) -> str:
    rows = []
    for stack in stacks:
        mine = [r for r in records if r.stack == stack]
        if not mine:
            rows.append(
                f'<tr data-stack="{e(stack)}"><td><code>{e(stack)}</code></td><td>-</td>'
                '<td class="none verdict">not run (no live run of this stack)</td><td></td></tr>'
            )
        for live in mine:
            record = live.record
            if record is None:
                verdict, status, lines = "not run", NONE, ""
            else:
                status = pan_scan_status(record)
                verdict = str(record.get("line", ""))
                found = [
                    f'<span class="fail">PAN found:</span> {e(f["text"])}' for f in record.get("findings", [])
                ]
                lines = _list([*(e(s) for s in record.get("summary", [])), *found])
                unreadable: list[str] = record.get("unreadable", [])
                if unreadable:
                    lines += (
                        f'<details class="skip"><summary>{_count(len(unreadable), "item")} not read: '
                        "0 PANs there is not shown</summary>" + _list(e(u) for u in unreadable) + "</details>"
                    )
            rows.append(
                f'<tr data-stack="{e(stack)}"><td><code>{e(stack)}</code></td>'
                f"<td><code>{e(live.run_id)}</code></td>"
                f'<td class="{e(status)} verdict">{e(verdict)}</td><td>{lines}</td></tr>'
            )
    return (
        '<section id="pan-scan"><h2>PAN discovery scan before teardown (PCI DSS 3.5.1, 12.5.2)</h2>'
        '<table id="pan-scan-table"><thead><tr><th>Stack</th><th>Live run</th><th>Verdict</th>'
        f"<th>What was read</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _reachability(records: Sequence[LiveRecord]) -> str:
    head = '<section id="reachability"><h2>Reachability of the PCI workload subnets (PCI DSS 1)</h2>'
    found = [r for r in records if r.record is not None]
    if not found:
        return (
            head
            + '<p class="none verdict">not recorded (no reachability record of the PCI run)</p></section>'
        )
    parts = [head]
    for live in found:
        record = live.record or {}
        status = PASS if record.get("ok") else FAIL
        where = f"{record.get('vpc_id', '')} ({record.get('source') or 'model'})"
        parts.append(
            f"<h3>Run <code>{e(live.run_id)}</code>, VPC {e(where)}</h3>"
            f'<p class="{e(status)} verdict">{_badge(status)} {e(record.get("headline", ""))}</p>'
            + _list(
                [f'<span class="fail">VIOLATION</span> {e(v)}' for v in record.get("violations", [])]
                + [f"note: {e(n)}" for n in record.get("notes", [])]
            )
        )
        rows = "".join(
            f'<tr class="{PASS if row["verdict"] == "ok" else FAIL}"><td>{e(row["source"])}</td>'
            f'<td>{e(row["destination"])}</td><td class="mono">{e(row["forward"])}</td>'
            f'<td class="mono">{e(row["return"])}</td><td>{e(row["verdict"])}</td></tr>'
            for row in record.get("rows", [])
        )
        parts.append(
            '<table class="reachability-table"><thead><tr><th>Source</th><th>Destination</th><th>Forward</th>'
            f"<th>Return</th><th>Verdict</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts) + "</section>"


def render(
    document: dict[str, Any],
    stacks: Sequence[str],
    pan_scans: Sequence[LiveRecord] = (),
    reachability: Sequence[LiveRecord] = (),
) -> str:
    """The page of ``document`` (the ``evidence.json`` data) and the live runs' records."""
    heading = title(document)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            # Nothing may be loaded from anywhere: the page is the whole evidence.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(heading)}</title><style>{STYLE}</style></head><body>",
            f"<header><h1>{e(heading)}</h1>",
            f'<p class="subtitle">Generated {e(document.get("generated", ""))} from the test results of '
            "the run (JUnit XML), its synthesized stacks and its live runs' records.</p>",
            _runs(document),
            '<nav><a href="#requirements">Requirements</a><a href="#checkov">Checkov</a>'
            '<a href="#runtime-scan">Runtime scan</a><a href="#pan-scan">PAN scan</a>'
            '<a href="#reachability">Reachability</a></nav></header>',
            "<main>",
            _requirements(document, stacks),
            _checkov(document, stacks),
            _runtime_scans(document, stacks),
            _pan_scans(pan_scans, stacks),
            _reachability(reachability),
            "</main></body></html>",
            "",
        ]
    )


def write_html(
    document: dict[str, Any],
    destination: Path,
    stacks: Sequence[str],
    pan_scans: Sequence[LiveRecord] = (),
    reachability: Sequence[LiveRecord] = (),
) -> Path:
    """Write :data:`HTML_FILE` into ``destination``; return its path."""
    path = destination / HTML_FILE
    path.write_text(render(document, stacks, pan_scans, reachability), encoding="utf-8")
    return path


def record_path(workdir: Path, stack: str, kind: str) -> Path:
    """Where a live run's record of ``kind`` for ``stack`` is: ``<workdir>/<stack>.<kind>.json``."""
    return workdir / f"{stack}.{kind}.json"


def reachability_record(model: NetworkModel, paths: Sequence[PathResult], result: Verdict) -> dict[str, Any]:
    """What the live reachability check should write to ``record_path(workdir, stack, "reachability")``.

    The rows of :func:`harness.reachability.render_table` (source, destination, forward, return,
    verdict), the verdict's head line, violations and notes.
    """
    flagged = {(v.subnet.id, v.destination) for v in result.violations}
    summary = result.summary().splitlines()
    return {
        "vpc_id": model.vpc_id,
        "source": model.source,
        "ok": result.ok,
        "paths": result.paths,
        "headline": summary[0] if summary else "",
        "violations": [str(v) for v in result.violations],
        "notes": list(result.notes),
        "rows": [
            {
                "source": f"{path.source.tier}-{path.source.zone}",
                "destination": path.destination.label,
                "forward": path.forward.describe(),
                "return": path.back.describe() if path.back else "-",
                "verdict": "VIOLATION" if (path.source.id, path.destination.label) in flagged else "ok",
            }
            for path in paths
        ],
    }
