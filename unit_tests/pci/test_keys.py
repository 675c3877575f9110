"""Unit (synthesized configuration): the PCI environment's keys."""

from __future__ import annotations

import json
from typing import Any

import pytest

from unit_tests.synth_json import StackJson

PREFIX = "dev-pci-"
SUFFIX = "-unit-ut1234"


def sids(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


CARD_DATA_ROLES = {
    "UseByTokenizerRole": "processing/tokenizer/role",
    "UseByRotationRole": "secrets/rotation/role",
    "UseByKeyRotationRole": "processing/key-rotation/role",
}


@pytest.mark.pci_dss("3", "7")
def test_card_data_key_is_usable_only_by_the_roles_that_handle_card_data(pci: StackJson) -> None:
    _, key = pci.at("aws_kms_key", "keys/data/key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 7
    statements = sids(key["policy"])
    # The named roles, referenced from the roles themselves (no ARN predicted from a name).
    for sid, role_path in CARD_DATA_ROLES.items():
        role_id, _ = pci.at("aws_iam_role", role_path)
        expected = pci.ref("aws_iam_role", role_id, "arn")
        assert statements[sid]["Condition"] == {"ArnEquals": {"aws:PrincipalArn": expected}}
        assert statements[f"{sid}Grants"]["Condition"]["ArnEquals"] == {"aws:PrincipalArn": expected}
    # Nothing else may use it through a service on its own behalf: every statement naming "any
    # principal" is pinned to one of those roles.
    open_to_anyone = [
        sid
        for sid, s in statements.items()
        if s.get("Principal") == {"AWS": "*"}
        and "aws:PrincipalArn" not in s.get("Condition", {}).get("ArnEquals", {})
    ]
    assert open_to_anyone == []
    assert "UseThroughServices" not in statements
    assert set(statements) == {
        "KeyAdministrationByAccount",
        "UseByDelivery",
        *CARD_DATA_ROLES,
        *(f"{sid}Grants" for sid in CARD_DATA_ROLES),
    }
    _, logs = pci.at("aws_kms_key", "keys/logs/key")
    assert {"UseByLogs", "UseByCloudtrail", "UseByEvents", "UseByCloudwatch"} <= set(sids(logs["policy"]))
