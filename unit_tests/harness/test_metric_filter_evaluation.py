"""The filter-pattern evaluator of the tests follows the semantics AWS documents, and refuses the rest.

Each case cites the rule of the CloudWatch Logs User Guide it checks ("Filter pattern syntax for metric
filters, subscription filters, filter log events, and Live Tail", JSON log events); several are cases
a looser evaluator gets wrong (a missing property and ``!=``, ``&&`` binding tighter than ``||``).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from harness.aws_target import AwsTarget
from harness.metric_filter_evaluation import (
    AllOf,
    AnyOf,
    Comparison,
    NotExists,
    UnsupportedPatternError,
    matches,
    parse,
)

GUIDE_EVENT: dict[str, Any] = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
}
"""The guide's example JSON log event."""


def test_the_guides_string_and_wildcard_examples_match_its_event() -> None:
    # "{ $.eventType = "UpdateTrail" }" matches; "{ $.sourceIPAddress != 123.123.* }" matches
    # "because it doesn't contain a number with the prefix 123.123".
    assert matches('{ $.eventType = "UpdateTrail" }', GUIDE_EVENT)
    assert matches("{ $.sourceIPAddress != 123.123.* }", GUIDE_EVENT)
    assert not matches("{ $.sourceIPAddress != 123.123.* }", {"sourceIPAddress": "123.123.4.5"})
    assert not matches('{ $.eventType = "DeleteTrail" }', GUIDE_EVENT)


def test_a_missing_property_makes_both_equal_and_not_equal_false() -> None:
    # "Property selectors point to value nodes in JSON log events. Value nodes can be strings or
    # numbers. [...] If a property selector points to an array or object, the metric filter won't
    # match the log format." A selector that points to nothing is no value node either: "!=" does
    # not match an event without the property (a looser evaluator says "absent != x" is true).
    # Absence is what NOT EXISTS is for.
    assert not matches('{ $.missing = "x" }', GUIDE_EVENT)
    assert not matches('{ $.missing != "x" }', GUIDE_EVENT)
    assert not matches('{ $.userIdentity.invokedBy != "x" }', {"userIdentity": {"type": "Root"}})
    assert not matches('{ $.eventType.nested != "x" }', GUIDE_EVENT), "through a string: nothing there"


def test_an_array_or_object_matches_neither_equal_nor_not_equal() -> None:
    # "both {$.users = 1} and {$.users != 1} will fail to match a log event where users is an array"
    for selector in ("$.arrayKey", "$.objectList"):
        assert not matches(f'{{ {selector} = "value" }}', GUIDE_EVENT)
        assert not matches(f'{{ {selector} != "value" }}', GUIDE_EVENT)
    assert not matches('{ $.user != "x" }', {"user": {"id": "1"}})


def test_not_exists_holds_only_for_a_property_the_event_does_not_contain() -> None:
    # "{ $.SomeOtherObject NOT EXISTS }" returns "JSON logs that don't contain the field"; a property
    # set to null is there (that is what IS NULL tests).
    assert matches("{ $.SomeOtherObject NOT EXISTS }", GUIDE_EVENT)
    assert not matches("{ $.eventType NOT EXISTS }", GUIDE_EVENT)
    assert not matches("{ $.SomeObject NOT EXISTS }", GUIDE_EVENT)
    assert matches("{ $.userIdentity.invokedBy NOT EXISTS }", {"userIdentity": {"type": "Root"}})
    assert matches("{ $.userIdentity.invokedBy NOT EXISTS }", {})
    assert not matches(
        "{ $.userIdentity.invokedBy NOT EXISTS }",
        {"userIdentity": {"invokedBy": "cloudformation.amazonaws.com"}},
    )


USER = {"user": {"email": "John.Stiles@example.com", "role": "admin"}, "action": "GET"}


def test_and_binds_tighter_than_or_and_parentheses_override_it() -> None:
    # "Compound expressions support the use of parentheses ("()") and the following standard order of
    # operations: () > && > ||." The guide's pair, on nested properties instead of array elements:
    assert matches(
        '{ $.user.email = "John.Stiles@example.com" || $.user.role = "nonmatch" && $.action = "nonmatch" }',
        USER,
    )
    assert not matches(
        '{ ($.user.email = "John.Stiles@example.com" || $.user.role = "nonmatch") && $.action = "nonmatch" }',
        USER,
    )
    assert matches('{ $.action = "x" && $.user.role = "x" || $.user.role = "admin" }', USER)
    assert not matches('{ $.action = "x" && ($.user.role = "x" || $.user.role = "admin") }', USER)
    assert parse("{ $.a = x || $.b = y && $.c = z }") == AnyOf(
        (Comparison(("a",), "=", "x"), AllOf((Comparison(("b",), "=", "y"), Comparison(("c",), "=", "z"))))
    )


def test_wildcards_match_any_text_before_or_after_and_nothing_else() -> None:
    # "You can use the asterisk '*' wildcard character to match any text at, before, or after a search
    # term. For example, *Event will match PutEvent and GetEvent. Event* will match EventId and
    # EventName."
    assert matches('{ $.n = "*Event" }', {"n": "PutEvent"}) and matches(
        '{ $.n = "*Event" }', {"n": "GetEvent"}
    )
    assert not matches('{ $.n = "*Event" }', {"n": "EventId"})
    assert matches("{ $.n = Event* }", {"n": "EventId"}) and matches("{ $.n = Event* }", {"n": "EventName"})
    assert not matches("{ $.n = Event* }", {"n": "PutEvent"})
    assert matches('{ $.n = "*vent*" }', {"n": "PutEvents"})
    # "at": the wildcard may match no text, so AccessDenied* counts AccessDenied itself.
    assert matches('{ $.errorCode = "AccessDenied*" }', {"errorCode": "AccessDenied"})
    assert matches('{ $.errorCode = "AccessDenied*" }', {"errorCode": "AccessDeniedException"})
    assert matches(
        '{ $.errorCode = "*UnauthorizedOperation" }', {"errorCode": "Client.UnauthorizedOperation"}
    )
    assert not matches('{ $.errorCode = "*UnauthorizedOperation" }', {"errorCode": "UnauthorizedOperationX"})
    assert not matches('{ $.n != "*Event" }', {"n": "PutEvent"})


def test_patterns_are_case_sensitive_and_quotes_do_not_change_a_bare_value() -> None:
    # "Filter patterns are case sensitive." Strings "with or without quotes".
    assert not matches("{ $.eventName = createvpc }", {"eventName": "CreateVpc"})
    assert not matches('{ $.errorCode = "AccessDenied*" }', {"errorCode": "accessdenied"})
    assert not matches('{ $.EventName = "CreateVpc" }', {"eventName": "CreateVpc"})
    kms = {"eventSource": "kms.amazonaws.com"}
    assert matches("{ $.eventSource = kms.amazonaws.com }", kms)
    assert matches('{ $.eventSource = "kms.amazonaws.com" }', kms)


def test_the_cis_form_without_spaces_reads_as_the_spaced_one() -> None:
    spaced = (
        "{ ($.eventSource = kms.amazonaws.com) && "
        "(($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    )
    dense = (
        "{($.eventSource=kms.amazonaws.com)&&(($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}"
    )
    assert parse(spaced) == parse(dense)
    assert matches(dense, {"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion"})
    assert not matches(dense, {"eventSource": "kms.amazonaws.com", "eventName": "EnableKey"})
    assert not matches(
        dense, {"eventSource": "payment-cryptography.amazonaws.com", "eventName": "DisableKey"}
    )
    assert parse("{ $.a NOT EXISTS && $.b != c }") == AllOf(
        (NotExists(("a",)), Comparison(("b",), "!=", "c"))
    )


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("ERROR", id="a term, not JSON"),
        pytest.param('"Failed to process"', id="a phrase"),
        pytest.param("[ip, user, status_code = 4*]", id="space-delimited"),
        pytest.param("%AUTHORIZED%", id="regex"),
        pytest.param("{ $.latency > 500 }", id="numeric operator"),
        pytest.param("{ $.errorCode = 400 }", id="number"),
        pytest.param("{ $.n = 1e3 }", id="scientific notation"),
        pytest.param('{ $.arrayKey[0] = "value" }', id="array element"),
        pytest.param("{ $.SomeObject IS NULL }", id="IS NULL"),
        pytest.param("{ $.ThisFlag IS TRUE }", id="IS TRUE"),
        pytest.param("{ $.flag = true }", id="bare true"),
        # "The variables IS NOT and EXISTS currently aren't supported."
        pytest.param("{ $.a EXISTS }", id="EXISTS"),
        pytest.param("{ $.a not exists }", id="lower-case not exists"),
        pytest.param('{ $.n = "Ev*ent" }', id="inner wildcard"),
        pytest.param("{ $.n = * }", id="bare wildcard"),
        pytest.param('{ $.n = "a\\"b" }', id="escape"),
        pytest.param('{ $.a = "x" & $.b = "y" }', id="single ampersand"),
        pytest.param('{ ($.a = "x" }', id="unbalanced"),
        pytest.param('{ $.a = "x" }}', id="extra brace"),
        pytest.param("{ }", id="empty"),
        pytest.param('{ a = "x" }', id="selector without $"),
        pytest.param('{ $.a = "x" $.b = "y" }', id="no operator between"),
    ],
)
def test_what_is_not_implemented_is_refused_never_guessed(pattern: str) -> None:
    with pytest.raises(UnsupportedPatternError):
        matches(pattern, {"a": "x", "n": "Event", "latency": 600, "flag": True})


@pytest.mark.parametrize("value", [1, 1.5, True, None])
def test_a_string_pattern_on_a_number_boolean_or_null_is_refused(value: object) -> None:
    with pytest.raises(UnsupportedPatternError):
        matches('{ $.count = "1" }', {"count": value})


def test_the_emulators_own_filter_counts_every_event_for_a_json_pattern(mock_target: AwsTarget) -> None:
    # The capability list's behaviour:logs_filter_pattern_evaluation, measured on the emulator's own
    # code: FilterLogEvents returns an event the pattern does not match, and TestMetricFilter is not
    # implemented. When either changes this fails, and the gap can be re-measured.
    pattern = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    denied = {"eventName": "GetBucketPolicy", "errorCode": "AccessDenied"}
    succeeded = {"eventName": "DescribeInstances"}
    logs = mock_target.client("logs")
    now = int(time.time() * 1000)  # older events are refused as too old
    logs.create_log_group(logGroupName="trail")
    logs.create_log_stream(logGroupName="trail", logStreamName="111122223333_CloudTrail_us-east-1")
    logs.put_log_events(
        logGroupName="trail",
        logStreamName="111122223333_CloudTrail_us-east-1",
        logEvents=[
            {"timestamp": now + i, "message": json.dumps(e)} for i, e in enumerate([denied, succeeded])
        ],
    )
    found = logs.filter_log_events(logGroupName="trail", filterPattern=pattern)["events"]
    assert [json.loads(e["message"]) for e in found] == [denied, succeeded]
    assert [matches(pattern, e) for e in (denied, succeeded)] == [True, False]
    with pytest.raises(NotImplementedError):
        logs.test_metric_filter(filterPattern=pattern, logEventMessages=[json.dumps(denied)])
