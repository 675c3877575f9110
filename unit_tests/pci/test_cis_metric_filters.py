"""Unit (synthesized configuration): each CIS metric filter counts exactly the CloudTrail records it is for.

The synthesized patterns are run over the sample records of ``integration_tests/fixtures/
cloudtrail_samples.json`` with the documented filter-pattern semantics (harness/metric_filter_evaluation.py,
itself tested against the CloudWatch Logs User Guide). Neither emulator evaluates these patterns
(capability list: ``behaviour:logs_filter_pattern_evaluation``), so this is where a loosened or
broken filter is caught before AWS.
"""

from __future__ import annotations

import pytest

from integration_tests.cis_samples import CloudTrailSample, filters_named, load_samples, misjudged
from unit_tests.synth_json import StackJson

SAMPLES = load_samples()


def synthesized_patterns(stack: StackJson) -> dict[str, str]:
    """Filter name -> pattern of every metric filter of the stack."""
    return {
        body["name"]: body["pattern"] for body in stack.resources("aws_cloudwatch_log_metric_filter").values()
    }


def test_every_filter_has_a_sample_it_must_count_and_a_near_miss_it_must_not() -> None:
    names = [sample.name for sample in SAMPLES]
    assert len(set(names)) == len(names)
    assert all(not (sample.expected & sample.near_miss_of) for sample in SAMPLES)
    for name in filters_named(SAMPLES):
        assert any(name in sample.expected for sample in SAMPLES), f"{name}: nothing it must count"
        assert any(name in sample.near_miss_of for sample in SAMPLES), f"{name}: no near miss"
    assert len({sample.message for sample in SAMPLES}) == len(SAMPLES)


@pytest.mark.pci_dss("10")
def test_each_cis_filter_counts_exactly_the_sample_records_meant_for_it(pci: StackJson) -> None:
    patterns = synthesized_patterns(pci)
    # a filter without samples (or samples of a filter that is gone) is a failure too
    assert set(patterns) == filters_named(SAMPLES)
    assert misjudged(patterns, SAMPLES) == []


@pytest.mark.parametrize(
    ("name", "clause", "replacement", "wrongly_counted"),
    [
        pytest.param(
            "root-account-usage",
            " && $.userIdentity.invokedBy NOT EXISTS",
            "",
            "root-call-invoked-by-cloudformation",
            id="root usage without its invokedBy clause",
        ),
        pytest.param(
            "root-account-usage",
            ' && $.eventType != "AwsServiceEvent"',
            "",
            "root-sign-in-challenge-service-event",
            id="root usage without its service-event clause",
        ),
        pytest.param(
            "kms-key-disable-or-delete",
            "(($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion))",
            '($.eventName = "*Key*")',
            "kms-cancel-key-deletion",
            id="kms filter on any *Key* call",
        ),
    ],
)
def test_a_loosened_filter_fails_the_check(
    pci: StackJson, name: str, clause: str, replacement: str, wrongly_counted: str
) -> None:
    patterns = synthesized_patterns(pci)
    assert clause in patterns[name], f"{name}: {clause!r} is not in its pattern"
    loosened = {**patterns, name: patterns[name].replace(clause, replacement)}
    problems = misjudged(loosened, SAMPLES)
    assert any(
        p.startswith(f"{wrongly_counted} ") and p.endswith(f"wrongly counted by ['{name}']") for p in problems
    ), problems


def test_a_filter_matching_too_little_fails_the_check(pci: StackJson) -> None:
    patterns = synthesized_patterns(pci)
    tightened = {**patterns, "unauthorized-api-calls": '{ $.errorCode = "AccessDenied" }'}
    problems = misjudged(tightened, SAMPLES)
    missed = {p.split(" ", 1)[0] for p in problems if "not counted by ['unauthorized-api-calls']" in p}
    assert missed == {
        "ec2-run-instances-unauthorized",
        "kms-decrypt-access-denied",
        "create-vpc-unauthorized",
    }


def _sample(name: str) -> CloudTrailSample:
    (sample,) = (s for s in SAMPLES if s.name == name)
    return sample


def test_the_samples_are_shaped_as_cloudtrail_delivers_them() -> None:
    required = {
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "eventID",
    }
    for sample in SAMPLES:
        assert required <= set(sample.event), sample.name
        assert sample.event["eventType"] in {"AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"}, sample.name
    login = _sample("root-console-login").event
    assert login["additionalEventData"]["MFAUsed"] == "Yes"
    assert login["responseElements"] == {"ConsoleLogin": "Success"}
