"""Two emulators, one target: the override that routes the provider, and the clients that follow it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import emulator_pair
from harness.aws_target import AwsTarget
from harness.emulator import EmulatorError
from harness.emulator_pair import (
    OVERRIDE_FILE,
    override_document,
    synthesized_endpoint_keys,
    write_override,
)
from harness.run import HarnessRun
from pci_infra.app.settings import SettingsError
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import (
    SERVICE_ROUTES,
    Emulator,
    emulators_wanted,
    provider_endpoints,
)

MOTO = "http://127.0.0.1:5001"
MINISTACK = "http://127.0.0.1:5002"
ROUTES = provider_endpoints({Emulator.MOTO: MOTO, Emulator.MINISTACK: MINISTACK})


def synthesized(stack_dir: Path, endpoints: dict[str, str] | None) -> Path:
    """A stack directory holding a ``cdk.tf.json`` shaped like the emulator (or AWS) synthesis."""
    provider: dict[str, Any] = {"region": "us-east-1", "max_retries": 3, "s3_use_path_style": True}
    if endpoints is not None:
        provider["endpoints"] = [endpoints]
    stack_dir.mkdir(parents=True, exist_ok=True)
    document = {"provider": {"aws": [provider]}, "resource": {}}
    (stack_dir / "cdk.tf.json").write_text(json.dumps(document))
    return stack_dir


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [({}, "pair"), ({"INFRA_EMULATORS": ""}, "pair"), ({"INFRA_EMULATORS": " moto "}, "moto")],
)
def test_moto_alone_stays_the_default_and_the_pair_is_opt_in(environ: dict[str, str], wanted: str) -> None:
    assert emulators_wanted(environ) == wanted


def test_an_unknown_choice_of_emulators_is_refused() -> None:
    with pytest.raises(ValueError, match=r"INFRA_EMULATORS: one of \['pair', 'moto'\] \(got 'ministack'\)"):
        emulators_wanted({"INFRA_EMULATORS": "ministack"})


def test_the_override_sets_each_synthesized_endpoint_to_its_routed_emulator_and_nothing_else(
    tmp_path: Path,
) -> None:
    stack_dir = synthesized(tmp_path / "stack", dict.fromkeys(SERVICE_ROUTES, MOTO))
    written = write_override(stack_dir, ROUTES)
    assert written == stack_dir / OVERRIDE_FILE and written.name.endswith("_override.tf.json")
    document = json.loads(written.read_text())
    assert set(document) == {"//", "provider"}  # no backend, credentials or other provider argument
    ((provider,),) = [document["provider"]["aws"]]
    assert list(provider) == ["endpoints"]
    (endpoints,) = provider["endpoints"]
    assert endpoints == ROUTES
    assert {endpoints[s] for s in ("guardduty", "configservice", "wafv2", "cloudwatch")} == {MOTO}
    assert {endpoints[s] for s in ("lambda", "iam", "sqs", "elbv2", "events", "logs", "rds", "route53")} == {
        MINISTACK
    }


def test_an_endpoint_without_a_route_or_a_synthesis_without_endpoints_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match=r"without a route in SERVICE_ROUTES: \['dynamodb'\]"):
        override_document(ROUTES, ["dynamodb", "sqs"])
    aws_synthesis = synthesized(tmp_path / "aws", None)
    with pytest.raises(EmulatorError, match="emulator-target synthesis"):
        synthesized_endpoint_keys(aws_synthesis)
    assert not (aws_synthesis / OVERRIDE_FILE).exists()


def test_clients_follow_the_routing_and_the_single_endpoint_target_is_unchanged() -> None:
    routed = AwsTarget.emulator("us-east-1", MOTO, {"sqs": MINISTACK, "lambda": MINISTACK})
    assert routed.client("sqs").meta.endpoint_url == MINISTACK
    assert routed.client("lambda").meta.endpoint_url == MINISTACK
    assert routed.client("guardduty").meta.endpoint_url == MOTO  # not named: the target's endpoint
    assert routed.endpoint == MOTO and routed.is_emulator and routed.kind == "emulator"
    single = AwsTarget.emulator("us-east-1", MOTO)
    assert single == AwsTarget(region="us-east-1", endpoint=MOTO, credentials=single.credentials)
    assert {single.client(s).meta.endpoint_url for s in ("sqs", "lambda", "config")} == {MOTO}
    assert AwsTarget(region="us-east-1").endpoint_for("sqs") is None


def _run(
    tmp_path: Path, environ: dict[str, str], routes: dict[str, str] | None, endpoint: str | None
) -> HarnessRun:
    return HarnessRun.start(
        suffix="it",
        run_id="ab12cd",
        workdir=tmp_path / "run",
        endpoint=endpoint,
        environ=environ,
        stacks=(StackKind.PAYMENT_PLATFORM,),
        routes=routes,
        alert_email="oncall@example.org",
        api_certificate_arn="arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f",
        standby_endpoint="api.dr.example.org",
    )


def test_a_run_on_the_pair_synthesizes_for_moto_routes_its_clients_and_writes_the_override(
    tmp_path: Path,
) -> None:
    run = _run(tmp_path, {"INFRA_EMULATORS": "pair"}, ROUTES, MOTO)
    assert run.settings.emulator_endpoint == MOTO  # the singleton lookups at synthesis ask moto
    target = run.target
    assert target.endpoint_for("config") == target.endpoint_for("guardduty") == MOTO
    assert target.endpoint_for("lambda") == target.endpoint_for("resourcegroupstaggingapi") == MINISTACK
    stack_dir = synthesized(run.stack_dir(StackKind.PAYMENT_PLATFORM), dict.fromkeys(SERVICE_ROUTES, MOTO))
    run.environment(
        StackKind.PAYMENT_PLATFORM,
        progress=lambda _line: None,
        environ={},
        before_apply=None,
    )
    assert json.loads((stack_dir / OVERRIDE_FILE).read_text())["provider"]["aws"][0]["endpoints"] == [ROUTES]


def test_a_run_on_moto_alone_writes_no_override_and_a_pair_asked_of_a_single_emulator_caller_fails(
    tmp_path: Path,
) -> None:
    alone = _run(tmp_path, {}, None, MOTO)
    assert alone.routes == {} and alone.target == AwsTarget.emulator("us-east-1", MOTO)
    stack_dir = synthesized(alone.stack_dir(StackKind.PAYMENT_PLATFORM), dict.fromkeys(SERVICE_ROUTES, MOTO))
    alone.environment(StackKind.PAYMENT_PLATFORM, progress=lambda _line: None, environ={}, before_apply=None)
    assert not (stack_dir / OVERRIDE_FILE).exists()
    with pytest.raises(SettingsError, match="INFRA_EMULATORS=pair: this caller started one emulator"):
        _run(tmp_path, {"INFRA_EMULATORS": "pair"}, None, MOTO)
    with pytest.raises(SettingsError, match="INFRA_EMULATORS: one of"):
        _run(tmp_path, {"INFRA_EMULATORS": "both"}, None, MOTO)
    assert _run(tmp_path, {"INFRA_EMULATORS": "pair"}, ROUTES, None).routes == {}  # AWS: no emulators


def test_the_pair_applies_trails_without_insight_selectors_only_while_the_gap_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack_dir = synthesized(tmp_path / "stack", dict.fromkeys(SERVICE_ROUTES, MOTO))
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    insights = [{"insight_type": "ApiCallRateInsight"}, {"insight_type": "ApiErrorRateInsight"}]
    document["resource"] = {
        "aws_cloudtrail": {"trail_A1": {"name": "t", "insight_selector": insights}, "plain_B2": {"name": "u"}}
    }
    (stack_dir / "cdk.tf.json").write_text(json.dumps(document))
    written = json.loads(write_override(stack_dir, ROUTES).read_text())
    # An empty dynamic block replaces the synthesized blocks (an empty list would leave them in place).
    assert written["resource"] == {
        "aws_cloudtrail": {
            "trail_A1": {
                "dynamic": {
                    "insight_selector": {
                        "for_each": [],
                        "content": {"insight_type": "${insight_selector.value}"},
                    }
                }
            }
        }
    }
    assert (
        json.loads((stack_dir / "cdk.tf.json").read_text())["resource"]["aws_cloudtrail"]["trail_A1"][
            "insight_selector"
        ]
        == insights
    )  # the synthesis (and so every AWS plan) keeps them
    monkeypatch.setattr(emulator_pair, "gap_for", lambda _key, _emulators=None: None)
    assert "resource" not in json.loads(write_override(stack_dir, ROUTES).read_text())


def test_the_gate_judges_a_plan_by_the_emulators_it_was_made_for() -> None:
    moto_alone = AwsTarget.emulator("us-east-1", "http://127.0.0.1:5000")
    pair = AwsTarget.emulator("us-east-1", "http://127.0.0.1:5000", {"sqs": "http://127.0.0.1:4566"})
    targets = {"moto alone": moto_alone, "pair": pair, "aws": AwsTarget(region="us-east-1")}
    assert {name: t.plan_target for name, t in targets.items()} == {
        "moto alone": "moto",
        "pair": "emulator",
        "aws": "aws",
    }
