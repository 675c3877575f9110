"""One payment taken end to end through a deployed payment platform, as ``bin/demo`` shows it.

A client POSTs a payment through the internal ALB; the API function queues it; the processor (run by
the queue's event source mapping) records it in the ledger through the proxy endpoint and announces
``payment.succeeded`` on the bus; the analytics rule delivers it to the analytics queue. Each step
is observed where it leaves its trace: the API's answer, the ledger row (SQL), the analytics event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from harness.aws_target import AwsTarget
from harness.journeys import post_json
from harness.ledger_database import LedgerDatabase
from harness.probes import ProbeError, message_containing
from pci_infra.stacks.outputs import PaymentPlatformOutputs


def take_one_payment(
    target: AwsTarget,
    outputs: PaymentPlatformOutputs,
    api_url: str,
    ledger: LedgerDatabase,
    say: Callable[[str], None],
    *,
    timeout: float = 120.0,
) -> bool:
    """POST one payment and follow it to the ledger and the analytics queue; one line per step.

    Returns:
        True when the API accepted it, the ledger holds it announced, and analytics received it.
    """
    payment_id = f"demo-{uuid.uuid4().hex[:12]}"
    payment = {"paymentId": payment_id, "merchantId": "merchant-demo", "amount": "42.50", "currency": "EUR"}
    status, answer = post_json(api_url, payment)
    say(f"journey: POST /api/payments {payment_id} (42.50 EUR) -> {status} {json.dumps(answer)[:120]}")
    if status != 202:
        return False
    try:
        row = ledger.announced_payment(payment_id, timeout)
        say(
            f"journey: ledger row {row.payment_id}: {row.amount_cents} cents {row.currency}, "
            f"merchant {row.merchant_id}, announced on the bus"
        )
        event = json.loads(
            message_containing(target, outputs.analytics_queue_url, payment_id, timeout=timeout)
        )
    except ProbeError as err:
        say(f"journey: FAIL {err}")
        return False
    say(
        f"journey: analytics queue received {event['detail-type']} {event['id']} for {payment_id} "
        f"(amountCents {event['detail'].get('amountCents')})"
    )
    return bool(event["detail-type"] == "payment.succeeded" and event["detail"].get("amountCents") == 4250)
