"""The evidence report's HTML page: one self-contained file, opened with a real HTML parser.

The run is faked as in test_evidence_report.py: a JUnit XML written here, a live run's work
directory with its metadata, synthesized stack, checkov record and PAN-scan record.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from harness.evidence import REQUIREMENTS, generate
from harness.evidence_html import HTML_FILE, reachability_record, record_path
from harness.reachability import (
    FirewallEndpoint,
    NetworkModel,
    Route,
    RouteTable,
    Subnet,
    TargetKind,
    analyse,
    verdict,
)

EXPECTED_REQUIREMENTS = ["1", "3", "4", "7", "8", "10", "11"]
PCI = "pci-data-processing"
LIVE = "integration_tests.test_pci_data_processing_live"

JUNIT = f"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" time="300.0">
<testcase classname="{LIVE}" name="test_keys_rotate" time="1">
  <properties><property name="pci_dss" value="3"/></properties>
</testcase>
<testcase classname="{LIVE}" name="test_firewall_drops_everything_but_tls_to_the_allow_list" time="0">
  <properties><property name="pci_dss" value="1"/><property name="pci_dss" value="4"/></properties>
  <skipped message="emulator gap [aws_networkfirewall_firewall]: DeleteFirewall returns HTTP 500"/>
</testcase>
<testcase classname="{LIVE}" name="test_trail_validates_log_files" time="1">
  <properties><property name="pci_dss" value="10"/></properties>
  <failure message="assert False"/>
</testcase>
<testcase classname="{LIVE}" name="test_escapes_&lt;script&gt;alert(1)&lt;/script&gt;" time="1">
  <properties><property name="pci_dss" value="7"/></properties>
</testcase>
</testsuite></testsuites>
"""


class Node:
    """One element of the parsed page."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node] = []
        self.texts: list[str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join([*self.texts, *(child.text() for child in self.children)])

    def walk(self) -> list[Node]:
        return [self, *(node for child in self.children for node in child.walk())]

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())]


class Page(HTMLParser):
    """A tree of the page; fails on a closing tag that does not close the innermost open element."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]
        self.start_tags: list[str] = []
        self.feed(source)
        self.close()
        assert [n.tag for n in self.open] == ["#document"], "unclosed elements"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append(tag)
        node = Node(tag, dict(attrs))
        self.open[-1].children.append(node)
        if tag not in self.VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].texts.append(data)


def fake_run(work: Path, junit_text: str = JUNIT) -> Path:
    rundir = work / "it-abc123"
    stack_dir = rundir / "cdktf.out" / "stacks" / PCI
    stack_dir.mkdir(parents=True)
    document = {
        "resource": {
            "aws_kms_key": {"k": {"//": {"metadata": {"path": "pci-data-processing/keys/data/key"}}}},
            "aws_cloudtrail": {
                "t": {"//": {"metadata": {"path": "pci/monitoring/trail"}}, "name": "dev-pci-trail<b>"}
            },
        },
        "module": {"m": {"//": {"metadata": {"path": "pci/network/vpc/module"}}, "source": "./assets/x/vpc"}},
    }
    (stack_dir / "cdk.tf.json").write_text(json.dumps(document))
    run = {"run_id": "abc123", "stack": PCI, "endpoint": "http://127.0.0.1:1", "region": "us-east-1"}
    (rundir / f"{PCI}.run.json").write_text(json.dumps({**run, "created": "2026-11-22T10:00:00Z"}))
    gate = {
        "scan": PCI,
        "passed": 232,
        "failed": [],
        "waived": [
            {"finding": "CKV_AWS_18 aws_s3_bucket.logs (access logging)", "reason": "log target itself"}
        ],
        "stale": [],
    }
    (rundir / f"{PCI}.checkov.json").write_text(json.dumps(gate))
    pan = {
        "stack": PCI,
        "line": f"PAN scan {PCI}: 42 stores read, 0 PANs",
        "run_id": "abc123",
        "kinds": ["s3", "logs", "sqs", "ssm", "secretsmanager"],
        "stores_read": 42,
        "summary": ["s3: 12 objects in 5 buckets, 0 PANs", "logs: 80 events in 20 log groups, 0 PANs"],
        "findings": [],
        "unreadable": [],
    }
    record_path(rundir, PCI, "pan-scan").write_text(json.dumps(pan))
    junit = work / "test-results.xml"
    junit.write_text(junit_text)
    return junit


def open_page(work: Path) -> tuple[str, Page]:
    generate(work / "test-results.xml", work, work / "evidence")
    source = (work / "evidence" / HTML_FILE).read_text(encoding="utf-8")
    return source, Page(source)


def requirement_rows(page: Page) -> dict[str, Node]:
    (table,) = page.root.find_all("table", id="requirement-table")
    rows = [row for row in table.find_all("tr") if "data-requirement" in row.attrs]
    by_number = {str(row.attrs["data-requirement"]): row for row in rows}
    assert len(by_number) == len(rows), "one row per requirement"
    return by_number


def checks(row: Node, outcome: str) -> list[Node]:
    return [li for li in row.find_all("li") if {"check", outcome} <= li.classes]


def test_the_page_shows_every_requirement_with_its_checks_coloured_by_outcome(tmp_path: Path) -> None:
    fake_run(tmp_path)
    _, page = open_page(tmp_path)
    # one row per requirement of the table in harness/evidence.py: written out here, so a lost one fails
    assert [r.number for r in REQUIREMENTS] == EXPECTED_REQUIREMENTS
    rows = requirement_rows(page)
    assert list(rows) == EXPECTED_REQUIREMENTS
    for number, row in rows.items():
        (head,) = row.find_all("th")
        assert head.text().startswith(number)
    (title,) = page.root.find_all("title")
    assert title.text() == "PCI DSS v4.0 evidence: run abc123, 2026-11-22, emulator"
    (table,) = page.root.find_all("table", id="requirement-table")
    assert [th.text() for th in table.find_all("thead")[0].find_all("th")][:2] == ["Requirement", "Control"]
    # a failed check carries the fail class, a skipped one its reason, a passed one the pass class
    (failed,) = checks(rows["10"], "fail")
    assert failed.text().endswith(f"{LIVE}::test_trail_validates_log_files")
    assert rows["10"].attrs["data-status"] == "fail"
    for number in ("1", "4"):
        (skipped,) = checks(rows[number], "skip")
        (reason,) = [n for n in skipped.find_all("span") if "reason" in n.classes]
        assert reason.text() == "emulator gap [aws_networkfirewall_firewall]: DeleteFirewall returns HTTP 500"
    (passed,) = checks(rows["3"], "pass")
    assert passed.text().endswith(f"{LIVE}::test_keys_rotate")
    assert "aws_kms_key" in rows["3"].text() and "module:vpc" in rows["1"].text()
    assert checks(rows["8"], "pass") == checks(rows["8"], "skip") == checks(rows["8"], "fail") == []
    # the checkov record with its exception and reason
    (gate,) = page.root.find_all("tr", **{"data-scan": PCI})
    assert "232" in gate.text()
    (exceptions,) = [n for n in page.root.find_all("ul") if "exceptions" in n.classes]
    assert exceptions.text() == "CKV_AWS_18 aws_s3_bucket.logs (access logging)log target itself"
    (no_gate,) = page.root.find_all("tr", **{"data-scan": "payment-platform"})
    assert "not recorded" in no_gate.text()


def test_the_page_shows_the_pan_scan_verdict_of_each_stack(tmp_path: Path) -> None:
    fake_run(tmp_path)
    _, page = open_page(tmp_path)
    (pci,) = page.root.find_all("tr", **{"data-stack": PCI})
    (cell,) = [n for n in pci.find_all("td") if "verdict" in n.classes]
    assert cell.text() == f"PAN scan {PCI}: 42 stores read, 0 PANs" and "pass" in cell.classes
    assert "0 PANs" in cell.text()
    (payment,) = page.root.find_all("tr", **{"data-stack": "payment-platform"})
    assert "not run" in payment.text()
    (section,) = page.root.find_all("section", id="reachability")
    assert "not recorded" in section.text()


def test_a_run_without_a_pan_scan_record_says_not_run(tmp_path: Path) -> None:
    fake_run(tmp_path)
    record_path(tmp_path / "it-abc123", PCI, "pan-scan").unlink()
    _, page = open_page(tmp_path)
    (pci,) = page.root.find_all("tr", **{"data-stack": PCI})
    (cell,) = [n for n in pci.find_all("td") if "verdict" in n.classes]
    assert cell.text() == "not run"


def test_a_pan_scan_that_could_not_read_everything_is_not_shown_as_a_pass(tmp_path: Path) -> None:
    fake_run(tmp_path)
    path = record_path(tmp_path / "it-abc123", PCI, "pan-scan")
    record = json.loads(path.read_text())
    record["line"] += ", 1 item unreadable"
    record["unreadable"] = ["s3 dev-pci-raw-abc123: card.json version 1: 403: Forbidden"]
    path.write_text(json.dumps(record))
    _, page = open_page(tmp_path)
    (pci,) = page.root.find_all("tr", **{"data-stack": PCI})
    (cell,) = [n for n in pci.find_all("td") if "verdict" in n.classes]
    assert "skip" in cell.classes and "pass" not in cell.classes
    (unread,) = pci.find_all("details")
    assert "1 item not read" in unread.text() and "card.json version 1: 403: Forbidden" in unread.text()


def test_every_string_is_escaped_and_nothing_is_loaded_from_elsewhere(tmp_path: Path) -> None:
    fake_run(tmp_path)
    source, page = open_page(tmp_path)
    assert "script" not in page.start_tags and "<script" not in source.lower()
    (passed,) = checks(requirement_rows(page)["7"], "pass")
    assert passed.text().endswith("test_escapes_<script>alert(1)</script>")  # shown, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "dev-pci-trail<b>" in page.root.text() and "b" not in page.start_tags
    # self-contained: no URL anywhere (not even the emulator's), only links inside the page
    assert re.search(r"https?:|//[a-z0-9]", source, re.IGNORECASE) is None
    assert not [t for t in page.start_tags if t in ("script", "link", "img", "iframe", "object", "embed")]
    links = [str(n.attrs.get("href")) for n in page.root.find_all("a")]
    assert links and all(link.startswith("#") for link in links)
    assert all("src" not in n.attrs for n in page.root.walk())
    (style,) = page.root.find_all("style")
    assert "url(" not in style.text() and "@import" not in style.text()


def tiny_model(*, nat: bool) -> NetworkModel:
    """One workload subnet; with ``nat`` its default route goes to a NAT gateway: a bypass of the firewall."""
    local = Route("10.0.0.0/16", TargetKind.LOCAL, "local")
    out = (Route("0.0.0.0/0", TargetKind.NAT_GATEWAY, "nat-1"),) if nat else ()
    return NetworkModel(
        vpc_id="vpc-tiny",
        region="us-east-1",
        cidrs=("10.0.0.0/16",),
        subnets=(
            Subnet("subnet-wa", "zone-a", "10.0.0.0/24", "private"),
            Subnet("subnet-fa", "zone-a", "10.0.20.0/24", "firewall"),
        ),
        route_tables=(
            RouteTable("rtb-wa", (local, *out), ("subnet-wa",)),
            RouteTable("rtb-main", (local,), (), main=True),
        ),
        firewall_endpoints=(FirewallEndpoint("vpce-fwa", "zone-a", "subnet-fa"),),
        source="describe",
    )


def test_a_reachability_record_of_the_pci_run_is_shown_as_its_table(tmp_path: Path) -> None:
    fake_run(tmp_path)
    model = tiny_model(nat=True)
    paths = analyse(model)
    result = verdict(model, paths)
    assert not result.ok
    record = reachability_record(model, paths, result)
    record_path(tmp_path / "it-abc123", PCI, "reachability").write_text(json.dumps(record))
    _, page = open_page(tmp_path)
    (section,) = page.root.find_all("section", id="reachability")
    assert "not recorded" not in section.text()
    (table,) = [n for n in section.find_all("table") if "reachability-table" in n.classes]
    rows = table.find_all("tbody")[0].find_all("tr")
    assert len(rows) == len(paths) == len(record["rows"])
    assert {"fail"} == {c for row in rows for c in row.classes}  # each path leaves through the NAT gateway
    assert "NAT gateway nat-1" in table.text()
    (headline,) = [n for n in section.find_all("p") if "verdict" in n.classes]
    assert "fail" in headline.classes and "paths break the rule" in headline.text()
    safe = tiny_model(nat=False)
    safe_paths = analyse(safe)
    safe_record = reachability_record(safe, safe_paths, verdict(safe, safe_paths))
    assert safe_record["ok"] and {row["verdict"] for row in safe_record["rows"]} == {"ok"}
