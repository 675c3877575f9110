"""`cdktf synth` runs main.py with its own context; the app must still find its local modules."""

from __future__ import annotations

import json
import os

import pytest

import main
from pci_infra.app import synthesis
from pci_infra.hcl_modules.hcl_module import local_module_sources


def test_cdktf_json_runs_this_app_in_python() -> None:
    config = json.loads((main.PROJECT_ROOT / "cdktf.json").read_text())
    assert config["language"] == "python"
    assert config["app"] == "python3 main.py"
    assert config["terraformModules"] == [], (
        "listing local modules makes `cdktf synth` demand generated bindings"
    )


def test_context_from_the_cli_gets_the_local_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI passes cdktf.json's context plus an empty module list in CDKTF_CONTEXT_JSON.
    monkeypatch.setenv(
        "CDKTF_CONTEXT_JSON", json.dumps({"cdktfRelativeModules": [], "allowSepCharsInLogicalIds": "true"})
    )
    synthesis.prepare_jsii_environment()
    context = json.loads(os.environ["CDKTF_CONTEXT_JSON"])
    assert context["cdktfRelativeModules"] == local_module_sources()
    assert sorted(m.rsplit("/", 1)[-1] for m in context["cdktfRelativeModules"]) == [
        "alb",
        "aurora",
        "vpc",
        "waf",
    ]
    assert context["allowSepCharsInLogicalIds"] == "true"
