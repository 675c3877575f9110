"""The evidence report shows each stack's runtime scan beside checkov's, and says when there was none.

The run is the fake one of test_evidence_html.py (a PCI live run with its checkov record); the
runtime record is what the live test writes: the fixtures' Prowler results judged for the PCI stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.evidence import generate
from harness.runtime_scan import Scope, evaluate, load_allow, record_path
from unit_tests.harness.test_evidence_html import PCI, Node, fake_run, open_page
from unit_tests.harness.test_runtime_scan import (
    PAYMENT_SG,
    PLANTED_SG,
    RUN,
    SSH,
    TRAIL_CHECK,
    committed_allow,
    fixture_results,
)

PAYMENT = "payment-platform"


def write_runtime_record(work: Path, tmp_path: Path) -> dict[str, Any]:
    results = fixture_results(tmp_path)
    allow = load_allow(committed_allow(tmp_path, TRAIL_CHECK), results.framework_checks)
    scope = Scope(RUN, stack=PCI, others=frozenset({PAYMENT_SG}))  # the payment platform's security group
    result = evaluate(results, scope, allow, target="emulator")
    record = result.to_json()
    record_path(work / "it-abc123", PCI).write_text(json.dumps(record))
    return record


def runtime_row(page_root: Node, stack: str) -> Node:
    (row,) = page_root.find_all("tr", **{"data-runtime-stack": stack})
    return row


def test_the_runtime_scan_of_a_stack_is_shown_per_requirement_beside_checkov(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    fake_run(work)
    record = write_runtime_record(work, tmp_path)
    json_path, markdown_path = generate(work / "test-results.xml", work, work / "evidence")
    document = json.loads(json_path.read_text())
    assert document["runtime_scans"] == [record] and document["static_scans"][0]["scan"] == PCI
    markdown = markdown_path.read_text()
    head = "## Runtime compliance scan (Prowler, PCI DSS v4.0, each live environment)"
    assert markdown.index("## Static compliance scan (checkov") < markdown.index(head)
    assert f"- `{PCI}` (run `{RUN}`, emulator): prowler pci_4.0_aws {PCI}: " in markdown
    assert "  - requirement 1: 0 passed, 1 failed, 0 waived, 2 for manual review" in markdown
    assert f"  - FAILED {SSH} {PLANTED_SG}: Security group planted-ssh-ab12cd" in markdown
    assert "  - waived cloudtrail_cloudwatch_logging_enabled arn:aws:cloudtrail:" in markdown
    assert "  - 3 checks could not run on the emulator:" in markdown
    assert f"- `{PAYMENT}`: not run in this run (`INFRA_RUNTIME_SCAN=1 bin/test -m nightly`" in markdown
    # under each requirement of the report: each stack's counts
    requirement_1 = markdown[markdown.index("## Requirement 1:") : markdown.index("## Requirement 3:")]
    assert f"- `{PCI}`: 0 passed, 1 failed, 0 waived, 2 for manual review" in requirement_1
    assert f"- `{PAYMENT}`: not run in this run" in requirement_1
    requirement_7 = markdown[markdown.index("## Requirement 7:") : markdown.index("## Requirement 8:")]
    assert f"- `{PCI}`: no finding of this requirement" in requirement_7
    # the page: a row per stack, the PCI one failing with its line, the other not run
    _, page = open_page(work)
    pci = runtime_row(page.root, PCI)
    (verdict,) = [n for n in pci.find_all("td") if "verdict" in n.classes]
    assert "fail" in verdict.classes and record["line"] in verdict.text()
    assert "not run in this run" in runtime_row(page.root, PAYMENT).text()
    (section,) = page.root.find_all("section", id="runtime-scan")
    tables = [n for n in section.find_all("table") if "runtime-requirements" in n.classes]
    rows = {str(r.attrs["data-runtime-requirement"]): r for r in tables[0].find_all("tr") if r.attrs}
    assert "fail" in rows["1"].classes and "fail" in rows["3"].classes and "pass" in rows["10"].classes
    assert (
        "could not run on the emulator" in section.text() and "ec2_instance_imdsv2_enabled" in section.text()
    )
    (exceptions,) = [n for n in section.find_all("ul") if "runtime-exceptions" in n.classes]
    assert "LatestCloudWatchLogsDeliveryTime" in exceptions.text()
    (table,) = page.root.find_all("table", id="requirement-table")
    assert [th.text() for th in table.find_all("thead")[0].find_all("th")][-1] == "Runtime scan (Prowler)"
    (requirement_row,) = [r for r in table.find_all("tr") if r.attrs.get("data-requirement") == "1"]
    assert "0 passed, 1 failed, 0 waived, 2 for manual review" in requirement_row.text()
    links = [str(n.attrs.get("href")) for n in page.root.find_all("a")]
    assert "#runtime-scan" in links


def test_a_run_without_a_runtime_scan_says_not_run_in_this_run(tmp_path: Path) -> None:
    fake_run(tmp_path)
    json_path, markdown_path = generate(tmp_path / "test-results.xml", tmp_path, tmp_path / "evidence")
    assert json.loads(json_path.read_text())["runtime_scans"] == []
    markdown = markdown_path.read_text()
    for stack in (PAYMENT, PCI):
        assert f"- `{stack}`: not run in this run (`INFRA_RUNTIME_SCAN=1 bin/test -m nightly`" in markdown
    _, page = open_page(tmp_path)
    for stack in (PAYMENT, PCI):
        (verdict,) = [n for n in runtime_row(page.root, stack).find_all("td") if "verdict" in n.classes]
        assert verdict.text().startswith("not run in this run") and "none" in verdict.classes
    (table,) = page.root.find_all("table", id="requirement-table")
    (requirement_row,) = [r for r in table.find_all("tr") if r.attrs.get("data-requirement") == "3"]
    assert requirement_row.text().count("not run in this run") == 2
