"""Unit (synthesized configuration): the PCI environment's config rules."""

from __future__ import annotations

import json

import pytest

from unit_tests.synth_json import StackJson


@pytest.mark.pci_dss("3", "11")
def test_config_rules_check_encryption_and_the_three_required_tags(pci: StackJson) -> None:
    rules = {b["source"]["source_identifier"]: b for b in pci.resources("aws_config_config_rule").values()}
    assert set(rules) == {
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "ENCRYPTED_VOLUMES",
        "RDS_STORAGE_ENCRYPTED",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "REQUIRED_TAGS",
    }
    assert json.loads(rules["REQUIRED_TAGS"]["input_parameters"]) == {
        "tag1Key": "DataClassification",
        "tag2Key": "Environment",
        "tag3Key": "Owner",
    }
    assert "aws_config_configuration_recorder" not in pci.resource_types(), (
        "the account's recorder is adopted"
    )
