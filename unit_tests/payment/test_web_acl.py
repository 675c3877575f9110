"""Unit (synthesized configuration): the payment platform's web acl."""

from __future__ import annotations

import pytest

from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("1")
def test_waf_protects_the_alb_with_1000_per_ip_and_logs_to_its_bucket(stack: StackJson) -> None:
    alb_key, _ = stack.module_at("compute/alb/module")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/waf-logs/bucket")
    _, waf = stack.module_at("security/waf/module")
    assert waf["resource_arn"] == f"${{module.{alb_key}.lb_arn}}"
    assert waf["rate_limit"] == 1000
    assert waf["log_bucket_arn"] == stack.ref("aws_s3_bucket", bucket_id, "arn")
