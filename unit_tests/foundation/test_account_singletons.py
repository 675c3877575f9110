"""Adopting the account's GuardDuty detector and Config recorder (boto3 against an in-process emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pci_infra.app.settings import CREATE, LOOKUP, Settings, SettingsError, Target
from pci_infra.foundation.account_singletons import resolve_singletons


@pytest.fixture
def account() -> Iterator[Any]:
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment_suffix": "t",
        "target": Target.EMULATOR,
        "emulator_endpoint": "http://127.0.0.1:1",
    } | overrides
    return Settings(**values)


def test_an_empty_account_gets_both_created(account: Any) -> None:
    lines: list[str] = []
    resolved = resolve_singletons(settings(), account, report=lines.append)
    assert (resolved.guardduty_detector, resolved.config_recorder) == (CREATE, CREATE)
    assert len(lines) == 2 and all("creating one" in line for line in lines)


def test_existing_detector_and_recorder_are_adopted(account: Any) -> None:
    detector = account("guardduty").create_detector(Enable=True)["DetectorId"]
    account("config").put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config"}
    )
    resolved = resolve_singletons(settings(), account, report=lambda _: None)
    assert resolved.guardduty_detector == detector
    assert resolved.config_recorder == "default"


def test_explicit_answers_ask_nothing() -> None:
    def unreachable(service: str) -> Any:
        raise AssertionError(f"asked {service}")

    explicit = settings(guardduty_detector=CREATE, config_recorder="default")
    assert resolve_singletons(explicit, unreachable) is explicit


def test_an_unreachable_account_names_the_setting_that_avoids_asking() -> None:
    def broken(service: str) -> Any:
        raise ConnectionError("connection refused")

    with pytest.raises(
        SettingsError, match=r"guardduty_detector: could not ask .* set --guardduty-detector create"
    ):
        resolve_singletons(settings(guardduty_detector=LOOKUP), broken, report=lambda _: None)


def test_an_emulator_that_is_not_running_starts_empty() -> None:
    from pci_infra.foundation.account_singletons import default_client_factory

    lines: list[str] = []
    offline = settings(emulator_endpoint="http://127.0.0.1:9")
    resolved = resolve_singletons(offline, default_client_factory(offline), report=lines.append)
    assert (resolved.guardduty_detector, resolved.config_recorder) == (CREATE, CREATE)
    assert "no emulator at http://127.0.0.1:9 yet" in lines[0]


def test_bad_explicit_answers_are_refused_before_anything_is_asked() -> None:
    with pytest.raises(
        SettingsError, match="guardduty_detector: 'lookup', 'create' or a 32-character detector id"
    ):
        settings(guardduty_detector="not-an-id")
    with pytest.raises(SettingsError, match="standby_endpoint: required for target aws"):
        Settings(
            environment_suffix="t",
            target=Target.AWS,
            alert_email="a@example.org",
            api_certificate_arn="arn:aws:acm:us-east-1:111122223333:certificate/abc",
        )
