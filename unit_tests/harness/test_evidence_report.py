"""The evidence report maps requirements to the resources and the checks of a real run's outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.evidence import generate

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" time="300.0">
<testcase classname="integration_tests.test_pci_data_processing_live" name="test_keys_rotate" time="1">
  <properties><property name="pci_dss" value="3"/></properties>
</testcase>
<testcase classname="integration_tests.test_pci_data_processing_live"
          name="test_firewall_drops_everything_but_tls_to_the_allow_list" time="0">
  <properties><property name="pci_dss" value="1"/><property name="pci_dss" value="4"/></properties>
  <skipped message="emulator gap [aws_networkfirewall_firewall]: DeleteFirewall returns HTTP 500"/>
</testcase>
<testcase classname="integration_tests.test_pci_data_processing_live"
          name="test_trail_validates_log_files" time="1">
  <properties><property name="pci_dss" value="10"/></properties>
  <failure message="assert False"/>
</testcase>
<testcase classname="integration_tests.test_pci_data_processing_live" name="test_key_named_but_not_marked"
          time="1"/>
</testsuite></testsuites>
"""


def fake_run(work: Path) -> Path:
    stack_dir = work / "it-abc123" / "cdktf.out" / "stacks" / "pci-data-processing"
    stack_dir.mkdir(parents=True)
    meta = {"//": {"metadata": {"path": "pci-data-processing/keys/data/key"}}}
    document = {
        "resource": {
            "aws_kms_key": {"k": meta},
            "aws_cloudtrail": {
                "t": {"//": {"metadata": {"path": "pci/monitoring/trail"}}, "name": "dev-pci-trail"}
            },
        },
        "module": {"m": {"//": {"metadata": {"path": "pci/network/vpc/module"}}, "source": "./assets/x/vpc"}},
    }
    (stack_dir / "cdk.tf.json").write_text(json.dumps(document))
    run = {
        "run_id": "abc123",
        "stack": "pci-data-processing",
        "endpoint": "http://127.0.0.1:1",
        "region": "us-east-1",
    }
    (work / "it-abc123" / "pci-data-processing.run.json").write_text(
        json.dumps({**run, "created": "2026-11-22T10:00:00Z"})
    )
    gate = {
        "scan": "pci-data-processing",
        "passed": 232,
        "failed": [],
        "waived": [
            {"finding": "CKV_AWS_18 aws_s3_bucket.logs (access logging)", "reason": "log target itself"}
        ],
        "stale": [],
    }
    (work / "it-abc123" / "pci-data-processing.checkov.json").write_text(json.dumps(gate))
    junit = work / "test-results.xml"
    junit.write_text(JUNIT)
    return junit


def test_report_maps_requirements_to_resources_and_checks(tmp_path: Path) -> None:
    junit = fake_run(tmp_path)
    json_path, markdown_path = generate(junit, tmp_path, tmp_path / "evidence")
    report = json.loads(json_path.read_text())
    by_number = {r["number"]: r for r in report["requirements"]}
    assert set(by_number) == {"1", "3", "4", "7", "8", "10", "11"}
    assert [r["type"] for r in by_number["3"]["resources"]] == ["aws_kms_key"]
    assert by_number["3"]["checks_passed"] == [
        "integration_tests.test_pci_data_processing_live::test_keys_rotate"
    ]
    assert [r["type"] for r in by_number["1"]["resources"]] == ["module:vpc"]
    (skip,) = by_number["1"]["checks_skipped"]
    assert "DeleteFirewall returns HTTP 500" in skip["reason"]
    assert by_number["4"]["checks_skipped"] == by_number["1"]["checks_skipped"]  # marked ("1", "4")
    assert all(r["checks_passed"] == [] for n, r in by_number.items() if n != "3")  # unmarked: nowhere
    assert by_number["10"]["checks_failed"] == [
        "integration_tests.test_pci_data_processing_live::test_trail_validates_log_files"
    ]
    assert report["runs"][0]["run_id"] == "abc123"
    markdown = markdown_path.read_text()
    assert "Live run `abc123` of `pci-data-processing` on the emulator" in markdown
    assert "## Requirement 10: Log and monitor" in markdown and "Checks FAILED (1)" in markdown
    assert report["static_scans"][0]["passed"] == 232
    assert "- `pci-data-processing`: 232 checks passed, 0 failed, 1 accepted exceptions:" in markdown
    assert "  - CKV_AWS_18 aws_s3_bucket.logs (access logging): log target itself" in markdown


def test_results_without_a_live_run_are_refused(tmp_path: Path) -> None:
    junit = tmp_path / "test-results.xml"
    junit.write_text(JUNIT)
    with pytest.raises(FileNotFoundError, match="run the live tests first"):
        generate(junit, tmp_path, tmp_path / "evidence")
