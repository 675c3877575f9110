"""The naming helper knows each AWS limit and refuses names that break one."""

from __future__ import annotations

import pytest

from pci_infra.app.names import PaymentNames, all_specs
from pci_infra.app.naming import Convention, NameKind, Namer, NameRuleError, NameSpec


def test_payment_convention_is_type_then_suffix_then_run_id() -> None:
    namer = Namer(environment="dev", suffix="pr7", run_id="abc123")
    assert namer.name(PaymentNames.PAYMENTS_QUEUE) == "payments-pr7-abc123"
    assert namer.name(PaymentNames.DATA_KEY) == "alias/payment-data-pr7-abc123"


def test_long_lived_environment_has_no_run_id() -> None:
    assert Namer(environment="prod", suffix="prod").name(PaymentNames.PAYMENTS_DLQ) == "payments-dlq-prod"


def test_pci_convention_is_environment_service_type_suffix() -> None:
    spec = NameSpec(NameKind.S3_BUCKET, "raw-data", Convention.PCI, service="ingest")
    assert (
        Namer(environment="dev", suffix="pr7", run_id="abc123").name(spec) == "dev-ingest-raw-data-pr7-abc123"
    )


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        (NameKind.ALB, 32),
        (NameKind.TARGET_GROUP, 32),
        (NameKind.S3_BUCKET, 63),
        (NameKind.IAM_ROLE, 64),
        (NameKind.LAMBDA_FUNCTION, 64),
        (NameKind.SQS_QUEUE, 80),
        (NameKind.EVENT_RULE, 64),
        (NameKind.RDS_IDENTIFIER, 63),
        (NameKind.KMS_ALIAS, 256),
    ],
)
def test_limit_is_enforced_at_exactly_the_aws_maximum(kind: NameKind, limit: int) -> None:
    prefix = len(kind.rule.prefix)
    fits = NameSpec(kind, "a" * (limit - prefix - len("-s")))
    too_long = NameSpec(kind, "a" * (limit - prefix - len("-s") + 1))
    namer = Namer(environment="dev", suffix="s")
    assert len(namer.name(fits)) == limit
    with pytest.raises(
        NameRuleError, match=f"is {limit + 1} characters; AWS allows 1-{limit}|AWS allows 3-{limit}"
    ):
        namer.name(too_long)


@pytest.mark.parametrize(
    ("kind", "resource_type", "match"),
    [
        (NameKind.S3_BUCKET, "Logs", "S3 bucket name 'Logs-s' breaks the AWS rule: lowercase"),
        (NameKind.ALB, "alb_public", "Load balancer name 'alb_public-s' breaks the AWS rule"),
        (
            NameKind.RDS_IDENTIFIER,
            "1db",
            "RDS identifier name '1db-s' breaks the AWS rule: .*starts with a letter",
        ),
        (NameKind.RDS_IDENTIFIER, "db--x", "RDS identifier"),
        (NameKind.KMS_ALIAS, "aws/key", "KMS alias name 'alias/aws/key-s' breaks the AWS rule"),
    ],
)
def test_character_rules_are_enforced(kind: NameKind, resource_type: str, match: str) -> None:
    with pytest.raises(NameRuleError, match=match):
        Namer(environment="dev", suffix="s").name(NameSpec(kind, resource_type))


def test_every_catalogued_name_renders_for_the_default_environment() -> None:
    namer = Namer(environment="dev", suffix="dev", run_id="abc123")
    names = [namer.name(spec) for spec in all_specs()]
    assert len(names) == len(set(names)), "two catalogue entries render the same name"
    assert all(name.endswith("-dev-abc123") for name in names)
