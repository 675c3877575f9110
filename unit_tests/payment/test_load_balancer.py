"""Unit (synthesized configuration): the payment platform's load balancer."""

from __future__ import annotations

import pytest

from unit_tests.conftest import CERT_ARN, Synthesized


@pytest.mark.pci_dss("4")
def test_alb_is_internal_logs_access_and_serves_https_on_aws(synthesized: Synthesized) -> None:
    stack = synthesized.aws
    vpc_key, _ = stack.module_at("network/vpc/module")
    bucket_id, _ = stack.at("aws_s3_bucket", "storage/alb-logs/bucket")
    _, alb = stack.module_at("compute/alb/module")
    assert alb["internal"] is True
    assert alb["certificate_arn"] == CERT_ARN
    assert alb["access_logs_bucket"] == stack.ref("aws_s3_bucket", bucket_id, "bucket")
    assert alb["ingress_cidr_blocks"] == [f"${{module.{vpc_key}.vpc_cidr_block}}"]
    assert alb["target_groups"]["api"]["target_type"] == "lambda"


def test_emulator_alb_has_no_certificate(synthesized: Synthesized) -> None:
    _, alb = synthesized.emulator.module_at("compute/alb/module")
    assert alb.get("certificate_arn") is None, "the emulator has no ACM certificate: plain HTTP listener"
