"""The PAN discovery scan finds every planted card number, only those, where they are, masked."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness import cli, pan_scan
from harness.aws_target import AwsTarget
from harness.environment import EphemeralEnvironment, untyped_outputs
from harness.luhn import PanHit, PanStream, find_pans, luhn_valid, mask_pan
from harness.pan_scan import (
    ClearPanAtRestError,
    PanScannedEnvironment,
    PanScanResult,
    plain_chunks,
    record_path,
    scan_run,
)

RUN = "pn1234"
OTHER_RUN = "zz9999"

# One Luhn-valid test number per kind of store, so each finding names its own place.
PLAIN_PAN = "4111111111111111"
GZIP_PAN = "5555555555554444"
OLD_VERSION_PAN = "378282246310005"  # 15 digits (Amex)
DELETED_PAN = "4242424242424242"
LOG_PAN = "6011111111111117"
QUEUE_PAN = "4012 8888 8888 1881"  # grouped with spaces
SSM_PAN = "5105-1051-0510-5100"  # grouped with dashes
SECRET_PAN = "3530111333300000"  # noqa: S105 - a test card number, not a password
PLANTED = [PLAIN_PAN, GZIP_PAN, OLD_VERSION_PAN, DELETED_PAN, LOG_PAN, QUEUE_PAN, SSM_PAN, SECRET_PAN]

NOT_LUHN = "4111111111111112"
IN_LONG_RUN = "987654321" + PLAIN_PAN  # 25 digits: a Luhn-valid 16 inside a longer digit run
EPOCH_MS = "1717171717174"  # Luhn-valid 13-digit timestamp in milliseconds
HEX_ID = f"deadbeef{PLAIN_PAN}cafef00d"  # a hash-like token
FLOW_LOG = "2 123456789013 eni-0a1b2c3d 10.0.0.5 10.0.1.7 443 49152 6 10 840 1717171717 1717171777 ACCEPT OK"
# "2 123456789013" is Luhn-valid as 13 digits: the version and account id of a VPC flow log record.

BUCKET = f"transaction-logs-unit-{RUN}"
VERSIONED_BUCKET = f"payment-receipts-unit-{RUN}"
TAGGED_BUCKET = "firehose-archive-0001"  # no run id in the name: found by its RunId tag
OTHER_BUCKET = f"transaction-logs-unit-{OTHER_RUN}"
LOG_GROUP = f"/aws/lambda/payment-processor-unit-{RUN}"
LOG_STREAM = "2024/05/31/[$LATEST]0123abcd"
QUEUE = f"payments-unit-{RUN}"
PARAMETER = f"/payments-unit-{RUN}/card-on-file"
SECRET = f"dev-pci-tokenization-key-unit-{RUN}"


def digits(pan: str) -> str:
    return pan.replace(" ", "").replace("-", "")


def clear_forms(pan: str) -> set[str]:
    """The ways a clear number could show up in printed text."""
    return {pan, digits(pan)}


def tag(key: str = "RunId", value: str = RUN) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value}]


def plant(target: AwsTarget) -> dict[str, str]:
    """One PAN in each kind of store of run RUN, decoys around them; the ids AWS gave back."""
    s3 = target.client("s3")
    for bucket in (BUCKET, VERSIONED_BUCKET, TAGGED_BUCKET, OTHER_BUCKET):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=TAGGED_BUCKET, Tagging={"TagSet": tag()})
    # a plain object, and decoys that are not PANs
    s3.put_object(
        Bucket=BUCKET, Key="payments/2024/plain.json", Body=f'{{"paymentId": "p-1", "pan": "{PLAIN_PAN}"}}'
    )
    decoys = f"ref {NOT_LUHN}\nrun {IN_LONG_RUN}\nat {EPOCH_MS}\nsha {HEX_ID}\n{FLOW_LOG}\n"
    s3.put_object(Bucket=BUCKET, Key="payments/2024/decoys.txt", Body=decoys)
    s3.put_object(Bucket=BUCKET, Key="looks-compressed.gz", Body=b"not gzip at all, " + NOT_LUHN.encode())
    # a gzip object (no .gz in its name: detected by its magic bytes)
    s3.put_object(
        Bucket=TAGGED_BUCKET,
        Key="transactions/2024/05/31/part-0000",
        Body=gzip.compress(f'{{"id": 1}}\n{{"id": 2, "card": "{GZIP_PAN}"}}\n'.encode()),
    )
    # an OLD version of an object, overwritten since
    s3.put_bucket_versioning(Bucket=VERSIONED_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=VERSIONED_BUCKET, Key="receipts/r-1.txt", Body=f"card {OLD_VERSION_PAN}")
    s3.put_object(Bucket=VERSIONED_BUCKET, Key="receipts/r-1.txt", Body="card 378282*****0005")
    # and one of an object deleted since (a delete marker hides it; it is still stored)
    deleted = s3.put_object(Bucket=VERSIONED_BUCKET, Key="receipts/r-2.txt", Body=f"card {DELETED_PAN}")
    s3.delete_object(Bucket=VERSIONED_BUCKET, Key="receipts/r-2.txt")
    # the same PAN in a bucket of another run: not this run's
    s3.put_object(Bucket=OTHER_BUCKET, Key="payments/2024/plain.json", Body=f"pan {PLAIN_PAN}")
    # a log event
    logs = target.client("logs")
    now = int(time.time() * 1000)  # CloudWatch refuses events from more than 14 days ago or 2 h ahead
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=LOG_STREAM)
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=LOG_STREAM,
        logEvents=[
            {"timestamp": now, "message": f"START at {EPOCH_MS}"},
            {"timestamp": now + 1, "message": f"charge failed for card {LOG_PAN} (declined)"},
        ],
    )
    (event_id,) = [
        e["eventId"]
        for e in logs.filter_log_events(logGroupName=LOG_GROUP)["events"]
        if e["message"].startswith("charge")
    ]
    # a queue message, and a clean one
    sqs = target.client("sqs")
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    message = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"card": QUEUE_PAN}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"paymentId": "p-2", "amount": "9.99"}))
    # an SSM SecureString, overwritten since (its history keeps the first value)
    ssm = target.client("ssm")
    first = ssm.put_parameter(Name=PARAMETER, Value=f"card={SSM_PAN}", Type="SecureString")
    ssm.put_parameter(Name=PARAMETER, Value="card=tok_9f8e7d", Type="SecureString", Overwrite=True)
    # a secret, tagged with the run
    secret = target.client("secretsmanager").create_secret(
        Name=SECRET, SecretString=json.dumps({"pan": SECRET_PAN}), Tags=tag()
    )
    return {
        "old_version": old["VersionId"],
        "deleted_version": deleted["VersionId"],
        "event": event_id,
        "message": message["MessageId"],
        "parameter_version": str(first["Version"]),
        "secret_version": secret["VersionId"],
    }


@pytest.mark.pci_dss("3")
def test_every_planted_pan_is_found_where_it_is_and_nothing_else(mock_target: AwsTarget) -> None:
    ids = plant(mock_target)
    # WHEN the run is scanned (objects read 16 bytes at a time: numbers straddle every chunk edge)
    result = scan_run(mock_target, RUN, chunk_bytes=16, queue_wait_seconds=0)
    # THEN exactly the planted numbers are reported, each with its place, masked
    found = sorted((f.place, f.masked) for f in result.findings)
    assert found == sorted(
        [
            (("s3", BUCKET, "payments/2024/plain.json", None, 29), "411111******1111"),
            (("s3", TAGGED_BUCKET, "transactions/2024/05/31/part-0000", None, 29), "555555******4444"),
            (("s3", VERSIONED_BUCKET, "receipts/r-1.txt", ids["old_version"], 5), "378282*****0005"),
            (("s3", VERSIONED_BUCKET, "receipts/r-2.txt", ids["deleted_version"], 5), "424242******4242"),
            (("logs", LOG_GROUP, LOG_STREAM, ids["event"], 23), "601111******1117"),
            (("sqs", QUEUE, ids["message"], None, 10), "401288******1881"),
            (("ssm", PARAMETER, "value", ids["parameter_version"], 5), "510510******5100"),
            (("secretsmanager", SECRET, "SecretString", ids["secret_version"], 9), "353011******0000"),
        ]
    )
    # AND every store of the run was read: 3 buckets (one by tag only), 1 group, 1 queue, 1 parameter,
    # 1 secret; the other run's bucket was not
    assert result.kind_lines() == [
        "s3: 7 objects in 3 buckets, 4 PANs",  # 3 plain, 1 gzip, 2 versions of r-1, the deleted r-2
        "logs: 2 events in 1 log group, 1 PAN",
        "sqs: 2 messages in 1 queue, 1 PAN",
        "ssm: 2 values in 1 parameter, 1 PAN",
        "secretsmanager: 1 value in 1 secret, 1 PAN",
    ]
    assert OTHER_BUCKET not in {s.resource for s in result.stores}
    assert result.summary("payment-platform") == "PAN scan payment-platform: 7 stores read, 8 PANs"
    assert result.unreadable == []


@pytest.mark.pci_dss("3")
def test_nothing_the_scan_reports_or_records_holds_a_clear_pan(mock_target: AwsTarget) -> None:
    plant(mock_target)
    result = scan_run(mock_target, RUN, queue_wait_seconds=0)
    printed = "\n".join(
        [*result.report_lines(), result.summary("x"), json.dumps(result.to_json()), repr(result)]
    )
    assert printed.count("PAN found: ") == len(PLANTED)
    for pan in PLANTED:
        for clear in clear_forms(pan):
            assert clear not in printed
        assert mask_pan(digits(pan)) in printed


def test_messages_are_left_in_the_queue_and_receiving_them_can_be_switched_off(
    mock_target: AwsTarget,
) -> None:
    plant(mock_target)
    sqs = mock_target.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    # GIVEN queues switched off THEN no message is received
    without = scan_run(mock_target, RUN, queues=False)
    assert "sqs" not in without.kinds and not [f for f in without.findings if f.kind == "sqs"]
    # WHEN queues are read THEN both messages are visible again at once, each received once more
    scan_run(mock_target, RUN, queue_wait_seconds=0)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "2"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["Attributes"]["ApproximateReceiveCount"] for m in received) == ["2", "2"]


def test_a_fifo_queue_is_read_as_far_as_it_goes_without_consuming_and_says_so(mock_target: AwsTarget) -> None:
    sqs = mock_target.client("sqs")
    fifo = f"settlements-unit-{RUN}.fifo"
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    url = sqs.create_queue(QueueName=fifo, Attributes=attributes)["QueueUrl"]
    for n in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=f"settlement {n}", MessageGroupId="merchant-1")
    # WHEN scanned THEN the head of the group is read, and the rest is reported as not read
    result = scan_run(mock_target, RUN, queue_wait_seconds=0)
    assert "sqs: 10 messages in 1 queue, 0 PANs, 1 unreadable" in result.kind_lines()
    assert result.unreadable == [f"sqs {fifo}: FIFO queue: ~5 messages wait behind the 10 read"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert counts["Attributes"]["ApproximateNumberOfMessages"] == "15"  # none consumed, all visible


def test_a_clean_run_reports_zero(mock_target: AwsTarget) -> None:
    s3 = mock_target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="masked.json", Body='{"pan": "411111******1111"}')
    s3.create_bucket(Bucket=OTHER_BUCKET)
    s3.put_object(Bucket=OTHER_BUCKET, Key="plain.json", Body=PLAIN_PAN)
    mock_target.client("ssm").put_parameter(Name=PARAMETER, Value="tok_9f8e7d", Type="SecureString")
    result = scan_run(mock_target, RUN)
    assert result.findings == []
    assert result.summary("pci-data-processing") == "PAN scan pci-data-processing: 2 stores read, 0 PANs"
    assert result.kind_lines()[0] == "s3: 1 object in 1 bucket, 0 PANs"


def test_unreadable_gzip_is_reported_not_skipped(mock_target: AwsTarget) -> None:
    s3 = mock_target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="broken", Body=gzip.compress(b"x" * 100)[:20])
    result = scan_run(mock_target, RUN)
    assert result.unreadable == [f"s3 {BUCKET}: broken: truncated gzip content"]
    assert result.summary("x") == "PAN scan x: 1 store read, 0 PANs, 1 item unreadable"


def test_a_malformed_run_id_is_refused(mock_target: AwsTarget) -> None:
    for bad in ("", "pn12", "PN1234", "pn-123", "pn12345"):
        with pytest.raises(ValueError, match="run_id"):
            scan_run(mock_target, bad)


# --- the command ---------------------------------------------------------------------------------


def test_cli_exits_1_on_a_pan_and_prints_it_masked_only(
    mock_target: AwsTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    plant(mock_target)
    assert cli.main(["pan-scan", "--run-id", RUN, "--target", "aws"]) == 1
    out = capsys.readouterr().out
    assert "s3: 7 objects in 3 buckets, 4 PANs" in out
    assert f"PAN found: s3 {BUCKET} payments/2024/plain.json at byte 29: 411111******1111" in out
    for pan in PLANTED:
        for clear in clear_forms(pan):
            assert clear not in out


def test_cli_exits_0_when_no_pan_is_at_rest(
    mock_target: AwsTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    mock_target.client("s3").create_bucket(Bucket=BUCKET)
    assert cli.main(["pan-scan", "--run-id", RUN, "--target", "aws", "--no-queues"]) == 0
    out = capsys.readouterr().out
    assert "s3: 0 objects in 1 bucket, 0 PANs" in out and "sqs:" not in out
    assert f"PAN scan run {RUN}: 1 store read, 0 PANs" in out
    # a run id that names nothing is not a clean bill of health: the command says so
    assert cli.main(["pan-scan", "--run-id", OTHER_RUN, "--target", "aws"]) == 0
    assert f"no store is named or tagged with run {OTHER_RUN}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--run-id", RUN, "--target", "azure"], "--target must be one of emulator, aws (got 'azure')"),
        (["--run-id", "PN-12!"], "--run-id must be 6 lowercase letters or digits (got 'PN-12!')"),
        (["--run-id", "pn123"], "--run-id must be 6 lowercase letters or digits (got 'pn123')"),
        (["--run-id", RUN, "--emulator-endpoint", "ftp://x"], "--emulator-endpoint must be http(s)://"),
        (["--run-id", RUN, "--target", "aws", "--emulator-endpoint", "http://x:1"], "with --target emulator"),
        (["--run-id", RUN, "--emulator-endpoint", "http://127.0.0.1:9"], "no emulator answers at"),
    ],
)
def test_cli_exits_2_on_bad_input_before_reading_anything(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_scan(*_args: object, **_kwargs: object) -> PanScanResult:
        raise AssertionError("bad input must be refused before anything is read")

    monkeypatch.setattr(pan_scan, "scan_run", must_not_scan)
    assert cli.main(["pan-scan", *argv]) == 2
    assert says in capsys.readouterr().out


# --- the live flow: scanned before teardown --------------------------------------------------------


def scanned_environment(
    tmp_path: Path, target: AwsTarget, events: list[str]
) -> PanScannedEnvironment[dict[str, Any]]:
    env = PanScannedEnvironment(
        stack_name="payment-platform",
        run_id=RUN,
        stack_dir=tmp_path / "stack",
        workdir=tmp_path / "work",
        target=target,
        read_outputs=untyped_outputs,
        progress=events.append,
        environ={},
    )
    env.raw_outputs = {"deployed": True}
    return env


def test_live_environment_is_scanned_once_right_before_teardown(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    def destroy(self: EphemeralEnvironment[Any]) -> list[object]:
        events.append("teardown")
        self.torn_down = True
        return []

    monkeypatch.setattr(EphemeralEnvironment, "teardown", destroy)
    mock_target.client("s3").create_bucket(Bucket=BUCKET)
    env = scanned_environment(tmp_path, mock_target, events)
    assert env.teardown() == [] and env.teardown() == []
    lines = [e.split("] ", 1)[-1] for e in events]
    assert lines.index("PAN scan payment-platform: 1 store read, 0 PANs") < lines.index("teardown")
    assert lines.count("PAN scan before teardown ...") == 1
    record = json.loads(record_path(tmp_path / "work", "payment-platform").read_text())
    assert record["line"] == "PAN scan payment-platform: 1 store read, 0 PANs"


@pytest.mark.pci_dss("3")
def test_a_pan_at_rest_fails_after_teardown_has_run(
    tmp_path: Path, mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []

    def destroy(self: EphemeralEnvironment[Any]) -> list[object]:
        events.append("teardown")
        return []

    monkeypatch.setattr(EphemeralEnvironment, "teardown", destroy)
    plant(mock_target)
    env = scanned_environment(tmp_path, mock_target, events)
    with pytest.raises(ClearPanAtRestError, match=r"8 PANs \(PCI DSS 3.5.1") as raised:
        env.teardown()
    assert events[-1] == "teardown"
    for pan in PLANTED:
        assert digits(pan) not in str(raised.value)
    assert "411111******1111" in record_path(tmp_path / "work", "payment-platform").read_text()


# --- the candidate rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"pan={PLAIN_PAN};", [PanHit(4, "411111******1111")]),
        ("4111 1111 1111 1111", [PanHit(0, "411111******1111")]),
        ("3782-822463-10005", [PanHit(0, "378282*****0005")]),  # Amex 4-6-5
        ("4222222222222", [PanHit(0, "422222***2222")]),  # 13 digits
        (f"card\\n{PLAIN_PAN}", [PanHit(6, "411111******1111")]),  # after an escaped newline
        (f"{NOT_LUHN} {IN_LONG_RUN} {EPOCH_MS} {HEX_ID}", []),
        (FLOW_LOG, []),
        ("4111  1111 1111 1111", []),  # a double space ends the number: 4 and 12 digits
        (f"4111 1111 1111 1111 {PLAIN_PAN[:4]}", []),  # a chain of 20 digits
        ("4111 1111 1111 1111 12/27", [PanHit(0, "411111******1111")]),  # an expiry date after it
        (f"qty 2 {QUEUE_PAN}", [PanHit(6, "401288******1881")]),
        (f"{QUEUE_PAN} {IN_LONG_RUN}", [PanHit(0, "401288******1881")]),
        ("3fa85f64-5717-4562-b3fc-2c963f66afa6 ab12-3456-7890-1234-56cd", []),  # uuid-like
    ],
)
def test_candidate_rules(text: str, expected: list[PanHit]) -> None:
    assert find_pans(text.encode()) == expected


def test_luhn_and_masking() -> None:
    assert all(luhn_valid(digits(pan)) for pan in PLANTED)
    assert not luhn_valid(NOT_LUHN)
    assert mask_pan("4111111111111111") == "411111******1111"
    assert mask_pan("4222222222222") == "422222***2222"
    assert mask_pan("1234") == "****"


def test_streamed_scan_equals_whole_scan_for_any_chunking() -> None:
    content = (
        f"a {PLAIN_PAN} b {QUEUE_PAN}, {IN_LONG_RUN} c{'x' * 150} {HEX_ID} "
        f"{'9' * 300} {SSM_PAN}{'-' * 7}{GZIP_PAN}"
    ).encode()
    whole = find_pans(content)
    assert [h.masked for h in whole] == [
        "411111******1111",
        "401288******1881",
        "510510******5100",
        "555555******4444",
    ]
    for size in (1, 2, 7, 37, 128, 129, 4096):
        stream = PanStream()
        hits: list[PanHit] = []
        for start in range(0, len(content), size):
            hits += stream.feed(content[start : start + size])
        hits += stream.finish()
        assert hits == whole, size


def test_concatenated_gzip_members_are_all_read() -> None:
    members = gzip.compress(b"first ") + gzip.compress(f"second {PLAIN_PAN}".encode())
    chunks = [members[i : i + 5] for i in range(0, len(members), 5)]
    assert b"".join(plain_chunks(chunks)) == f"first second {PLAIN_PAN}".encode()
    assert b"".join(plain_chunks([b"\x1f", b"not gzip"])) == b"\x1fnot gzip"


TLS_ONLY_DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": ["s3:*"],
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


@pytest.mark.pci_dss("3")
def test_an_emulator_bucket_policy_refusing_reads_is_lifted_before_teardown_only(
    mock_target: AwsTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a bucket whose TLS-only deny the emulator applies to every read, holding a planted PAN
    s3 = mock_target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="payments/plain.json", Body=f'{{"pan": "{PLAIN_PAN}"}}')
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(TLS_ONLY_DENY))
    monkeypatch.setattr(AwsTarget, "is_emulator", property(lambda self: True))
    # WHEN scanned as the CLI does THEN the object is reported unreadable, not silently clean
    plain = scan_run(mock_target, RUN, queues=False)
    assert (plain.findings, len(plain.unreadable)) == ([], 1)
    assert "403" in plain.unreadable[0] or "Forbidden" in plain.unreadable[0]
    # WHEN scanned right before teardown THEN the policy goes and the PAN is found
    lifted = scan_run(mock_target, RUN, queues=False, lift_emulator_policies=True)
    assert [(f.resource, f.item, f.masked) for f in lifted.findings] == [
        (BUCKET, "payments/plain.json", "411111******1111")
    ]
    assert lifted.unreadable == []


def test_a_bucket_policy_is_never_lifted_on_aws(mock_target: AwsTarget) -> None:
    s3 = mock_target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="payments/plain.json", Body=f'{{"pan": "{PLAIN_PAN}"}}')
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(TLS_ONLY_DENY))
    scan_run(mock_target, RUN, queues=False, lift_emulator_policies=True)
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == TLS_ONLY_DENY
