"""The static compliance gate: checkov on modules/, the skip file's rules, and that the gate bites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.compliance_gate import (
    ComplianceGateError,
    Finding,
    Skip,
    evaluate,
    load_skips,
    run_checkov,
    scan_modules,
)
from harness.globs import glob_match
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind

SCANS = (*[kind.value for kind in StackKind], "modules")

UNENCRYPTED_BUCKET = """
resource "aws_s3_bucket" "loose" {
  bucket = "loose-bucket"
}

resource "aws_security_group" "open" {
  name        = "open"
  description = "open to the world"
  ingress {
    description = "ssh from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def test_modules_pass_the_checkov_gate() -> None:
    result = scan_modules(PROJECT_ROOT / "modules")
    assert result.ok, "\n".join(
        [result.summary(), *map(str, result.failed), *(s.label() for s in result.stale)]
    )
    assert result.passed > 100


def test_every_skip_entry_is_well_formed_and_names_real_live_tests() -> None:
    skips = load_skips(scans=SCANS)
    live_tests = {
        name
        for path in (PROJECT_ROOT / "integration_tests").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text(), flags=re.MULTILINE)
    }
    for skip in skips:
        if skip.scan == "modules":
            assert skip.target == "any", f"{skip.label()}: modules are scanned as HCL, not per target"
        for named in re.findall(r"\btest_\w+", skip.reason):
            assert named in live_tests, f"{skip.label()}: its reason names {named}, which does not exist"
        if skip.unknown_until_apply:
            assert re.search(r"\btest_\w+", skip.reason), f"{skip.label()}: name the live test that checks it"


@pytest.fixture(scope="module")
def loose_findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[Finding]]:
    workdir = tmp_path_factory.mktemp("loose")
    (workdir / "main.tf").write_text(UNENCRYPTED_BUCKET)
    return run_checkov(workdir, "terraform")


@pytest.mark.pci_dss("1", "3")
def test_the_gate_fails_an_unencrypted_bucket_and_open_ingress(
    loose_findings: tuple[int, list[Finding]],
) -> None:
    passed, findings = loose_findings
    result = evaluate("modules", passed, findings, [])
    failed = {(f.check, f.resource) for f in result.failed}
    assert ("CKV_AWS_145", "aws_s3_bucket.loose") in failed  # no KMS default encryption
    assert ("CKV_AWS_24", "aws_security_group.open") in failed  # SSH from 0.0.0.0/0
    with pytest.raises(ComplianceGateError, match=r"FAILED CKV_AWS_24 aws_security_group\.open"):
        result.raise_if_failed()


@pytest.mark.pci_dss("7")
def test_a_skip_entry_waives_only_its_check_and_resource(loose_findings: tuple[int, list[Finding]]) -> None:
    passed, findings = loose_findings
    waiver = Skip(
        "CKV_AWS_145", "modules", ("aws_s3_bucket.*",), "a reason long enough to be read by an auditor"
    )
    unrelated = Skip(
        "CKV_AWS_145", "modules", ("aws_s3_bucket.other",), "a reason long enough to be read too"
    )
    result = evaluate("modules", passed, findings, [waiver, unrelated])
    assert ("CKV_AWS_145", "aws_s3_bucket.loose") in {(f.check, f.resource) for f, _ in result.waived}
    assert "CKV_AWS_24" in {f.check for f in result.failed}
    assert result.stale == [unrelated]  # an entry that waives nothing fails the gate too


@pytest.mark.pci_dss("7")
def test_unknown_until_apply_waives_only_a_value_the_plan_cannot_know() -> None:
    finding = Finding("CKV_AWS_327", "Ensure RDS Clusters are encrypted using KMS CMKs", "aws_rds_cluster.db")
    skip = Skip(
        "CKV_AWS_327",
        StackKind.PAYMENT_PLATFORM,
        ("aws_rds_cluster.db",),
        "x" * 50,
        unknown_until_apply="kms_key_id",
    )

    def plan(after_unknown: dict[str, bool]) -> dict[str, object]:
        return {
            "resource_changes": [
                {"address": "aws_rds_cluster.db", "change": {"after_unknown": after_unknown}}
            ]
        }

    set_later = evaluate(StackKind.PAYMENT_PLATFORM, 1, [finding], [skip], plan=plan({"kms_key_id": True}))
    really_missing = evaluate(StackKind.PAYMENT_PLATFORM, 1, [finding], [skip], plan=plan({"arn": True}))
    assert set_later.ok and set_later.waived == [(finding, skip)]
    assert really_missing.failed == [finding] and really_missing.stale == [skip]


@pytest.mark.pci_dss("7")
def test_a_throwaway_only_entry_waives_only_resources_tagged_with_a_run_id() -> None:
    finding = Finding("CKV_AWS_344", "Ensure that Network firewalls have deletion protection", "aws_nf.fw")
    skip = Skip("CKV_AWS_344", StackKind.PCI_DATA_PROCESSING, ("aws_nf.fw",), "x" * 50, throwaway_only=True)

    def plan(tags: dict[str, str]) -> dict[str, object]:
        after = {"delete_protection": False, "tags_all": tags}
        return {"resource_changes": [{"address": "aws_nf.fw", "change": {"after": after}}]}

    scan = StackKind.PCI_DATA_PROCESSING
    assert evaluate(scan, 1, [finding], [skip], plan=plan({"RunId": "ab12cd", "Owner": "x"})).ok
    long_lived = evaluate(scan, 1, [finding], [skip], plan=plan({"Owner": "x"}))
    assert long_lived.failed == [finding] and long_lived.stale == [skip]
    assert evaluate(scan, 1, [finding], [skip]).failed == [finding]  # no plan: nothing to confirm


@pytest.mark.pci_dss("7")
def test_emulator_only_entries_do_not_apply_to_aws_plans() -> None:
    finding = Finding("CKV_AWS_2", "Ensure ALB protocol is HTTPS", "aws_lb_listener.http")
    skip = Skip(
        "CKV_AWS_2", StackKind.PAYMENT_PLATFORM, ("aws_lb_listener.http",), "x" * 50, target="emulator"
    )
    assert evaluate(StackKind.PAYMENT_PLATFORM, 1, [finding], [skip], target="emulator").ok
    assert evaluate(StackKind.PAYMENT_PLATFORM, 1, [finding], [skip], target="aws").failed == [finding]


@pytest.mark.pci_dss("7")
@pytest.mark.parametrize(
    ("entry_target", "waived_for"),
    [
        ("moto", {"moto"}),  # what only moto cannot host: the pair's and AWS's plans carry it
        ("emulator", {"moto", "emulator"}),  # any emulator plan, moto alone or the pair
        ("aws", {"aws"}),
        ("any", {"moto", "emulator", "aws"}),
    ],
)
def test_an_entry_holds_for_the_plans_of_the_targets_it_names(
    entry_target: str, waived_for: set[str]
) -> None:
    finding = Finding(
        "CKV2_AWS_57", "Ensure Secrets Manager secrets have rotation", "aws_secretsmanager_secret.k"
    )
    skip = Skip(
        "CKV2_AWS_57",
        StackKind.PCI_DATA_PROCESSING,
        ("aws_secretsmanager_secret.k",),
        "x" * 50,
        target=entry_target,
    )
    waived = {
        plan_target
        for plan_target in ("moto", "emulator", "aws")
        if evaluate(StackKind.PCI_DATA_PROCESSING, 1, [finding], [skip], target=plan_target).ok
    }
    assert waived == waived_for


def test_globs_treat_brackets_literally() -> None:
    assert glob_match(
        "module.db_*.aws_rds_cluster_instance.this[*]", "module.db_AB12.aws_rds_cluster_instance.this[2]"
    )
    assert not glob_match("aws_lb_listener.http[0]", "aws_lb_listener.http0")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('check = "CKV_AWS_1"\nscan = "modules"\nresource = "x"', r"entry 1: missing \['reason'\]"),
        (
            'check = "AWS_1"\nscan = "modules"\nresource = "x"\nreason = "' + "r" * 50 + '"',
            "not a checkov id",
        ),
        (
            'check = "CKV_AWS_1"\nscan = "nowhere"\nresource = "x"\nreason = "' + "r" * 50 + '"',
            "scan 'nowhere'",
        ),
        (
            'check = "CKV_AWS_1"\nscan = "modules"\nresource = "x"\nreason = "too short"',
            "reason must explain",
        ),
        (
            'check = "CKV_AWS_1"\nscan = "modules"\nresources = "x"\nreason = "r"',
            r"unknown keys \['resources'\]",
        ),
        (
            'check = "CKV_AWS_1"\nscan = "modules"\nresource = "x"\nthrowaway_only = true\nreason = "'
            + "r" * 50
            + '"',
            "throwaway_only needs a plan",
        ),
        (
            'check = "CKV_AWS_1"\nscan = "modules"\nresource = "x"\nthrowaway_only = "yes"\nreason = "'
            + "r" * 50
            + '"',
            "throwaway_only must be true or false",
        ),
    ],
)
def test_a_bad_skip_entry_is_named(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "skips.toml"
    path.write_text(f"[[skip]]\n{entry}\n")
    with pytest.raises(ComplianceGateError, match=message):
        load_skips(path, scans=SCANS)
