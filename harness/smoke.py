"""The main command's short live smoke check of a deployed payment platform."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from harness.aws_target import AwsTarget
from harness.probes import (
    bucket_default_kms_key,
    key_rotation_enabled,
    message_containing,
    message_reaches_dlq,
    put_payment_event,
)
from pci_infra.stacks.outputs import PaymentPlatformOutputs

MAX_RECEIVE_COUNT = 3


def payment_platform_smoke(
    target: AwsTarget, outputs: PaymentPlatformOutputs, say: Callable[[str], None]
) -> bool:
    """Probe the deployed slice; print one line per check; True when all pass."""
    key_arn = outputs.data_key_arn
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("data key rotation is on", lambda: key_rotation_enabled(target, key_arn)),
        (
            "transaction-log bucket encrypts with the data key",
            lambda: (
                bucket_default_kms_key(target, outputs.transaction_logs_bucket_name) == ("aws:kms", key_arn)
            ),
        ),
        (
            # The analytics queue: the payments queue's consumer is the processor's event source
            # mapping, which would take the message first (and the emulator cannot run it).
            f"a message received {MAX_RECEIVE_COUNT}x without delete lands in the DLQ",
            lambda: bool(
                message_reaches_dlq(
                    target, outputs.analytics_queue_url, outputs.analytics_dlq_url, MAX_RECEIVE_COUNT
                ).dlq_body
            ),
        ),
        (
            "a payment.succeeded event reaches the analytics queue",
            lambda: _event_reaches_analytics(target, outputs),
        ),
    ]
    ok = True
    for label, check in checks:
        try:
            passed = check()
        except AssertionError as err:
            passed = False
            label = f"{label}: {err}"
        say(f"smoke: {'PASS' if passed else 'FAIL'} {label}")
        ok = ok and passed
    return ok


def _event_reaches_analytics(target: AwsTarget, outputs: PaymentPlatformOutputs) -> bool:
    payment_id = f"smoke-{uuid.uuid4()}"
    put_payment_event(target, outputs.event_bus_name, "payment.succeeded", {"paymentId": payment_id})
    return payment_id in message_containing(target, outputs.analytics_queue_url, payment_id)
