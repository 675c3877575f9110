"""Long-lived environments can keep state in S3 with native locking instead of local files."""

from __future__ import annotations

from pathlib import Path

from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.synthesis import synthesize
from unit_tests.conftest import CERT_ARN
from unit_tests.synth_json import StackJson


def test_s3_backend_uses_native_lockfile_and_encryption(tmp_path: Path, synthesized: object) -> None:
    # `synthesized` first: the provider bindings are imported once per session by that fixture.
    settings = parse_settings(
        [
            "--environment-suffix",
            "prod",
            "--target",
            "aws",
            "--alert-email",
            "oncall@example.org",
            "--api-certificate-arn",
            CERT_ARN,
            "--standby-endpoint",
            "api.dr.example.org",
            "--guardduty-detector",
            "create",
            "--config-recorder",
            "create",
            "--backend",
            "s3",
            "--state-bucket",
            "acme-terraform-state",
        ],
        environ={},
    )
    doc = StackJson.load(synthesize(settings, tmp_path), "payment-platform").doc
    s3 = doc["terraform"]["backend"]["s3"]
    assert s3["bucket"] == "acme-terraform-state"
    assert s3["key"] == "pci-payment-infra/prod/payment-platform.tfstate"
    assert s3["use_lockfile"] is True
    assert s3["encrypt"] is True
    assert "dynamodb_table" not in s3
    assert "local" not in doc["terraform"]["backend"]
