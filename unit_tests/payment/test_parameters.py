"""Unit (synthesized configuration): the payment platform's parameters."""

from __future__ import annotations

import json
import re

import pytest

from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("3", "8")
def test_parameters_are_secure_strings_under_the_ssm_key(stack: StackJson) -> None:
    ssm_key = arn_of(stack, "aws_kms_key", "keys/ssm/key")
    params = stack.resources("aws_ssm_parameter")
    assert len(params) == 3
    for body in params.values():
        assert (body["type"], body["key_id"]) == ("SecureString", ssm_key)
        assert body["name"].startswith("/payments-unit-ut1234/")
    _, key = stack.at("aws_kms_key", "keys/ssm/key")
    (use,) = [s for s in json.loads(key["policy"])["Statement"] if s["Sid"] == "UseThroughServices"]
    assert use["Condition"]["ForAnyValue:StringEquals"]["kms:ViaService"] == ["ssm.us-east-1.amazonaws.com"]


@pytest.mark.pci_dss("3", "7")
def test_connection_string_has_no_password_and_the_api_key_is_write_only(stack: StackJson) -> None:
    _, connection = stack.at("aws_ssm_parameter", "parameters/proxy-connection")
    assert re.fullmatch(
        r"postgresql://payments_admin@\$\{[^}]+\}:5432/payments\?sslmode=verify-full", connection["value"]
    )
    _, api_key = stack.at("aws_ssm_parameter", "parameters/api-key")
    assert "value" not in api_key
    assert api_key["value_wo"] == "${var.payment_api_key}" and api_key["value_wo_version"] == 1
    variable = stack.doc["variable"]["payment_api_key"]
    assert variable["ephemeral"] is True and variable["sensitive"] is True and "default" not in variable
