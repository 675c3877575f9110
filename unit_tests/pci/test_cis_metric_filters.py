"""Unit (synthesized configuration): each CIS metric filter counts exactly the CloudTrail records it is for.

The synthesized patterns are run over the sample records of ``integration_tests/fixtures/
cloudtrail_samples.json`` with the documented filter-pattern semantics (harness/metric_filter_evaluation.py,
itself tested against the CloudWatch Logs User Guide). Neither emulator evaluates these patterns
(capability list: ``behaviour:logs_filter_pattern_evaluation``), so this is where a loosened or
broken filter is caught before AWS.
"""

from __future__ import annotations

import pytest

from harness.metric_filter_evaluation import AllOf, AnyOf, Comparison, Node, parse
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
            "console-sign-in-without-mfa",
            ' && ($.userIdentity.type = "IAMUser")',
            "",
            "sso-console-login",
            id="no-MFA sign-in without its IAM-user clause",
        ),
        pytest.param(
            "console-sign-in-without-mfa",
            ' && ($.responseElements.ConsoleLogin = "Success")',
            "",
            "iam-user-console-login-failed",
            id="no-MFA sign-in without its success clause",
        ),
        pytest.param(
            "console-sign-in-without-mfa",
            ' && ($.additionalEventData.MFAUsed != "Yes")',
            "",
            "iam-user-console-login-with-mfa",
            id="no-MFA sign-in without its MFA clause",
        ),
        pytest.param(
            "route-table-changes",
            "($.eventSource = ec2.amazonaws.com) && ",
            "",
            "api-gateway-create-route",
            id="route table changes of any service",
        ),
        pytest.param(
            "organizations-changes",
            "($.eventSource = organizations.amazonaws.com) && ",
            "",
            "iam-create-policy",
            id="organizations changes of any service",
        ),
        pytest.param(
            "s3-bucket-policy-changes",
            "($.eventName = PutBucketPolicy)",
            '($.eventName = "PutBucket*")',
            "put-bucket-tagging",
            id="s3 filter on any PutBucket* call",
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


CIS_EVENTS: dict[str, tuple[str | None, set[str]]] = {
    "iam-policy-changes": (
        None,
        {
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        },
    ),
    "cloudtrail-changes": (
        None,
        {"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"},
    ),
    "kms-key-disable-or-delete": ("kms.amazonaws.com", {"DisableKey", "ScheduleKeyDeletion"}),
    "s3-bucket-policy-changes": (
        "s3.amazonaws.com",
        {
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        },
    ),
    "config-changes": (
        "config.amazonaws.com",
        {
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        },
    ),
    "security-group-changes": (
        None,
        {
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
            "ModifySecurityGroupRules",  # beyond the benchmark: edits a rule in place
        },
    ),
    "nacl-changes": (
        None,
        {
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        },
    ),
    "network-gateway-changes": (
        None,
        {
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        },
    ),
    "route-table-changes": (
        "ec2.amazonaws.com",
        {
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
            "AssociateRouteTable",  # beyond the benchmark: moves a subnet onto another table
        },
    ),
    "vpc-changes": (
        None,
        {
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        },
    ),
    "organizations-changes": (
        "organizations.amazonaws.com",
        {
            "AcceptHandshake",
            "AttachPolicy",
            "CreateAccount",
            "CreateOrganizationalUnit",
            "CreatePolicy",
            "DeclineHandshake",
            "DeleteOrganization",
            "DeleteOrganizationalUnit",
            "DeletePolicy",
            "DetachPolicy",
            "DisablePolicyType",
            "EnablePolicyType",
            "InviteAccountToOrganization",
            "LeaveOrganization",
            "MoveAccount",
            "RemoveAccountFromOrganization",
            "UpdatePolicy",
            "UpdateOrganizationalUnit",
        },
    ),
}
"""Event-list filters: the service they are limited to (``None``: any) and the event names they count,
as the CIS AWS Foundations Benchmark v3.0 lists them (plus the two marked). Written here, so an event
dropped from a list fails even where no sample record exercises it."""


def _event_list(node: Node) -> tuple[str | None, set[str]]:
    """(eventSource, eventNames) of ``{ [$.eventSource = s &&] ($.eventName = a) || ... }``."""
    source = None
    if isinstance(node, AllOf):
        assert len(node.terms) == 2, node
        first, node = node.terms
        assert isinstance(first, Comparison) and first.selector == ("eventSource",), first
        assert first.operator == "=", first
        source = first.value
    names = node.terms if isinstance(node, AnyOf) else (node,)
    events = set()
    for name in names:
        assert isinstance(name, Comparison) and name.selector == ("eventName",) and name.operator == "=", name
        assert "*" not in name.value, name
        events.add(name.value)
    assert len(events) == len(names), "an event named twice"
    return source, events


@pytest.mark.pci_dss("10")
def test_each_event_list_filter_counts_the_benchmarks_events_on_its_service(pci: StackJson) -> None:
    patterns = synthesized_patterns(pci)
    assert {name: _event_list(parse(patterns[name])) for name in CIS_EVENTS} == CIS_EVENTS


def test_the_condition_filters_read_as_the_benchmark_writes_them(pci: StackJson) -> None:
    patterns = synthesized_patterns(pci)
    assert parse(patterns["console-sign-in-without-mfa"]) == AllOf(
        (
            Comparison(("eventName",), "=", "ConsoleLogin"),
            Comparison(("additionalEventData", "MFAUsed"), "!=", "Yes"),
            Comparison(("userIdentity", "type"), "=", "IAMUser"),
            Comparison(("responseElements", "ConsoleLogin"), "=", "Success"),
        )
    )
    assert parse(patterns["console-authentication-failures"]) == AllOf(
        (
            Comparison(("eventName",), "=", "ConsoleLogin"),
            Comparison(("errorMessage",), "=", "Failed authentication"),
        )
    )


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
    # every console sign-in says whether MFA was used, as a string, and how it ended
    for sample in SAMPLES:
        if sample.event["eventName"] == "ConsoleLogin":
            assert sample.event["eventType"] == "AwsConsoleSignIn", sample.name
            assert sample.event["additionalEventData"]["MFAUsed"] in {"Yes", "No"}, sample.name
            outcome = sample.event["responseElements"]["ConsoleLogin"]
            assert outcome in {"Success", "Failure"}, sample.name
            assert ("errorMessage" in sample.event) == (outcome == "Failure"), sample.name
    failed = _sample("iam-user-console-login-failed").event
    assert failed["errorMessage"] == "Failed authentication" and "arn" not in failed["userIdentity"]
