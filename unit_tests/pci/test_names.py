"""Unit (synthesized configuration): the PCI environment's names."""

from __future__ import annotations

from unit_tests.synth_json import StackJson

PREFIX = "dev-pci-"
SUFFIX = "-unit-ut1234"


def test_pci_names_follow_environment_service_type_suffix(pci: StackJson) -> None:
    scoped = {"aws_iam_role_policy", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_log_stream"}
    names = [
        (rtype, body[attr])
        for rtype, _, body in pci.every_resource()
        for attr in ("name", "bucket", "function_name", "alarm_name")
        if rtype not in scoped and isinstance(body.get(attr), str) and not body[attr].startswith("${")
    ]
    assert len(names) > 30
    for rtype, value in names:
        assert PREFIX in value and SUFFIX in value, (rtype, value)
