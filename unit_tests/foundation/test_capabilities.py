"""The emulator capability list is the one place gaps live, and constructs honour it per target."""

from __future__ import annotations

import pytest

from pci_infra.app.settings import Target
from pci_infra.foundation.capabilities import EMULATOR_GAPS, Symptom, gap_for, hosts
from unit_tests.conftest import Synthesized


def test_every_gap_says_how_it_fails_and_why() -> None:
    for key, gap in EMULATOR_GAPS.items():
        assert gap.resource_type == key
        assert isinstance(gap.symptom, Symptom)
        assert len(gap.reason) > 20, f"{key}: a reason a reader can act on"
        assert key in gap.describe() and gap.reason in gap.describe()


@pytest.mark.parametrize("resource_type", sorted(EMULATOR_GAPS))
def test_aws_hosts_everything_the_emulator_cannot(resource_type: str) -> None:
    assert hosts(Target.AWS, resource_type)
    assert not hosts(Target.EMULATOR, resource_type)


def test_hosted_types_have_no_gap() -> None:
    assert hosts(Target.EMULATOR, "aws_sqs_queue")
    assert gap_for("aws_sqs_queue") is None


@pytest.mark.pci_dss("7")
def test_gapped_resources_are_left_out_of_the_emulator_synth_only(synthesized: Synthesized) -> None:
    aws_types = synthesized.aws.resource_types()
    emulator_types = synthesized.emulator.resource_types()
    assert "aws_sqs_queue_redrive_allow_policy" in aws_types
    # The emulator synth also adopts an existing detector and recorder (see conftest), which removes
    # the account-singleton types for a reason that is not a gap.
    adopted = {
        "aws_guardduty_detector",
        "aws_config_configuration_recorder",
        "aws_config_configuration_recorder_status",
        "aws_config_delivery_channel",
    }
    assert aws_types - emulator_types - adopted == {t for t in aws_types if t in EMULATOR_GAPS}
    assert {"aws_xray_sampling_rule", "aws_guardduty_publishing_destination"} <= aws_types - emulator_types
    assert not emulator_types & set(EMULATOR_GAPS)


@pytest.mark.pci_dss("7")
def test_redrive_allow_policy_admits_only_the_work_queue(synthesized: Synthesized) -> None:
    import json

    stack = synthesized.aws
    queue_id, _ = stack.at("aws_sqs_queue", "payments-queue/queue")
    dlq_id, _ = stack.at("aws_sqs_queue", "payments-queue/dlq")
    _, allow = stack.at("aws_sqs_queue_redrive_allow_policy", "payments-queue/dlq-redrive-allow")
    assert allow["queue_url"] == stack.ref("aws_sqs_queue", dlq_id, "url")
    assert json.loads(allow["redrive_allow_policy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [stack.ref("aws_sqs_queue", queue_id, "arn")],
    }
