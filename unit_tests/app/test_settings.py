"""Settings come from flags, environment and context, and bad input names its field and rule."""

from __future__ import annotations

import pytest

from pci_infra.app.settings import BackendKind, Settings, SettingsError, Target
from pci_infra.app.settings_sources import parse_settings

EMU = ["--emulator-endpoint", "http://127.0.0.1:4599"]
CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def test_defaults_synthesize_a_dev_environment_on_the_emulator() -> None:
    settings = parse_settings([], environ={})
    assert settings.environment_suffix == "dev"
    assert settings.region == "us-east-1"
    assert settings.target is Target.EMULATOR
    assert settings.backend.kind is BackendKind.LOCAL


def test_suffix_is_read_from_environment_suffix_variable() -> None:
    assert parse_settings([], environ={"ENVIRONMENT_SUFFIX": "pr42"}).environment_suffix == "pr42"


def test_flag_beats_environment_beats_context() -> None:
    context = {"environmentSuffix": "ctx", "owner": "ctx-owner", "region": "eu-west-1"}
    environ = {"ENVIRONMENT_SUFFIX": "env", "INFRA_OWNER": "env-owner"}
    settings = parse_settings(["--environment-suffix", "flag"], environ=environ, context=context)
    assert (settings.environment_suffix, settings.owner, settings.region) == (
        "flag",
        "env-owner",
        "eu-west-1",
    )


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--environment-suffix", ""], r"environment_suffix: must not be empty"),
        (
            ["--environment-suffix", "Prod"],
            r"environment_suffix: lowercase letters, digits and inner hyphens",
        ),
        (["--environment-suffix", "pr_1"], r"environment_suffix: lowercase"),
        (["--environment-suffix=-pr1"], r"environment_suffix: lowercase"),
        (["--environment-suffix", "x" * 50], r"environment_suffix: .* name .* AWS allows"),
        (["--region", "us-east-9"], r"region: must be a known AWS region"),
        (["--target", "gcp"], r"target: one of \['emulator', 'aws'\]"),
        (["--alert-email", "oncall.example.org"], r"alert_email: must be an e-mail address"),
        (["--alert-email", "oncall@example"], r"alert_email: must be an e-mail address"),
        (["--target", "aws"], r"alert_email: required for target aws"),
        (["--run-id", "ABC123"], r"run_id: exactly 6 lowercase letters or digits"),
        (["--run-id", "abc12"], r"run_id: exactly 6"),
        (["--data-classification", "secret"], r"data_classification: one of"),
        (["--environment", "Production"], r"environment: 2-12 lowercase letters"),
        (["--emulator-endpoint", "127.0.0.1:5000"], r"emulator_endpoint: required for target emulator"),
        (["--emulators", "ministack"], r"emulators: one of \['pair', 'moto'\] \(got 'ministack'\)"),
        (["--backend", "s3"], r"backend.s3_bucket: required for the s3 backend"),
        (["--backend", "consul"], r"backend.kind: one of \['local', 's3'\]"),
        (["--stacks", "payment-platform,billing"], r"stacks: comma-separated subset"),
        (["--owner", "team;drop"], r"owner: 1-256 characters allowed in an AWS tag value"),
        (
            ["--target", "aws", "--alert-email", "a@example.org"],
            r"api_certificate_arn: required for target aws",
        ),
        (
            ["--api-certificate-arn", "arn:aws:iam::111122223333:server-certificate/x"],
            r"api_certificate_arn: an ACM",
        ),
        (["--geo-block-countries", "KP,ir"], r"geo_block_countries: ISO 3166-1 alpha-2 codes in upper case"),
        (["--deletion-protection", "maybe"], r"deletion_protection: true or false"),
        (
            ["--guardduty-detector", "not-a-detector"],
            r"guardduty_detector: 'lookup', 'create' or a 32-character detector id \(got 'not-a-detector'\)",
        ),
        (["--config-recorder", "bad name!"], r"config_recorder: 'lookup', 'create' or a recorder name"),
        (["--standby-endpoint", "Standby_Host"], r"standby_endpoint: a lower-case DNS host name"),
        (
            ["--target", "aws", "--alert-email", "a@example.org", "--api-certificate-arn", CERT],
            r"standby_endpoint: required for target aws",
        ),
        (["--database-secret-name", "bad name"], r"database_secret_name: a Secrets Manager secret name"),
        (
            ["--mfa-delete-device", "123456"],
            r"mfa_delete_device: '<MFA device ARN> <6-digit code>' \(got '<redacted>'\)",
        ),
        (
            ["--state-bucket", "Bad_Bucket", "--backend", "s3"],
            r"backend.s3_bucket: required for the s3 backend",
        ),
        (["--state-dir", ""], r"backend.state_dir: must be a directory path"),
    ],
)
def test_bad_input_names_the_field_and_the_rule(argv: list[str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        parse_settings(EMU + argv, environ={})


def test_run_id_counts_against_the_name_budget() -> None:
    # The tightest name is the API target group: "tg-api-{suffix}-{run id}" within 32 characters.
    longest_ok = "x" * (32 - len("tg-api-") - len("-abc123"))
    parse_settings(["--environment-suffix", longest_ok, "--run-id", "abc123"], environ={})
    with pytest.raises(SettingsError, match=r"Target group name 'tg-api-x+-abc123' is 33 characters"):
        parse_settings(["--environment-suffix", longest_ok + "x", "--run-id", "abc123"], environ={})


def test_settings_are_frozen() -> None:
    settings = Settings(environment_suffix="dev", emulator_endpoint="http://127.0.0.1:1")
    with pytest.raises(AttributeError):
        settings.environment_suffix = "prod"  # type: ignore[misc]


def test_main_exits_2_before_synth_on_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    from main import main

    assert main(["--environment-suffix", "UPPER"]) == 2
    assert "invalid settings: environment_suffix:" in capsys.readouterr().err


def test_every_settings_source_has_a_bad_input_row() -> None:
    from pci_infra.app.settings_sources import _SOURCES

    rows = test_bad_input_names_the_field_and_the_rule.pytestmark[0].args[1]  # type: ignore[attr-defined]
    flags_with_rows = {arg for argv, _ in rows for arg in argv if arg.startswith("--")}
    flags_with_rows |= {a.split("=")[0] for argv, _ in rows for a in argv if "=" in a}
    without = {flag for flag, _env, _ctx in _SOURCES.values()} - flags_with_rows
    # A run id and an emulator endpoint have rows; the suffix rows use the "=" form too.
    assert without == set(), f"settings without a bad-input row: {sorted(without)}"


@pytest.mark.parametrize(
    ("argv", "protected"),
    [
        ([], True),  # a lasting environment is protected unless asked otherwise
        (["--run-id", "ab12cd"], False),  # a throwaway run must be destroyable by its teardown
        (["--run-id", "ab12cd", "--deletion-protection", "true"], True),
        (["--deletion-protection", "false"], False),
    ],
)
def test_deletion_protection_is_on_unless_the_run_is_throwaway_or_it_is_turned_off(
    argv: list[str], protected: bool
) -> None:
    settings = parse_settings([*EMU, *argv], environ={})
    assert settings.deletion_protection is protected
