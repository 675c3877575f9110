"""Journeys through the deployed PCI environment, run by its real functions (GIVEN / WHEN / THEN).

Each journey acts as a client or an AWS service would and observes what the deployed resources did:
a card file uploaded to the raw bucket and what the tokenizer wrote to the processed bucket; Secrets
Manager's four rotation steps played against the deployed rotation functions, the database password
checked by logging in to a real PostgreSQL; security events on the default bus and what reaches the
security topic; and each function's execution role refusing a call outside its grant, as the
function itself reports it. On the emulator pair MiniStack runs the functions' code on Node 22 as
their execution roles (policies evaluated); moto alone runs no function code, so there they are
skipped. On AWS the key rotation and least-privilege journeys run as here; the card file is skipped
(the card buckets refuse the deletes without MFA that would remove it), the database rotation needs
the database the harness serves on the pair, and no caller can put AWS services' events on a bus.

Same worker and deployment as ``test_pci_data_processing_live.py`` (the ``xdist_group`` mark); its
teardown test runs after these, and its PAN scan reads every store the journeys wrote to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness import probes
from harness.bucket_policy_context import key_condition_lifted
from harness.journeys import (
    ROTATION_STEPS,
    Invocation,
    delete_every_version,
    invoke,
    notification_containing,
    notifications_within,
    password_login,
    probe_queue_on_topic,
    put_service_event,
    rotate_as_secrets_manager,
    wait_for,
)
from harness.luhn import find_pans
from harness.ministack import MiniStackServer
from harness.run import PciEnvironment
from integration_tests.conftest import ministack_of
from pci_infra.app.stack_kind import StackKind

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("pci-data-processing")]

MOTO_ALONE = (
    "the journeys run the deployed functions, which only MiniStack runs (the emulator pair, "
    "INFRA_EMULATORS=pair); moto alone never runs function code"
)


@pytest.fixture(scope="module")
def functions_run(request: pytest.FixtureRequest, pci_environment: PciEnvironment) -> PciEnvironment:
    """The environment, where its functions run when invoked (AWS, or MiniStack on the pair)."""
    if pci_environment.target.is_emulator and ministack_of(request, StackKind.PCI_DATA_PROCESSING) is None:
        pytest.skip(MOTO_ALONE)
    return pci_environment


def _on_the_pair(request: pytest.FixtureRequest, pci: PciEnvironment, not_on_aws: str) -> MiniStackServer:
    """The run's MiniStack; the test is skipped elsewhere (``not_on_aws``: why on AWS)."""
    server = ministack_of(request, StackKind.PCI_DATA_PROCESSING)
    if server is None:
        pytest.skip(MOTO_ALONE if pci.target.is_emulator else not_on_aws)
    return server


# --- the card file ------------------------------------------------------------------------------

_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")


def _key_bytes(text: str) -> bytes:
    """A key of the ring: hex when it is hex digits only, base64 otherwise (lambda/README.md)."""
    return bytes.fromhex(text) if _HEX.match(text) else base64.b64decode(text, validate=True)


def _current_key(secret_string: str) -> tuple[str, bytes]:
    """The current version and key bytes of the tokenization key secret, per its documented format.

    A JSON ring ``{"current": "2", "keys": {"1": <hex or base64>, ...}}``; anything else is the plain
    key of the first deployments, version ``"1"``, used as its UTF-8 bytes (lambda/README.md).
    """
    try:
        ring = json.loads(secret_string)
    except json.JSONDecodeError:
        ring = None
    if not isinstance(ring, dict):
        return "1", secret_string.encode()
    return str(ring["current"]), _key_bytes(str(ring["keys"][ring["current"]]))


def _token(pan: str, version: str, key: bytes) -> str:
    """``tok_v<version>_<first 128 bits of HMAC-SHA-256(key, pan), hex>_<last four>`` (lambda/README.md)."""
    digest = hmac.new(key, pan.encode(), hashlib.sha256).hexdigest()[:32]
    return f"tok_v{version}_{digest}_{pan[-4:]}"


CARD_NUMBERS = {"visa": "4111111111111111", "mastercard": "5555555555554444", "amex": "378282246310005"}
"""The Luhn-valid test numbers the card file carries (digits only)."""
OUTPUT_FIELDS = {"id", "amountCents", "currency", "merchantId", "token", "keyVersion"}
"""Everything a tokenized record may hold (the tokenizer's allow-list, plus the token and its version)."""


def _card_file(mark: str) -> list[dict[str, Any]]:
    """Four card lines as a client sends them: with sensitive authentication data, one invalid number."""
    return [
        {
            "id": f"{mark}-1",
            "pan": "4111 1111 1111 1111",
            "expiry": "12/30",
            "amountCents": 1250,
            "currency": "EUR",
            "merchantId": "merchant-7",
            "cvv": "123",
            "note": "first purchase",
        },
        {
            "id": f"{mark}-2",
            "pan": "5555-5555-5555-4444",
            "expiry": "01/29",
            "amountCents": 990,
            "currency": "GBP",
            "merchantId": "merchant-7",
            "track2": "5555555555554444=29011010000000000000",
            "auth": {"pinBlock": "0412AC89ABCDEF67", "CVC2": "999"},
        },
        {"id": f"{mark}-3", "pan": "4111111111111112", "expiry": "12/30", "amountCents": 100, "cvv": "321"},
        {
            "id": f"{mark}-4",
            "pan": "378282246310005",
            "expiry": "07/31",
            "amountCents": 4200,
            "currency": "USD",
            "merchantId": "merchant-9",
            "CID": "1234",
        },
    ]


def _encrypted_put(pci: PciEnvironment, bucket: str, key: str, body: bytes) -> None:
    """Upload as a client of the card buckets must: SSE-KMS under the data key (their policy's demand)."""
    pci.target.client("s3").put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=pci.outputs.data_key_arn,
    )


def _log_text(pci: PciEnvironment, function: str) -> str:
    """Every event of ``function``'s log group, one a line ("" while the group has none)."""
    logs = pci.target.client("logs")
    try:
        pages = list(
            logs.get_paginator("filter_log_events").paginate(
                logGroupName=pci.outputs.function_log_groups[function]
            )
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ResourceNotFoundException":
            return ""
        raise
    return "\n".join(str(event["message"]) for page in pages for event in page.get("events", []))


@pytest.mark.pci_dss("3")
@pytest.mark.behaviour
def test_a_card_file_uploaded_to_the_raw_bucket_is_tokenized_into_the_processed_bucket(
    request: pytest.FixtureRequest, functions_run: PciEnvironment
) -> None:
    pci = functions_run
    if not pci.target.is_emulator:
        pytest.skip(
            "on AWS the card buckets refuse deletes without MFA (DenyDeletesWithoutMfa), so the uploaded "
            "card file could not be removed and the PAN scan before teardown would find it"
        )
    target, outputs = pci.target, pci.outputs
    raw, processed = outputs.bucket_names["raw"], outputs.bucket_names["processed"]
    mark = f"journey-{pci.run_id}-{uuid.uuid4().hex[:8]}"
    key = f"incoming/{mark}.jsonl"
    output_key = f"tokenized/{key}"
    # GIVEN the key the tokens must be made with (the secret's current version, read as its owner)
    version, secret_key = _current_key(
        target.client("secretsmanager").get_secret_value(SecretId=outputs.tokenization_secret_arn)[
            "SecretString"
        ]
    )
    expected = [
        {
            "id": f"{mark}-1",
            "amountCents": 1250,
            "currency": "EUR",
            "merchantId": "merchant-7",
            "token": _token(CARD_NUMBERS["visa"], version, secret_key),
            "keyVersion": version,
        },
        {
            "id": f"{mark}-2",
            "amountCents": 990,
            "currency": "GBP",
            "merchantId": "merchant-7",
            "token": _token(CARD_NUMBERS["mastercard"], version, secret_key),
            "keyVersion": version,
        },
        {
            "id": f"{mark}-4",
            "amountCents": 4200,
            "currency": "USD",
            "merchantId": "merchant-9",
            "token": _token(CARD_NUMBERS["amex"], version, secret_key),
            "keyVersion": version,
        },
    ]
    body = "".join(json.dumps(line) + "\n" for line in _card_file(mark)).encode()
    try:
        with key_condition_lifted(target, processed):
            # WHEN a client uploads a card file to the raw bucket, as its policy requires (SSE-KMS, data key)
            _encrypted_put(pci, raw, key, body)
            # THEN the upload notification runs the deployed tokenizer, which writes the tokenized file
            wait_for(
                f"{output_key} in the processed bucket",
                120,
                lambda: output_key in probes.object_keys(target, processed, output_key),
            )
        with probes.bucket_readable(target, processed):
            s3 = target.client("s3")
            text = s3.get_object(Bucket=processed, Key=output_key)["Body"].read().decode()
            head = s3.head_object(Bucket=processed, Key=output_key)
        records = [json.loads(line) for line in text.splitlines()]
        # with the valid lines only (line 3's number fails the Luhn check), each with its token and
        # the allowed fields only: no card number, expiry, CVV, CVC2, CID, track data or PIN block
        assert records == expected
        assert all(set(record) == OUTPUT_FIELDS for record in records)
        # AND no card number anywhere in it, in any form
        assert find_pans(text.encode()) == []
        assert [name for name, pan in CARD_NUMBERS.items() if pan in re.sub(r"[ -]", "", text)] == []
        # AND it is encrypted under the data key
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", outputs.data_key_arn)
        # AND the raw file's card numbers are in no other output either: the tokenizer's log (which
        # holds its invocation)
        log = _log_text(pci, "tokenizer")
        assert "START RequestId:" in log
        assert find_pans(log.encode()) == []
        assert [name for name, pan in CARD_NUMBERS.items() if pan in log] == []
    finally:
        # the raw file holds clear card numbers: none of it stays at rest (the PAN scan would say so)
        delete_every_version(target, raw, key)
        delete_every_version(target, processed, output_key)


# --- rotation -----------------------------------------------------------------------------------


def _log_in(credentials: dict[str, Any], ca_file: Path) -> str | None:
    """Log in with the secret value ``credentials`` (as a client, TLS verified); None, or why it failed."""
    return password_login(
        credentials["host"],
        int(credentials["port"]),
        credentials["username"],
        credentials["password"],
        credentials["dbname"],
        ca_file,
    )


def _without_password(credentials: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in credentials.items() if name != "password"}


def _secret_json(pci: PciEnvironment, secret_arn: str, stage: str = "AWSCURRENT") -> tuple[str, Any]:
    """The version id and parsed value of ``secret_arn`` at ``stage``."""
    answer = pci.target.client("secretsmanager").get_secret_value(SecretId=secret_arn, VersionStage=stage)
    return answer["VersionId"], json.loads(answer["SecretString"])


def _steps(answers: list[Invocation]) -> list[tuple[str | None, Any]]:
    return [(answer.error, answer.payload) for answer in answers]


@pytest.mark.pci_dss("8")
@pytest.mark.behaviour
def test_the_database_password_is_rotated_in_four_steps_and_only_the_new_one_logs_in(
    request: pytest.FixtureRequest, pci_environment: PciEnvironment, database_secret: str
) -> None:
    ministack = _on_the_pair(
        request,
        pci_environment,
        "on AWS the database secret names no database reachable from here (the rotation's database "
        "steps are tested in lambda/secret-rotation)",
    )
    outputs = pci_environment.outputs
    ca_file = ministack.network.authority.ca.cert
    # GIVEN the looked-up secret, naming the PostgreSQL the harness serves (TLS only), whose password
    # logs in
    assert outputs.database_secret_arn == database_secret
    _, before = _secret_json(pci_environment, database_secret)
    assert {name: before.get(name) for name in ("engine", "host", "username", "dbname")} == {
        "engine": "postgres",
        "host": "127.0.0.1",
        "username": "pci_app",
        "dbname": "cards",
    }
    assert _log_in(before, ca_file) is None
    # WHEN Secrets Manager's part is played: rotation turned on, then the deployed rotation function
    # invoked for the four steps with one token
    token, answers = rotate_as_secrets_manager(
        pci_environment.target, outputs.function_names["rotation"], database_secret, every_days=30
    )
    # THEN each step succeeded: a password staged, set in the database over TLS, tested, made current
    assert _steps(answers) == [(None, {"step": step}) for step in ROTATION_STEPS]
    version, after = _secret_json(pci_environment, database_secret)
    assert version == token
    new_password = after["password"] != before["password"] and len(after["password"]) == 32
    assert new_password, "AWSCURRENT holds a new 32-character password"
    assert _without_password(after) == _without_password(before)
    # AND the old value is AWSPREVIOUS
    _, previous = _secret_json(pci_environment, database_secret, "AWSPREVIOUS")
    old_is_previous = previous == before
    assert old_is_previous, "AWSPREVIOUS holds the value from before the rotation"
    # AND the database takes the new password and refuses the old one
    assert _log_in(after, ca_file) is None
    refused = _log_in(before, ca_file)
    assert refused is not None and 'password authentication failed for user "pci_app"' in refused, refused


@pytest.mark.pci_dss("3")
@pytest.mark.behaviour
def test_the_tokenization_key_rotation_adds_a_current_key_and_keeps_the_old_one(
    functions_run: PciEnvironment,
) -> None:
    pci_environment = functions_run
    outputs = pci_environment.outputs
    secret = outputs.tokenization_secret_arn
    sm = pci_environment.target.client("secretsmanager")
    # GIVEN the tokenization key secret as the deployment wrote it: the plain key, version 1
    before = sm.get_secret_value(SecretId=secret)["SecretString"]
    first_version, first_key = _current_key(before)
    assert first_version == "1"
    # WHEN Secrets Manager's part is played for the key rotation function (every 90 days on AWS)
    token, answers = rotate_as_secrets_manager(
        pci_environment.target, outputs.function_names["key_rotation"], secret, every_days=90
    )
    # THEN each step succeeded (setSecret has nothing to set: only the tokenizer reads the key)
    assert _steps(answers) == [(None, {"step": step}) for step in ROTATION_STEPS]
    current = sm.get_secret_value(SecretId=secret)
    ring = json.loads(current["SecretString"])
    assert current["VersionId"] == token
    # AND the ring's current version is 2, a new 256-bit key, and version 1 is kept with the same bytes
    # (so every token made before still matches)
    assert (ring["current"], sorted(ring["keys"])) == ("2", ["1", "2"])
    new_key, old_key = _key_bytes(ring["keys"]["2"]), _key_bytes(ring["keys"]["1"])
    assert (len(new_key), new_key != first_key, old_key == first_key) == (32, True, True)
    # AND the value from before is AWSPREVIOUS
    old_is_previous = (
        sm.get_secret_value(SecretId=secret, VersionStage="AWSPREVIOUS")["SecretString"] == before
    )
    assert old_is_previous, "AWSPREVIOUS holds the key from before the rotation"


# --- security events ----------------------------------------------------------------------------

CLOUDTRAIL_CALL = "AWS API Call via CloudTrail"
SIGN_IN = "AWS Console Sign In via CloudTrail"
FINDING = "GuardDuty Finding"
COMPLIANCE = "Config Rules Compliance Change"


def _security_event(kind: str, mark: str, config_rule: str) -> tuple[str, str, dict[str, Any]]:
    """``(source, detail-type, detail)`` of one kind of event as its service emits it, carrying ``mark``."""
    finding = {"type": "UnauthorizedAccess:EC2/SSHBruteForce", "id": mark}
    verdict = {"configRuleName": config_rule, "resourceId": mark}
    events: dict[str, tuple[str, str, dict[str, Any]]] = {
        "security group opened": (
            "aws.ec2",
            CLOUDTRAIL_CALL,
            {
                "eventSource": "ec2.amazonaws.com",
                "eventName": "AuthorizeSecurityGroupIngress",
                "eventID": mark,
            },
        ),
        "security group deleted": (
            "aws.ec2",
            CLOUDTRAIL_CALL,
            {"eventSource": "ec2.amazonaws.com", "eventName": "DeleteSecurityGroup", "eventID": mark},
        ),
        "root console sign-in": (
            "aws.signin",
            SIGN_IN,
            {"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}, "eventID": mark},
        ),
        "GuardDuty finding of severity 7.0 (HIGH)": ("aws.guardduty", FINDING, {**finding, "severity": 7.0}),
        "GuardDuty finding of severity 8.9 (HIGH)": ("aws.guardduty", FINDING, {**finding, "severity": 8.9}),
        "Config rule of the stack NON_COMPLIANT": (
            "aws.config",
            COMPLIANCE,
            {**verdict, "newEvaluationResult": {"complianceType": "NON_COMPLIANT"}},
        ),
        # harmless: none of the rules is for these
        "security groups described": (
            "aws.ec2",
            CLOUDTRAIL_CALL,
            {"eventSource": "ec2.amazonaws.com", "eventName": "DescribeSecurityGroups", "eventID": mark},
        ),
        "IAM user console sign-in": (
            "aws.signin",
            SIGN_IN,
            {"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}, "eventID": mark},
        ),
        "GuardDuty finding of severity 6.9 (MEDIUM)": (
            "aws.guardduty",
            FINDING,
            {**finding, "severity": 6.9},
        ),
        "GuardDuty finding of severity 2.0 (LOW)": ("aws.guardduty", FINDING, {**finding, "severity": 2.0}),
        "Config rule of the stack COMPLIANT": (
            "aws.config",
            COMPLIANCE,
            {**verdict, "newEvaluationResult": {"complianceType": "COMPLIANT"}},
        ),
        "another Config rule NON_COMPLIANT": (
            "aws.config",
            COMPLIANCE,
            {
                "configRuleName": f"someone-elses-rule-{mark}",
                "resourceId": mark,
                "newEvaluationResult": {"complianceType": "NON_COMPLIANT"},
            },
        ),
    }
    return events[kind]


ALERTING = (
    "security group opened",
    "security group deleted",
    "root console sign-in",
    "GuardDuty finding of severity 7.0 (HIGH)",
    "GuardDuty finding of severity 8.9 (HIGH)",
    "Config rule of the stack NON_COMPLIANT",
)
HARMLESS = (
    "security groups described",
    "IAM user console sign-in",
    "GuardDuty finding of severity 6.9 (MEDIUM)",
    "GuardDuty finding of severity 2.0 (LOW)",
    "Config rule of the stack COMPLIANT",
    "another Config rule NON_COMPLIANT",
)


@pytest.fixture(scope="module")
def security_probe(request: pytest.FixtureRequest, pci_environment: PciEnvironment) -> Iterator[str]:
    """A queue subscribed to the security topic for these journeys (its URL); deleted after."""
    _on_the_pair(
        request,
        pci_environment,
        "on AWS only the services emit their aws.* events: PutEvents refuses them to any caller "
        "(NotAuthorizedForSourceException)",
    )
    name = f"probe-security-{pci_environment.run_id}-{uuid.uuid4().hex[:6]}"
    with probe_queue_on_topic(
        pci_environment.target, pci_environment.outputs.security_topic_arn, name
    ) as probe:
        yield probe.url


def _config_rule(pci: PciEnvironment) -> str:
    """One of the stack's Config rules (the non-compliance rule lists them all)."""
    return sorted(pci.outputs.config_rule_names.values())[0]


@pytest.mark.pci_dss("10")
@pytest.mark.behaviour
@pytest.mark.parametrize("kind", ALERTING)
def test_a_security_event_on_the_bus_reaches_the_security_topic(
    pci_environment: PciEnvironment, security_probe: str, kind: str
) -> None:
    target = pci_environment.target
    mark = f"sec-{pci_environment.run_id}-{uuid.uuid4().hex[:8]}"
    source, detail_type, detail = _security_event(kind, mark, _config_rule(pci_environment))
    # GIVEN a queue subscribed to the security topic WHEN the service's event lands on the default bus
    put_service_event(target, source, detail_type, detail)
    # THEN the stack's rule for it sends it to the security topic, and the subscribed queue gets it whole
    envelope = notification_containing(target, security_probe, mark, timeout=60)
    assert envelope["TopicArn"] == pci_environment.outputs.security_topic_arn
    event = json.loads(envelope["Message"])
    assert (event["detail-type"], event["detail"]) == (detail_type, detail)


@pytest.mark.pci_dss("10")
@pytest.mark.behaviour
def test_harmless_events_on_the_bus_do_not_reach_the_security_topic(
    pci_environment: PciEnvironment, security_probe: str
) -> None:
    target = pci_environment.target
    run = f"calm-{pci_environment.run_id}-{uuid.uuid4().hex[:6]}"
    marks = {kind: f"{run}-{index}" for index, kind in enumerate(HARMLESS)}
    # GIVEN a queue subscribed to the security topic
    # WHEN events no rule is for land on the bus, then one that a rule is for
    for kind, mark in marks.items():
        put_service_event(target, *_security_event(kind, mark, _config_rule(pci_environment)))
    sentinel = f"{run}-alert"
    put_service_event(
        target, *_security_event("security group opened", sentinel, _config_rule(pci_environment))
    )
    # THEN the alerting one arrives (so delivery works and the harmless ones, put first, had their chance)
    notification_containing(target, security_probe, sentinel, timeout=60)
    # AND none of the harmless ones reached the topic
    arrived = [envelope["Message"] for envelope in notifications_within(target, security_probe, 5)]
    assert [kind for kind, mark in marks.items() if any(mark in message for message in arrived)] == []


# --- least privilege ----------------------------------------------------------------------------


def _upload_event(bucket: str, key: str) -> dict[str, Any]:
    """The S3 notification an upload of ``key`` to ``bucket`` sends the tokenizer."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": {"key": key}},
            }
        ]
    }


def _refused(answer: Invocation, action: str) -> bool:
    """Whether the function failed because its own role does not allow ``action``.

    Not any refusal: a bucket policy's explicit deny (``DenyInsecureTransport``, say) would say "with
    an explicit deny in a resource-based policy" and prove nothing about the role's grant.
    """
    message = answer.error_message  # its errorType is the SDK error's name on AWS, Runtime.HandlerError here
    return (
        answer.error is not None
        and f"is not authorized to perform: {action}" in message
        and f"because no identity-based policy allows the {action} action" in message
    )


@pytest.mark.pci_dss("7")
@pytest.mark.behaviour
def test_the_tokenizer_may_not_read_the_bucket_it_writes_to(functions_run: PciEnvironment) -> None:
    pci = functions_run
    target, processed = pci.target, pci.outputs.bucket_names["processed"]
    # GIVEN the processed bucket, which the tokenizer may write to but not read, and a key in it (no
    # object is put: the card buckets refuse deletes without MFA on AWS, so a probe could not be
    # removed; the role is asked before the key is looked up, and a missing key would answer
    # NoSuchKey, never the refusal naming the role's missing grant asserted below)
    key = f"probe/least-privilege-{pci.run_id}-{uuid.uuid4().hex[:8]}.jsonl"
    # WHEN the tokenizer is handed an upload event naming it
    answer = invoke(target, pci.outputs.function_names["tokenizer"], _upload_event(processed, key))
    # THEN its own read is refused by its role, and it wrote nothing
    assert _refused(answer, "s3:GetObject"), answer.error_message or answer.payload
    assert probes.object_keys(target, processed, f"tokenized/{key}") == []


def _rotation_event(secret_arn: str) -> dict[str, str]:
    """A rotation step for ``secret_arn`` (testSecret of a token that is no version: nothing to write)."""
    return {"SecretId": secret_arn, "ClientRequestToken": str(uuid.uuid4()), "Step": "testSecret"}


def _versions(pci: PciEnvironment, secret_arn: str) -> dict[str, list[str]]:
    stages: dict[str, list[str]] = pci.target.client("secretsmanager").describe_secret(SecretId=secret_arn)[
        "VersionIdsToStages"
    ]
    return stages


@pytest.mark.pci_dss("7")
@pytest.mark.behaviour
@pytest.mark.parametrize(
    ("function", "secret"),
    [("rotation", "tokenization_secret_arn"), ("key_rotation", "database_secret_arn")],
    ids=["database-rotation-on-the-tokenization-key", "key-rotation-on-the-database-secret"],
)
def test_a_rotation_function_may_not_touch_the_other_secret(
    functions_run: PciEnvironment, function: str, secret: str
) -> None:
    pci = functions_run
    secret_arn = getattr(pci.outputs, secret)
    # GIVEN the secret the function does not rotate, as it is
    before = _versions(pci, secret_arn)
    # WHEN the function is invoked for a rotation step of that secret
    answer = invoke(pci.target, pci.outputs.function_names[function], _rotation_event(secret_arn))
    # THEN its first call, reading the secret's metadata, is refused by its role, and nothing changed
    assert _refused(answer, "secretsmanager:DescribeSecret"), answer.error_message or answer.payload
    assert _versions(pci, secret_arn) == before
