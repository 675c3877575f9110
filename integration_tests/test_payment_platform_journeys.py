"""Journeys through the deployed payment platform, run by its real functions (GIVEN / WHEN / THEN).

Each journey acts as a client or a producer would and observes what the deployed resources did: the
API function behind the internal ALB, the processor behind the queue's event source mapping (TLS and
an IAM token to the database behind the proxy endpoint, then the bus), the event rules, the alert
topic, the Firehose transformer. On the emulator pair MiniStack runs the functions' code on Node 22
as their execution roles; the ledger is a real PostgreSQL (``harness/ledger_database.py``).

Same worker and deployment as ``test_payment_platform_live.py`` (the ``xdist_group`` mark); its
teardown test runs after these.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from harness import probes
from harness.journeys import log_lines, notification_containing, post_json, probe_queue_on_topic, wait_for
from harness.ledger_database import LedgerDatabase, LedgerRow
from harness.local_postgres import literal
from harness.luhn import find_pans
from harness.run import PaymentPlatformEnvironment

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("payment-platform")]

MAX_RECEIVES = 3
"""The payments queue's maxReceiveCount (``QueueWithDlqProps`` default), written here on purpose."""


def _payment(run_id: str, label: str, **overrides: str) -> dict[str, str]:
    return {
        "paymentId": f"{label}-{run_id}-{uuid.uuid4().hex[:8]}",
        "merchantId": "merchant-7",
        "amount": "12.34",
        "currency": "EUR",
        **overrides,
    }


@pytest.fixture(scope="module")
def recorded_payment(
    payment_platform: PaymentPlatformEnvironment, payment_api_url: str, ledger_database: LedgerDatabase
) -> tuple[dict[str, str], LedgerRow]:
    """A valid payment POSTed through the ALB and its ledger row, once the processor has written it."""
    payment = _payment(payment_platform.run_id, "journey")
    status, answer = post_json(payment_api_url, payment)
    assert status == 202, answer
    return payment, ledger_database.announced_payment(payment["paymentId"])


@pytest.mark.pci_dss("3", "10")
@pytest.mark.behaviour
def test_a_valid_payment_is_accepted_recorded_in_the_ledger_and_announced_to_analytics(
    payment_platform: PaymentPlatformEnvironment, recorded_payment: tuple[dict[str, str], LedgerRow]
) -> None:
    # GIVEN the deployed platform WHEN a client POSTs a valid payment through the internal ALB
    # (the fixture: the API answered 202 and the processor wrote the row)
    payment, row = recorded_payment
    # THEN the ledger holds it once, amount in integer cents, its announcement made
    assert row == LedgerRow(payment["paymentId"], "merchant-7", 1234, "EUR", announced=True)
    # AND payment.succeeded went over the bus to the analytics queue, with the validated fields only
    body = json.loads(
        probes.message_containing(
            payment_platform.target, payment_platform.outputs.analytics_queue_url, payment["paymentId"]
        )
    )
    assert body["source"] == "payments.processor"
    assert body["detail-type"] == "payment.succeeded"
    assert body["detail"] == {
        "paymentId": payment["paymentId"],
        "merchantId": "merchant-7",
        "amountCents": 1234,
        "currency": "EUR",
    }


@pytest.mark.pci_dss("3")
@pytest.mark.behaviour
def test_a_payment_carrying_a_card_number_is_refused_at_the_api_and_never_queued(
    payment_platform: PaymentPlatformEnvironment, payment_api_url: str
) -> None:
    # GIVEN a payment whose note carries a clear card number
    payment = _payment(payment_platform.run_id, "pan", note="card 4111 1111 1111 1111")
    # WHEN it is POSTed THEN the API refuses it for that reason
    status, answer = post_json(payment_api_url, payment)
    assert (status, answer.get("error") if isinstance(answer, dict) else answer) == (
        400,
        "card_data_not_accepted",
    )
    # AND no queue of the platform holds it (the payments queue and its DLQ, read without consuming)
    sqs = payment_platform.target.client("sqs")
    for url in (payment_platform.outputs.payments_queue_url, payment_platform.outputs.payments_dlq_url):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
        assert [m for m in messages if payment["paymentId"] in m["Body"]] == [], url


@pytest.fixture
def alert_probe(payment_platform: PaymentPlatformEnvironment) -> Iterator[str]:
    """A queue subscribed to the alert topic for one test (its URL); deleted after."""
    name = f"probe-alerts-{payment_platform.run_id}-{uuid.uuid4().hex[:6]}"
    with probe_queue_on_topic(
        payment_platform.target, payment_platform.outputs.alerts_topic_arn, name
    ) as probe:
        yield probe.url


@pytest.mark.pci_dss("10")
@pytest.mark.behaviour
def test_an_invalid_payment_on_the_queue_is_announced_failed_and_reaches_the_alert_topic(
    payment_platform: PaymentPlatformEnvironment, alert_probe: str
) -> None:
    # GIVEN a producer that bypasses the API and queues a payment with an invalid amount
    payment = _payment(payment_platform.run_id, "invalid", amount="12.345")
    target = payment_platform.target
    # WHEN the message lands on the payments queue
    target.client("sqs").send_message(
        QueueUrl=payment_platform.outputs.payments_queue_url, MessageBody=json.dumps(payment)
    )
    # THEN the processor announces payment.failed with its reason, the rule sends it to the alert
    # topic, and the probe queue subscribed to the topic receives it
    envelope = notification_containing(target, alert_probe, payment["paymentId"], timeout=90)
    assert envelope["TopicArn"] == payment_platform.outputs.alerts_topic_arn
    event: dict[str, Any] = json.loads(envelope["Message"])
    assert event["detail-type"] == "payment.failed"
    assert {k: event["detail"][k] for k in ("paymentId", "reason")} == {
        "paymentId": payment["paymentId"],
        "reason": "invalid_amount",
    }


@pytest.mark.pci_dss("10")
@pytest.mark.behaviour
def test_a_payment_the_ledger_refuses_is_retried_by_the_event_source_mapping_then_parked_in_the_dlq(
    payment_platform: PaymentPlatformEnvironment,
    payment_api_url: str,
    ledger_database: LedgerDatabase,
    recorded_payment: tuple[dict[str, str], LedgerRow],
) -> None:
    # GIVEN a ledger that refuses one merchant's payments (a constraint planted for this test)
    merchant = f"poison{payment_platform.run_id}"
    ledger_database.rows(
        f"ALTER TABLE payments ADD CONSTRAINT journey_poison CHECK (merchant_id <> {literal(merchant)})"
    )
    try:
        # WHEN a valid payment of that merchant is POSTed (accepted: the API cannot know)
        payment = _payment(payment_platform.run_id, "poison", merchantId=merchant)
        status, answer = post_json(payment_api_url, payment)
        assert status == 202, answer
        # THEN the processor reports it failed on each delivery, the event source mapping retries it,
        # and after the queue's maxReceiveCount it is parked in the DLQ
        target = payment_platform.target
        sqs = target.client("sqs")

        def parked() -> dict[str, Any] | None:
            answer = sqs.receive_message(
                QueueUrl=payment_platform.outputs.payments_dlq_url,
                MaxNumberOfMessages=10,
                AttributeNames=["ApproximateReceiveCount"],
                WaitTimeSeconds=2,
            )
            return next((m for m in answer.get("Messages", []) if payment["paymentId"] in m["Body"]), None)

        message = wait_for(f"{payment['paymentId']} in the payments DLQ", 240, parked, interval=5)
        sqs.delete_message(
            QueueUrl=payment_platform.outputs.payments_dlq_url, ReceiptHandle=message["ReceiptHandle"]
        )
        retried = [
            line
            for line in processor_log_lines(payment_platform, "payment will be retried")
            if message["MessageId"] in line
        ]
        assert len(retried) == MAX_RECEIVES, retried
        # AND nothing of it reached the ledger
        assert ledger_database.payment(payment["paymentId"]) is None
    finally:
        ledger_database.rows("ALTER TABLE payments DROP CONSTRAINT IF EXISTS journey_poison")


def processor_log_lines(environment: PaymentPlatformEnvironment, needle: str) -> list[str]:
    """The processor's log lines containing ``needle``."""
    return log_lines(
        environment.target, f"/aws/lambda/{environment.outputs.function_names['processor']}", needle
    )


@pytest.mark.pci_dss("3")
@pytest.mark.emulator_gap("behaviour:firehose_processing")
@pytest.mark.behaviour
def test_a_transaction_record_carrying_a_card_number_is_delivered_masked(
    payment_platform: PaymentPlatformEnvironment,
) -> None:
    outputs = payment_platform.outputs
    target = payment_platform.target
    marker = f"mask-{uuid.uuid4().hex[:10]}"
    # GIVEN a transaction log record with a card number in a value and in free text
    record = {"paymentId": marker, "pan": "4111 1111 1111 1111", "note": "paid with 5500-0000-0000-0004"}
    # WHEN it goes through the stream (the deployed transformer function runs; buffer 60 s)
    target.client("firehose").put_record(
        DeliveryStreamName=outputs.stream_name, Record={"Data": json.dumps(record).encode() + b"\n"}
    )
    with probes.bucket_readable(target, outputs.stream_bucket_name):
        (stored,) = probes.objects_containing(target, outputs.stream_bucket_name, marker, timeout=300)
    # THEN the one delivered copy, under the transformed records' prefix, holds the masked numbers only
    assert stored.key.startswith("transactions/"), stored.key
    assert "************1111" in stored.text and "************0004" in stored.text
    assert find_pans(stored.text.encode()) == []
    # AND compressed as the stream says, where the target does compress
    assert stored.gzip or (target.gap("behaviour:firehose_gzip") is not None)
