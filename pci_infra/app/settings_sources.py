"""Settings from their sources: CLI flags, environment variables, cdktf context, defaults (in that order).

The only place that reads flags and the environment; everything below receives one validated
:class:`Settings`. Bad input fails here, with the field and the rule, before the provider bindings
are even imported.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import (
    LOOKUP,
    BackendKind,
    BackendSettings,
    FeatureSwitches,
    Settings,
    SettingsError,
    Target,
)
from pci_infra.foundation.service_routing import EMULATORS_VARIABLE, MOTO_ALONE, emulators_wanted

STACK_CHOICES = ("payment-platform", "pci-data-processing")

# field -> (CLI flag, environment variable, cdktf context key)
_SOURCES: dict[str, tuple[str, str, str]] = {
    "environment_suffix": ("--environment-suffix", "ENVIRONMENT_SUFFIX", "environmentSuffix"),
    "environment": ("--environment", "INFRA_ENVIRONMENT", "environment"),
    "region": ("--region", "INFRA_REGION", "region"),
    "target": ("--target", "INFRA_TARGET", "target"),
    "owner": ("--owner", "INFRA_OWNER", "owner"),
    "data_classification": ("--data-classification", "INFRA_DATA_CLASSIFICATION", "dataClassification"),
    "alert_email": ("--alert-email", "INFRA_ALERT_EMAIL", "alertEmail"),
    "run_id": ("--run-id", "INFRA_RUN_ID", "runId"),
    "emulator_endpoint": ("--emulator-endpoint", "EMULATOR_ENDPOINT", "emulatorEndpoint"),
    "emulators": ("--emulators", EMULATORS_VARIABLE, "emulators"),
    "stacks": ("--stacks", "INFRA_STACKS", "stacks"),
    "backend": ("--backend", "INFRA_BACKEND", "backend"),
    "state_dir": ("--state-dir", "INFRA_STATE_DIR", "stateDir"),
    "state_bucket": ("--state-bucket", "INFRA_STATE_BUCKET", "stateBucket"),
    "deletion_protection": ("--deletion-protection", "INFRA_DELETION_PROTECTION", "deletionProtection"),
    "api_certificate_arn": ("--api-certificate-arn", "INFRA_API_CERTIFICATE_ARN", "apiCertificateArn"),
    "geo_block_countries": ("--geo-block-countries", "INFRA_GEO_BLOCK_COUNTRIES", "geoBlockCountries"),
    "guardduty_detector": ("--guardduty-detector", "INFRA_GUARDDUTY_DETECTOR", "guarddutyDetector"),
    "config_recorder": ("--config-recorder", "INFRA_CONFIG_RECORDER", "configRecorder"),
    "standby_endpoint": ("--standby-endpoint", "INFRA_STANDBY_ENDPOINT", "standbyEndpoint"),
    "database_secret_name": ("--database-secret-name", "INFRA_DATABASE_SECRET_NAME", "databaseSecretName"),
    "mfa_delete_device": ("--mfa-delete-device", "INFRA_MFA_DELETE_DEVICE", "mfaDeleteDevice"),
}
DEFAULT_EMULATOR_ENDPOINT = "http://127.0.0.1:5000"


def _parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for field_name, (flag, env, ctx) in _SOURCES.items():
        parser.add_argument(flag, dest=field_name, help=f"env {env}, context {ctx}")
    parser.add_argument(
        "--outdir", default=(environ or {}).get("CDKTF_OUTDIR", "cdktf.out"), help="synth output dir"
    )
    return parser


def outdir_of(argv: Sequence[str], environ: Mapping[str, str]) -> Path:
    """The synthesis output directory: ``--outdir``, else ``CDKTF_OUTDIR``, else ``cdktf.out``."""
    args, _ = _parser(environ).parse_known_args(list(argv))
    return Path(args.outdir)


def parse_settings(
    argv: Sequence[str], environ: Mapping[str, str], context: Mapping[str, Any] | None = None
) -> Settings:
    """Build the validated :class:`Settings` from CLI flags, environment and cdktf context.

    Raises:
        SettingsError: A value breaks its field's rule; the message names field and rule.
    """
    args, _ = _parser().parse_known_args(list(argv))
    context = context or {}

    def pick(field_name: str, default: str | None = None) -> str | None:
        _flag, env, ctx = _SOURCES[field_name]
        for value in (getattr(args, field_name), environ.get(env), context.get(ctx)):
            if value is not None:
                return str(value)
        return default

    target_raw = pick("target", Target.EMULATOR.value) or ""
    try:
        target = Target(target_raw)
    except ValueError:
        raise SettingsError(f"target: one of {[t.value for t in Target]} (got {target_raw!r})") from None
    stacks = {s.strip() for s in (pick("stacks", ",".join(STACK_CHOICES)) or "").split(",") if s.strip()}
    if not stacks or not stacks <= set(STACK_CHOICES):
        raise SettingsError(
            f"stacks: comma-separated subset of {list(STACK_CHOICES)} (got {sorted(stacks)!r})"
        )
    # Protected unless asked otherwise, except a throwaway run (one with a run id), which must be
    # destroyable by its own teardown.
    protection_default = "false" if pick("run_id") else "true"
    protection_raw = (pick("deletion_protection", protection_default) or "").lower()
    if protection_raw not in ("true", "false"):
        raise SettingsError(f"deletion_protection: true or false (got {protection_raw!r})")
    countries = tuple(c.strip() for c in (pick("geo_block_countries", "") or "").split(",") if c.strip())
    backend_raw = pick("backend", BackendKind.LOCAL.value) or ""
    try:
        backend_kind = BackendKind(backend_raw)
    except ValueError:
        raise SettingsError(
            f"backend.kind: one of {[k.value for k in BackendKind]} (got {backend_raw!r})"
        ) from None

    # A synthesis of its own points every endpoint at one emulator: moto alone unless told otherwise
    # (the harness decides it for its runs, and writes the pair's endpoint override itself).
    try:
        emulators = emulators_wanted({EMULATORS_VARIABLE: pick("emulators") or MOTO_ALONE})
    except ValueError as err:
        raise SettingsError(f"emulators{str(err).removeprefix(EMULATORS_VARIABLE)}") from None

    return Settings(
        environment_suffix=pick("environment_suffix", "dev") or "",
        environment=pick("environment", "dev") or "",
        region=pick("region", "us-east-1") or "",
        target=target,
        owner=pick("owner", "platform-engineering") or "",
        data_classification=pick("data_classification", "confidential") or "",
        alert_email=pick("alert_email"),
        run_id=pick("run_id"),
        emulator_endpoint=pick("emulator_endpoint", DEFAULT_EMULATOR_ENDPOINT)
        if target is Target.EMULATOR
        else None,
        emulators=emulators,
        deletion_protection=protection_raw == "true",
        api_certificate_arn=pick("api_certificate_arn"),
        geo_block_countries=countries,
        guardduty_detector=pick("guardduty_detector", LOOKUP) or "",
        config_recorder=pick("config_recorder", LOOKUP) or "",
        standby_endpoint=pick("standby_endpoint"),
        database_secret_name=pick("database_secret_name"),
        mfa_delete_device=pick("mfa_delete_device"),
        features=FeatureSwitches(
            payment_platform="payment-platform" in stacks, pci_data_processing="pci-data-processing" in stacks
        ),
        backend=BackendSettings(
            kind=backend_kind,
            state_dir=pick("state_dir", str(PROJECT_ROOT / ".state")) or "",
            s3_bucket=pick("state_bucket"),
        ),
    )
