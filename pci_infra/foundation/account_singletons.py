"""Account singletons: one GuardDuty detector and one Config recorder per account and region.

Creating a second one fails, so before synthesis the settings' ``lookup`` is answered by asking the
target account (boto3, a few seconds at most): an existing detector or recorder is adopted, otherwise
one is created. Settings can answer explicitly (``create`` or an id/name), which keeps synthesis
offline, as the unit tests do. The GuardDuty data source cannot be used for this: it fails when no
detector exists (see the emulator notes), so it cannot answer "is there one?".
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from botocore.exceptions import EndpointConnectionError

from pci_infra.app.settings import CREATE, LOOKUP, Settings, SettingsError
from pci_infra.foundation.aws_clients import EMULATOR_CREDENTIALS, ClientFactory, client_factory


def default_client_factory(settings: Settings) -> ClientFactory:
    """boto3 clients for the settings' target: the emulator endpoint, or the usual credential chain."""
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"})
    if settings.is_emulator:
        return client_factory(settings.region, settings.emulator_endpoint, EMULATOR_CREDENTIALS, config)
    return client_factory(settings.region, config=config)


def existing_detector_id(client_for: ClientFactory) -> str | None:
    """The id of this account's GuardDuty detector in the client's region, if there is one."""
    ids: list[str] = client_for("guardduty").list_detectors().get("DetectorIds", [])
    return sorted(ids)[0] if ids else None


def existing_recorder_name(client_for: ClientFactory) -> str | None:
    """The name of this account's Config recorder in the client's region, if there is one."""
    recorders = client_for("config").describe_configuration_recorders().get("ConfigurationRecorders", [])
    return str(recorders[0]["name"]) if recorders else None


def resolve_singletons(
    settings: Settings,
    client_for: ClientFactory | None = None,
    *,
    report: Callable[[str], None] | None = None,
) -> Settings:
    """Settings with every ``lookup`` replaced by ``create`` or the existing id/name.

    Raises:
        SettingsError: The account could not be asked; the message names the setting that avoids asking.
    """
    say = report or (lambda line: print(line, file=sys.stderr))
    if LOOKUP not in (settings.guardduty_detector, settings.config_recorder):
        return settings
    factory = client_for or default_client_factory(settings)
    changes: dict[str, Any] = {}
    lookups: tuple[tuple[str, str, Callable[[ClientFactory], str | None], str], ...] = (
        ("guardduty_detector", "GuardDuty detector", existing_detector_id, "--guardduty-detector"),
        ("config_recorder", "Config recorder", existing_recorder_name, "--config-recorder"),
    )
    for field_name, what, lookup, flag in lookups:
        if getattr(settings, field_name) != LOOKUP:
            continue
        try:
            found = lookup(factory)
        except EndpointConnectionError as err:
            if not settings.is_emulator:
                raise SettingsError(
                    f"{field_name}: could not reach the aws account to ask whether a {what} exists "
                    f"({err}); set {flag} create or {flag} <existing> to decide offline"
                ) from err
            # Nothing listens at that endpoint, so the emulator that will starts empty.
            endpoint = settings.emulator_endpoint
            say(f"settings: {what}: no emulator at {endpoint} yet (it starts empty): creating one")
            changes[field_name] = CREATE
            continue
        except Exception as err:  # any other failure to ask is reported the same way
            raise SettingsError(
                f"{field_name}: could not ask the {settings.target.value} account whether a {what} exists "
                f"({type(err).__name__}: {err}); set {flag} create or {flag} <existing> to decide offline"
            ) from err
        changes[field_name] = found or CREATE
        say(
            f"settings: {what}: "
            + (f"adopting the existing one ({found})" if found else "none found, creating one")
        )
    return dataclasses.replace(settings, **changes)
