"""Unit (synthesized configuration): the PCI environment's keys."""

from __future__ import annotations

import json
from typing import Any

from unit_tests.synth_json import StackJson

PREFIX = "dev-pci-"
SUFFIX = "-unit-ut1234"


def sids(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_data_key_is_usable_only_by_the_named_roles_and_services(pci: StackJson) -> None:
    _, key = pci.at("aws_kms_key", "keys/data/key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 7
    statements = sids(key["policy"])
    for role in ("tokenizer", "rotation"):
        grant = statements[f"UseBy{role.capitalize()}Role"]
        principal_arn = grant["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        assert principal_arn.endswith(
            f":role/{PREFIX}{'processor' if role == 'tokenizer' else 'rotation'}{SUFFIX}-role"
        )
    assert statements["UseThroughServices"]["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == [
        f"{s}.us-east-1.amazonaws.com" for s in ("s3", "lambda", "sqs", "secretsmanager")
    ]
    _, logs = pci.at("aws_kms_key", "keys/logs/key")
    assert {"UseByLogs", "UseByCloudtrail", "UseByEvents", "UseByCloudwatch"} <= set(sids(logs["policy"]))
