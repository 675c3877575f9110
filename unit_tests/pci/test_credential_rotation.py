"""Unit (synthesized configuration): the PCI environment's credential rotation."""

from __future__ import annotations

from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def arn(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


def test_database_secret_is_looked_up_and_rotated_every_30_days(synthesized: Synthesized) -> None:
    stack = synthesized.aws_pci
    (lookup,) = stack.doc["data"]["aws_secretsmanager_secret"].values()
    assert lookup["name"] == "dev/pci/unit-ut1234/database"
    assert "aws_secretsmanager_secret" not in {
        t
        for t, _, b in stack.every_resource()
        if b["//"]["metadata"]["path"].startswith("pci-data-processing/secrets")
    }
    _, rotation = stack.at("aws_secretsmanager_secret_rotation", "secrets/schedule")
    assert rotation["rotation_rules"] == {"automatically_after_days": 30}
    assert rotation["rotation_lambda_arn"] == arn(stack, "aws_lambda_function", "secrets/rotation/function")
    _, permission = stack.at("aws_lambda_permission", "secrets/secretsmanager-invokes")
    assert permission["principal"] == "secretsmanager.amazonaws.com"
    # On the pair (the unit emulator synthesis) MiniStack hosts the schedule; moto alone cannot
    assert synthesized.emulator_pci.at("aws_secretsmanager_secret_rotation", "secrets/schedule")
