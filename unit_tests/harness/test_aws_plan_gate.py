"""Checkov on the AWS-target plan of both stacks, so what only AWS hosts is scanned too.

Live deploys plan (and so scan) the emulator synthesis, which leaves out what the emulator cannot host.
Here the AWS synthesis is planned against a throwaway emulator (harness/aws_plan.py, cached by content
hash) and judged by the same skip file with target "aws": emulator-only entries do not apply to it.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.aws_plan import (
    FAKE_CREDENTIALS,
    OVERRIDE_FILE,
    AwsPlanError,
    cached_aws_plan,
    dedupe_aliases,
    endpoint_keys,
    lookups_to_seed,
    override_document,
)
from harness.compliance_gate import ComplianceGateError, GateResult, evaluate, load_skips, scan_plan
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.capabilities import EMULATOR_GAPS
from unit_tests.conftest import Synthesized

CACHE = PROJECT_ROOT / ".work" / "unit-aws-plan"
FRESH = os.environ.get("UNIT_SYNTH_CACHE", "1") == "0"
FIREWALL_TYPES = (
    "aws_networkfirewall_firewall",
    "aws_networkfirewall_firewall_policy",
    "aws_networkfirewall_rule_group",
)


@pytest.fixture(scope="module")
def aws_plans(synthesized: Synthesized) -> dict[StackKind, Path]:
    """Each stack's AWS-target plan JSON (cached; ``UNIT_SYNTH_CACHE=0`` plans afresh)."""
    return {
        kind: cached_aws_plan(synthesized.aws_outdir / "stacks" / kind.value, CACHE, fresh=FRESH)
        for kind in StackKind
    }


@pytest.fixture(scope="module")
def aws_gates(aws_plans: dict[StackKind, Path]) -> dict[StackKind, GateResult]:
    """The gate's result on each AWS-target plan, also written next to the cached plans."""
    results = {kind: scan_plan(kind, path, target="aws") for kind, path in aws_plans.items()}
    for kind, result in results.items():
        (CACHE / f"{kind.value}.aws-plan.checkov.json").write_text(json.dumps(result.to_json(), indent=2))
    return results


def resource_changes(plan_json: Path) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = json.loads(plan_json.read_text())["resource_changes"]
    return changes


# --- the plan holds what only AWS hosts ---------------------------------------------------------


@pytest.mark.parametrize("kind", list(StackKind))
def test_the_aws_plan_creates_every_resource_of_the_aws_synthesis(
    kind: StackKind, aws_plans: dict[StackKind, Path], synthesized: Synthesized
) -> None:
    # GIVEN the AWS synthesis WHEN it is planned against the throwaway emulator
    stack = synthesized.aws if kind is StackKind.PAYMENT_PLATFORM else synthesized.aws_pci
    emulator = synthesized.emulator if kind is StackKind.PAYMENT_PLATFORM else synthesized.emulator_pci
    changes = resource_changes(aws_plans[kind])
    planned = {
        re.sub(r"\[[^\]]*\]$", "", c["address"])  # count / for_each instances by their block
        for c in changes
        if c["mode"] == "managed" and c["change"]["actions"] == ["create"]
    }
    # THEN every stack-level resource is in the plan, to be created (nothing is read from elsewhere)
    declared = {f"{rtype}.{name}" for rtype, items in stack.doc["resource"].items() for name in items}
    assert declared <= planned, sorted(declared - planned)[:10]
    assert all(c["change"]["actions"] in (["create"], ["read"]) for c in changes)
    # AND the types only AWS hosts (the emulator synthesis leaves them out) are among them
    aws_only = set(stack.doc["resource"]) - set(emulator.doc["resource"])
    assert aws_only, "the AWS synthesis should hold types the emulator's lacks"
    assert aws_only <= {c["type"] for c in changes}
    assert aws_only & set(EMULATOR_GAPS)


def test_the_aws_plans_hold_the_firewall_rotation_https_listener_and_zone_vpc(
    aws_plans: dict[StackKind, Path],
) -> None:
    payment = resource_changes(aws_plans[StackKind.PAYMENT_PLATFORM])
    pci = resource_changes(aws_plans[StackKind.PCI_DATA_PROCESSING])
    payment_types = {c["type"] for c in payment}
    assert {"aws_xray_encryption_config", "aws_guardduty_publishing_destination"} <= payment_types
    listeners = sorted(
        (c["change"]["after"]["protocol"], c["change"]["after"]["default_action"][0]["type"])
        for c in payment
        if c["type"] == "aws_lb_listener"
    )
    assert listeners == [("HTTP", "redirect"), ("HTTPS", "forward")]  # the emulator's forwards plain HTTP
    (zone,) = [c for c in payment if c["type"] == "aws_route53_zone"]
    assert zone["change"]["after_unknown"].get("vpc") or zone["change"]["after"].get("vpc")
    pci_types = {c["type"] for c in pci}
    assert {*FIREWALL_TYPES, "aws_secretsmanager_secret_rotation"} <= pci_types


# --- the gate -----------------------------------------------------------------------------------


@pytest.mark.pci_dss("1", "3")
@pytest.mark.parametrize("kind", list(StackKind))
def test_the_aws_plan_passes_the_checkov_gate(
    kind: StackKind,
    aws_gates: dict[StackKind, GateResult],
    record_property: Callable[[str, object], None],
) -> None:
    result = aws_gates[kind]
    record_property("checkov_aws_plan", result.summary())
    print(result.summary())
    result.raise_if_failed()
    assert result.passed >= 100, f"checkov ran only {result.passed} checks on the AWS plan of {kind}"
    assert {skip.target for _, skip in result.waived} <= {"any", "aws"}


def test_emulator_only_entries_are_not_offered_to_the_aws_scan(
    aws_gates: dict[StackKind, GateResult],
) -> None:
    emulator_only = [s for s in load_skips() if s.target == "emulator"]
    assert emulator_only, "the skip file has emulator-only entries"
    waived = [skip for result in aws_gates.values() for _, skip in result.waived]
    assert not set(emulator_only) & set(waived)


def without_encryption(plan: dict[str, Any], types: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``plan`` in which resources of ``types`` have no ``encryption_configuration``."""
    planted = copy.deepcopy(plan)
    changed: list[str] = []

    def strip(values: dict[str, Any]) -> None:
        values.pop("encryption_configuration", None)

    for change in planted["resource_changes"]:
        if change["type"] in types:
            changed.append(change["address"])
            for part in ("after", "after_unknown", "after_sensitive"):
                if isinstance(change["change"].get(part), dict):
                    strip(change["change"][part])

    def modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield module
        for child in module.get("child_modules", []):
            yield from modules(child)

    for module in modules(planted["planned_values"]["root_module"]):
        for resource in module.get("resources", []):
            if resource["type"] in types:
                strip(resource["values"])
                resource.get("sensitive_values", {}).pop("encryption_configuration", None)
    for resource in planted["configuration"]["root_module"].get("resources", []):
        if resource["type"] in types:
            strip(resource["expressions"])
    return planted, changed


@pytest.mark.pci_dss("1", "3")
def test_the_gate_fails_an_aws_plan_whose_firewall_has_no_customer_managed_key(
    aws_plans: dict[StackKind, Path], aws_gates: dict[StackKind, GateResult], tmp_path: Path
) -> None:
    # GIVEN a copy of the PCI stack's AWS plan whose firewall, policy and rule group lose their CMK
    plan = json.loads(aws_plans[StackKind.PCI_DATA_PROCESSING].read_text())
    planted, changed = without_encryption(plan, FIREWALL_TYPES)
    assert len(changed) == 3, changed
    path = tmp_path / "planted.plan.json"
    path.write_text(json.dumps(planted))
    # WHEN the gate judges it
    result = scan_plan(StackKind.PCI_DATA_PROCESSING, path, target="aws")
    # THEN exactly those three fail, by checkov's ids; nothing else changes (no entry waives them)
    by_type = {address.split(".")[0]: address for address in changed}
    assert sorted((f.check, f.resource) for f in result.failed) == sorted(
        [
            ("CKV_AWS_345", by_type["aws_networkfirewall_firewall"]),
            ("CKV_AWS_345", by_type["aws_networkfirewall_rule_group"]),
            ("CKV_AWS_346", by_type["aws_networkfirewall_firewall_policy"]),
        ]
    )
    assert result.stale == []
    assert result.passed == aws_gates[StackKind.PCI_DATA_PROCESSING].passed - 3
    with pytest.raises(
        ComplianceGateError, match=r"FAILED CKV_AWS_345 aws_networkfirewall_firewall\."
    ) as err:
        result.raise_if_failed()
    assert "FAILED CKV_AWS_346 aws_networkfirewall_firewall_policy." in str(err.value)


@pytest.mark.pci_dss("7")
@pytest.mark.parametrize(
    ("kind", "checks"),
    [
        (StackKind.PAYMENT_PLATFORM, {"CKV_AWS_139", "CKV_AWS_150"}),
        (StackKind.PCI_DATA_PROCESSING, {"CKV_AWS_344"}),
    ],
)
def test_deletion_protection_is_waived_only_for_a_throwaway_run(
    kind: StackKind,
    checks: set[str],
    aws_plans: dict[StackKind, Path],
    aws_gates: dict[StackKind, GateResult],
) -> None:
    # GIVEN the same findings, judged against a copy of the plan whose resources carry no RunId tag,
    # as a long-lived environment's would
    plan = json.loads(aws_plans[kind].read_text())
    for change in plan["resource_changes"]:
        for tags in ("tags", "tags_all"):
            ((change["change"].get("after") or {}).get(tags) or {}).pop("RunId", None)
    gate = aws_gates[kind]
    findings = [*gate.failed, *(finding for finding, _ in gate.waived)]
    result = evaluate(kind, gate.passed, findings, load_skips(), target="aws", plan=plan)
    # THEN exactly the deletion-protection findings fail, and their entries waive nothing
    assert {f.check for f in result.failed} == checks
    assert {s.check for s in result.stale} == checks
    assert all(s.throwaway_only for s in result.stale)


# --- how the plan is made -----------------------------------------------------------------------


def test_the_override_points_every_endpoint_at_the_emulator_with_fake_credentials() -> None:
    document = override_document("http://127.0.0.1:4599", ["s3", "kms", "networkfirewall"])
    (provider,) = document["provider"]["aws"]
    assert provider["endpoints"] == [dict.fromkeys(["s3", "kms", "networkfirewall"], "http://127.0.0.1:4599")]
    assert {k: provider[k] for k in FAKE_CREDENTIALS} == FAKE_CREDENTIALS
    assert provider["skip_credentials_validation"] is True
    assert provider["skip_requesting_account_id"] is True
    assert provider["skip_metadata_api_check"] == "true"
    assert provider["s3_use_path_style"] is True
    assert document["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}  # not the stack's
    assert OVERRIDE_FILE.endswith("_override.tf.json")


def test_endpoint_keys_come_from_the_schema_one_per_aliased_service() -> None:
    attributes = {key: {"type": "string"} for key in ("s3", "logs", "cloudwatchlogs", "cloudwatchlog")}
    schema = {
        "provider_schemas": {
            "registry.terraform.io/hashicorp/aws": {
                "provider": {"block": {"block_types": {"endpoints": {"block": {"attributes": attributes}}}}}
            }
        }
    }
    keys = endpoint_keys(schema)
    assert "s3" in keys
    assert len({"logs", "cloudwatchlogs", "cloudwatchlog"} & set(keys)) == 1
    assert dedupe_aliases(["sqs"]) == ["sqs"]
    with pytest.raises(AwsPlanError, match="no endpoints block"):
        endpoint_keys({"provider_schemas": {}})


def test_the_looked_up_database_secret_is_seeded_by_name(synthesized: Synthesized) -> None:
    assert lookups_to_seed(synthesized.aws_pci.doc) == ["dev/pci/unit-ut1234/database"]
    assert lookups_to_seed(synthesized.aws.doc) == []
    with pytest.raises(AwsPlanError, match="without a literal name"):
        lookups_to_seed({"data": {"aws_secretsmanager_secret": {"x": {"arn": "${var.arn}"}}}})
