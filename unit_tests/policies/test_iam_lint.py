"""IAM lint over every policy document of both stacks: parliament, plus our own rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from unit_tests.policy_documents import PolicyDocument, concretize, policy_documents
from unit_tests.synth_json import StackJson


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def own_rule_violations(document: PolicyDocument) -> list[str]:
    """Our rules: no ``*`` action on ``*``, no ``iam:PassRole`` on ``*``, ``kms:*`` only for the root."""
    problems = []
    for statement in json.loads(document.text)["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = _as_list(statement.get("Action", []))
        resources = _as_list(statement.get("Resource", []))
        sid = statement.get("Sid", "?")
        if "*" in actions and "*" in resources:
            problems.append(f"{sid}: action * on resource *")
        if "iam:PassRole" in actions and "*" in resources:
            problems.append(f"{sid}: iam:PassRole on *")
        if document.kind == "key" and "kms:*" in actions:
            principals = _as_list(statement.get("Principal", {}).get("AWS", []))
            if not principals or not all(str(p).endswith(":root") for p in principals):
                problems.append(f"{sid}: kms:* granted to {principals or statement.get('Principal')}")
    return problems


def test_every_stack_has_policy_documents_of_every_kind(any_stack: StackJson) -> None:
    kinds = {d.kind for d in policy_documents(any_stack)}
    assert {"identity", "trust", "key", "resource"} <= kinds


@pytest.mark.pci_dss("7")
def test_parliament_finds_nothing_in_identity_policies(any_stack: StackJson) -> None:
    findings = {
        d.path: [(f.issue, f.detail) for f in analyze_policy_string(d.text).findings]
        for d in policy_documents(any_stack)
        if d.kind == "identity"
    }
    assert {path: f for path, f in findings.items() if f} == {}


@pytest.mark.pci_dss("7")
def test_own_rules_hold_for_every_document(any_stack: StackJson) -> None:
    violations = {d.path: own_rule_violations(d) for d in policy_documents(any_stack)}
    assert {path: v for path, v in violations.items() if v} == {}


@pytest.mark.pci_dss("7")
def test_the_rules_and_parliament_do_catch_a_bad_policy() -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "AnyRole", "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": ["*"]},
            {
                "Sid": "KeyToAnyone",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:*",
                "Resource": "*",
            },
        ],
    }
    document = PolicyDocument("aws_kms_key", "test/bad", "key", json.dumps(bad))
    assert own_rule_violations(document) == [
        "Everything: action * on resource *",
        "AnyRole: iam:PassRole on *",
        "KeyToAnyone: kms:* granted to ['*']",
    ]
    sloppy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    assert [f.issue for f in analyze_policy_string(json.dumps(sloppy)).findings] == ["RESOURCE_STAR"]


def test_references_become_well_formed_values() -> None:
    text = concretize(
        '"${aws_kms_key.keys_data_key_02E67481.arn}" "arn:${data.aws_partition.p.partition}:s3:::b"'
    )
    assert text == '"arn:aws:kms:us-east-1:111122223333:key/02e67481" "arn:aws:s3:::b"'
