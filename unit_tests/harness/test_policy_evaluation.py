"""The policy evaluator of the unit tests follows the semantics AWS documents, and refuses the rest.

Each case cites the rule of the IAM User Guide it checks ("IAM JSON policy elements: Condition
operators", "Policy evaluation logic"); several are cases a looser evaluator gets wrong.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from harness.policy_evaluation import Request, UnsupportedPolicyError, condition_holds, evaluate

BUCKET = "arn:aws:s3:::card-data"
OBJECT = f"{BUCKET}/file.jsonl"
KEY = "arn:aws:kms:us-east-1:111122223333:key/ours"


def deny(sid: str, condition: dict[str, Any], action: str = "s3:PutObject") -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": [action],
        "Resource": [f"{BUCKET}/*"],
        "Condition": condition,
    }


def test_an_absent_key_fails_a_positive_operator_and_satisfies_a_negated_one() -> None:
    # "If the key that you specify in a policy condition is not present in the request context,
    # the values do not match and the condition is false. If the policy condition requires that
    # the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
    # present, the condition is true."
    assert condition_holds("Bool", "aws:SecureTransport", "false", {}) is False
    assert condition_holds("StringNotEquals", "s3:x-amz-server-side-encryption", "aws:kms", {}) is True


def test_if_exists_holds_for_an_absent_key_and_is_the_plain_operator_otherwise() -> None:
    key = "aws:MultiFactorAuthPresent"
    assert condition_holds("BoolIfExists", key, "false", {}) is True
    assert condition_holds("BoolIfExists", key, "false", {key: "false"}) is True
    assert condition_holds("BoolIfExists", key, "false", {key: "true"}) is False
    assert condition_holds("StringNotEqualsIfExists", "k", "v", {}) is True
    assert condition_holds("StringNotEqualsIfExists", "k", "v", {"k": "v"}) is False


def test_several_values_or_for_a_positive_operator_and_nor_for_a_negated_one() -> None:
    # "If multiple values are listed in a policy with a negated matching condition operator such
    # as StringNotEquals, the effective permissions work like a logical AND."
    values = ["aws:kms", "aws:kms:dsse"]
    assert condition_holds("StringNotEquals", "k", values, {"k": "aws:kms"}) is False
    assert condition_holds("StringNotEquals", "k", values, {"k": "aws:kms:dsse"}) is False
    assert condition_holds("StringNotEquals", "k", values, {"k": "AES256"}) is True
    assert condition_holds("Bool", "k", ["true", "false"], {"k": "false"}) is True


def test_strings_compare_with_their_case_and_booleans_without() -> None:
    assert condition_holds("StringNotEquals", "k", "aws:kms", {"k": "AWS:KMS"}) is True
    assert condition_holds("Bool", "k", "false", {"k": "False"}) is True
    assert condition_holds("Bool", "k", True, {"k": "true"}) is True  # a JSON boolean is its text


def test_every_operator_and_every_key_under_one_must_hold() -> None:
    statement = deny(
        "Both",
        {
            "Bool": {"aws:SecureTransport": "true"},
            "StringNotEquals": {"k1": "a", "k2": "b"},
        },
    )
    document = {"Statement": [statement]}
    tls = {"aws:SecureTransport": "true"}
    assert evaluate(
        document, Request("s3:PutObject", OBJECT, context={**tls, "k1": "x", "k2": "y"})
    ).denied_by
    assert not evaluate(
        document, Request("s3:PutObject", OBJECT, context={**tls, "k1": "a", "k2": "y"})
    ).denied_by
    assert not evaluate(
        document, Request("s3:PutObject", OBJECT, context={**tls, "k1": "x", "k2": "b"})
    ).denied_by
    plain = {"aws:SecureTransport": "false", "k1": "x", "k2": "y"}
    assert not evaluate(document, Request("s3:PutObject", OBJECT, context=plain)).denied_by


def test_an_explicit_deny_wins_over_an_allow_of_the_same_request() -> None:
    allow = {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    document = json.dumps({"Statement": [allow, deny("NoKms", {"StringNotEquals": {"k": "aws:kms"}})]})
    decision = evaluate(document, Request("s3:PutObject", OBJECT))
    assert decision.allowed_by == ("Everyone",) and decision.denied_by == ("NoKms",)
    assert decision.explicitly_denied


def test_actions_match_without_case_and_resources_with_it_both_with_wildcards() -> None:
    document = {"Statement": [deny("Any", {}, action="s3:Put*")]}
    assert evaluate(document, Request("S3:putobject", OBJECT)).denied_by == ("Any",)
    assert evaluate(document, Request("s3:GetObject", OBJECT)).denied_by == ()
    assert evaluate(document, Request("s3:PutObject", "arn:aws:s3:::CARD-DATA/file.jsonl")).denied_by == ()
    assert evaluate(document, Request("s3:PutObject", BUCKET)).denied_by == (), "bucket/* is not the bucket"
    one_char = {"Statement": [{**deny("Q", {}), "Resource": f"{BUCKET}/fil?.jsonl"}]}
    assert evaluate(one_char, Request("s3:PutObject", OBJECT)).denied_by == ("Q",)


def test_a_principal_list_matches_only_its_members() -> None:
    member = "arn:aws:iam::111122223333:role/tokenizer"
    document = {"Statement": [{**deny("Named", {}), "Principal": {"AWS": [member]}}]}
    assert evaluate(document, Request("s3:PutObject", OBJECT, principal=member)).denied_by == ("Named",)
    assert evaluate(document, Request("s3:PutObject", OBJECT)).denied_by == ()


@pytest.mark.parametrize(
    "statement",
    [
        deny("Like", {"StringLike": {"k": "a*"}}),
        deny("Set", {"ForAnyValue:StringNotEquals": {"k": "a"}}),
        deny("Arn", {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:::t"}}),
        {**deny("NotAction", {}), "NotAction": ["s3:GetObject"]},
        {**deny("Service", {}), "Principal": {"Service": "logs.amazonaws.com"}},
        {**deny("Root", {}), "Principal": {"AWS": "arn:aws:iam::111122223333:root"}},
        deny("Yes", {"Bool": {"aws:SecureTransport": "yes"}}),
    ],
    ids=lambda statement: statement["Sid"],
)
def test_what_is_not_implemented_is_refused_never_skipped(statement: dict[str, Any]) -> None:
    request = Request("s3:PutObject", OBJECT, context={"k": "b", "aws:SecureTransport": "true"})
    with pytest.raises(UnsupportedPolicyError):
        evaluate({"Statement": [statement]}, request)


def test_the_emulators_own_evaluator_refuses_a_compliant_upload_which_this_one_admits() -> None:
    # The capability list's behaviour:s3_policy_conditions, measured: the emulator applies a
    # conditional Deny whatever its condition. When it starts to evaluate conditions this fails,
    # and the gap (and the policy lifting it forces on the harness) can go.
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                deny(
                    "DenyUploadsWithoutKms",
                    {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                ),
                deny(
                    "DenyUploadsWithAnotherKey",
                    {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}},
                ),
            ],
        }
    )
    compliant = {
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY,
    }
    assert evaluate(document, Request("s3:PutObject", OBJECT, context=compliant)).denied_by == ()
    emulator = IAMPolicy(document).is_action_permitted("s3:PutObject", OBJECT, None, compliant)
    assert emulator is PermissionResult.DENIED
