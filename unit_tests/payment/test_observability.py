"""Unit (synthesized configuration): the payment platform's observability."""

from __future__ import annotations

import pytest

from unit_tests.conftest import Synthesized
from unit_tests.synth_json import StackJson


def arn_of(stack: StackJson, rtype: str, path: str) -> str:
    return stack.ref(rtype, stack.at(rtype, path)[0], "arn")


@pytest.mark.pci_dss("3")
def test_traces_are_fully_sampled_and_encrypted_and_queries_saved_on_aws(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    _, rule = stack.at("aws_xray_sampling_rule", "observability/payments-sampling")
    assert (rule["fixed_rate"], rule["url_path"]) == (1, "/api/payments*")
    _, encryption = stack.at("aws_xray_encryption_config", "observability/traces-encryption")
    assert (encryption["type"], encryption["key_id"]) == (
        "KMS",
        arn_of(stack, "aws_kms_key", "keys/data/key"),
    )
    queries = {
        body["name"].split("/")[-1]: body
        for body in stack.resources("aws_cloudwatch_query_definition").values()
    }
    assert set(queries) == {"rejected-flows", "top-talkers", "failed-payments-by-reason"}
    assert "action = 'REJECT'" in queries["rejected-flows"]["query_string"]
    assert "by Reason" in queries["failed-payments-by-reason"]["query_string"]
