"""The upgrade check's judgement of a plan, its allow-list and its refusals of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import cli
from harness.upgrade_check import (
    STATEFUL_TYPES,
    Allowed,
    UpgradeCheckError,
    UpgradeReport,
    action_name,
    classify,
    load_allow_list,
    provider_override,
)
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind


def change(
    address: str, actions: list[str], previous: str | None = None, mode: str = "managed"
) -> dict[str, object]:
    entry: dict[str, object] = {
        "address": address,
        "mode": mode,
        "type": address.split(".")[-2],
        "change": {"actions": actions},
    }
    if previous:
        entry["previous_address"] = previous
    return entry


PLAN = {
    "resource_changes": [
        change("module.db.aws_rds_cluster.this", ["delete", "create"]),
        change("aws_kms_key.data", ["no-op"]),
        change("aws_s3_bucket.records", ["no-op"], previous="aws_s3_bucket.archive"),
        change("aws_cloudwatch_log_group.old", ["delete"]),
        change("aws_sqs_queue.jobs", ["create", "delete"]),
        change("aws_ssm_parameter.flag", ["update"]),
        change("data.aws_caller_identity.me", ["read"], mode="data"),
    ]
}


def test_stateful_replacements_and_deletions_are_unsafe_the_rest_is_not() -> None:
    verdicts = {a.address: (a.action, a.verdict) for a in classify(PLAN)}
    assert verdicts == {
        "module.db.aws_rds_cluster.this": ("replace", "UNSAFE"),
        "aws_kms_key.data": ("no-op", "ok"),
        "aws_s3_bucket.records": ("move", "moved"),
        "aws_cloudwatch_log_group.old": ("delete", "UNSAFE"),
        "aws_sqs_queue.jobs": ("replace", "ok"),  # a queue holds messages in flight, not records
        "aws_ssm_parameter.flag": ("update", "ok"),
    }


def test_the_table_lists_every_action_and_the_verdict() -> None:
    table = UpgradeReport(StackKind.PAYMENT_PLATFORM, classify(PLAN)).table()
    assert table.splitlines()[0] == "upgrade check of payment-platform: 5 resource actions, 1 unchanged"
    assert "UNSAFE   replace  module.db.aws_rds_cluster.this" in table
    assert "loses the Aurora cluster: the payment ledger" in table
    assert "moved from aws_s3_bucket.archive" in table
    assert table.splitlines()[-1] == "FAILED: 2 stateful resource(s) would be replaced or destroyed"


def test_an_allow_list_entry_accepts_exactly_what_it_names() -> None:
    allow = [Allowed("aws_cloudwatch_log_group.old", "retired debug logs, exported to S3 first")]
    report = UpgradeReport(StackKind.PAYMENT_PLATFORM, classify(PLAN, allow))
    assert [a.address for a in report.unsafe] == ["module.db.aws_rds_cluster.this"]
    (allowed,) = [a for a in report.actions if a.verdict == "allowed"]
    assert "allowed: retired debug logs, exported to S3 first" in allowed.note


def test_the_stateful_types_are_the_ones_the_issue_names() -> None:
    assert set(STATEFUL_TYPES) == {
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_kms_key",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_cloudwatch_log_group",
        "aws_ssm_parameter",
    }
    assert action_name(["create", "delete"]) == action_name(["delete", "create"]) == "replace"


def test_the_committed_allow_list_loads_and_a_bad_entry_is_named(tmp_path: Path) -> None:
    assert load_allow_list() == []  # nothing is allowed to lose data today
    bad = tmp_path / "allow.toml"
    bad.write_text('[[allow]]\naddress = "aws_s3_bucket.x"\nreason = "because"\n')
    with pytest.raises(UpgradeCheckError, match="entry 1: needs 'address' and a 'reason'"):
        load_allow_list(bad)


def test_a_provider_version_the_mirror_lacks_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64").mkdir(parents=True)
    with pytest.raises(UpgradeCheckError, match=r"mirror at .* holds only 5\.100\.0"):
        provider_override("5.101.0", tmp_path)
    pinned = provider_override("5.100.0", tmp_path)
    assert pinned["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"
    assert provider_override("5.101.0", tmp_path / "no-mirror")  # registry access: anything goes


def test_an_unknown_ref_is_refused_with_exit_2_and_nothing_made(capsys: pytest.CaptureFixture[str]) -> None:
    before = set((PROJECT_ROOT / ".work").glob("upgrade-*"))
    assert (
        cli.main(
            ["upgrade-check", "--from", "no-such-ref-anywhere", "--stacks", StackKind.PCI_DATA_PROCESSING]
        )
        == 2
    )
    assert "--from no-such-ref-anywhere: not a commit of this repository" in capsys.readouterr().out
    assert set((PROJECT_ROOT / ".work").glob("upgrade-*")) == before
