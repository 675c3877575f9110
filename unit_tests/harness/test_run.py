"""One harness run: settings built once (environment, then the run's own choices), typed outputs."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from harness import cli, environment
from harness.aws_target import AwsTarget
from harness.run import HarnessRun, parse_stacks
from harness.sweep import SingletonsBefore
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import SettingsError, Target
from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.stacks.outputs import OutputsError, PciDataProcessingOutputs, StackOutputs

ENDPOINT = "http://127.0.0.1:4599"
AWS_INPUTS = {
    "INFRA_ALERT_EMAIL": "oncall@example.org",
    "INFRA_API_CERTIFICATE_ARN": "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f",
    "INFRA_STANDBY_ENDPOINT": "api.dr.example.org",
}


def test_settings_come_from_the_environment_except_what_the_run_decides(tmp_path: Path) -> None:
    environ = {
        "INFRA_OWNER": "payments-team",  # not decided by the run: read
        "INFRA_TARGET": "aws",  # decided by the run (a flag overrode it before): never read
        "ENVIRONMENT_SUFFIX": "Not Valid",
        "INFRA_STACKS": "nope",
        "EMULATOR_ENDPOINT": "http://elsewhere:1",
    }
    run = HarnessRun.start(
        suffix="it",
        run_id="ab12cd",
        workdir=tmp_path / "it-ab12cd",
        endpoint=ENDPOINT,
        environ=environ,
        stacks=(StackKind.PCI_DATA_PROCESSING,),
    )
    settings = run.settings
    assert (settings.owner, settings.environment_suffix, settings.run_id) == ("payments-team", "it", "ab12cd")
    assert (settings.target, settings.emulator_endpoint) == (Target.EMULATOR, ENDPOINT)
    assert settings.backend.state_dir == str(tmp_path / "it-ab12cd" / "state")
    assert run.stacks == (StackKind.PCI_DATA_PROCESSING,)
    assert run.run_id == "ab12cd" and run.workdir.is_dir()
    assert run.target == AwsTarget.emulator("us-east-1", ENDPOINT)
    stack_dir = run.stack_dir(StackKind.PCI_DATA_PROCESSING)
    assert stack_dir.relative_to(tmp_path).as_posix() == "it-ab12cd/cdktf.out/stacks/pci-data-processing"
    # A child main.py given the run's flags, in the same environment, synthesizes the same settings.
    assert parse_settings(run.main_py_flags(), environ) == settings


def test_an_aws_run_takes_its_required_inputs_from_the_environment_or_the_caller(tmp_path: Path) -> None:
    def aws_run(environ: dict[str, str], alert_email: str | None = None) -> HarnessRun:
        return HarnessRun.start(
            suffix="demo",
            run_id="ab12cd",
            workdir=tmp_path,
            endpoint=None,
            environ=environ,
            region="eu-west-1",
            alert_email=alert_email,
        )

    run = aws_run({**AWS_INPUTS, "EMULATOR_ENDPOINT": ENDPOINT})
    assert (run.settings.target, run.settings.emulator_endpoint) == (Target.AWS, None)
    assert run.target == AwsTarget(region="eu-west-1")
    assert run.stacks == tuple(StackKind)  # neither chosen nor in INFRA_STACKS: both
    assert run.settings.alert_email == "oncall@example.org"
    assert aws_run(AWS_INPUTS, alert_email="team@example.org").settings.alert_email == "team@example.org"
    without_email = {k: v for k, v in AWS_INPUTS.items() if k != "INFRA_ALERT_EMAIL"}
    with pytest.raises(SettingsError, match=r"alert_email: required for target aws"):
        aws_run(without_email)


def test_stacks_are_parsed_in_order_and_a_bad_name_is_refused() -> None:
    assert parse_stacks("pci-data-processing, payment-platform,pci-data-processing") == [
        StackKind.PCI_DATA_PROCESSING,
        StackKind.PAYMENT_PLATFORM,
    ]
    with pytest.raises(SettingsError, match=r"stacks: comma-separated subset of \['payment-platform'"):
        parse_stacks("payment-platform,nope")


def test_upgrade_check_refuses_an_unknown_stack_before_anything_is_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = set((PROJECT_ROOT / ".work").glob("upgrade-*"))
    assert cli.main(["upgrade-check", "--from", "HEAD", "--stacks", "payment-platform,nope"]) == 2
    assert "invalid settings: stacks: comma-separated subset of" in capsys.readouterr().out
    assert set((PROJECT_ROOT / ".work").glob("upgrade-*")) == before


def terraform_outputs(outputs_type: type[StackOutputs], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """What ``terraform output -json`` prints for a deployment of a stack with ``outputs_type``."""
    hints = get_type_hints(outputs_type)
    printed = {}
    for item in dataclasses.fields(outputs_type):
        if item.name in leave_out:
            continue
        value: Any = {"a": f"{item.name}-a"} if "dict" in str(hints[item.name]) else f"{item.name}-value"
        printed[item.name] = {"sensitive": False, "type": "string", "value": value}
    return printed


def deployable(tmp_path: Path, printed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> HarnessRun:
    """A PCI run whose ``terraform`` is a stand-in that applies nothing and prints ``printed``."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (tmp_path / "outputs.json").write_text(json.dumps(printed))
    exe = bindir / "terraform"
    exe.write_text(f'#!/usr/bin/env bash\nif [ "$1" = output ]; then cat {tmp_path}/outputs.json; fi\n')
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    # Nothing answers at ENDPOINT: the account singletons are as good as empty before this deploy.
    monkeypatch.setattr(
        environment,
        "snapshot_singletons",
        lambda _target: SingletonsBefore(frozenset(), frozenset(), frozenset()),
    )
    run = HarnessRun.start(
        suffix="ut", run_id="ab12cd", workdir=tmp_path / "run", endpoint=ENDPOINT, environ={}
    )
    run.stack_dir(StackKind.PCI_DATA_PROCESSING).mkdir(parents=True)
    return run


def test_an_environment_parses_its_outputs_into_the_stacks_class_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = terraform_outputs(PciDataProcessingOutputs, leave_out=("firewall_arn",))
    run = deployable(tmp_path, printed, monkeypatch)
    env = run.environment(  # a stand-in terraform plans nothing for the gate to scan
        StackKind.PCI_DATA_PROCESSING, progress=lambda _m: None, environ={}, before_apply=None
    )
    assert (env.stack_name, env.run_id, env.target) == (StackKind.PCI_DATA_PROCESSING, "ab12cd", run.target)
    with pytest.raises(RuntimeError, match="no outputs yet"):
        _ = env.outputs
    outputs = env.deploy()
    assert isinstance(outputs, PciDataProcessingOutputs) and env.outputs is outputs
    assert outputs.trail_name == "trail_name-value"
    assert outputs.bucket_names == {"a": "bucket_names-a"}
    assert outputs.firewall_arn is None  # the emulator has no firewall
    assert env.raw_outputs == {name: item["value"] for name, item in printed.items()}  # as printed


def test_outputs_the_stack_does_not_have_fail_where_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = terraform_outputs(PciDataProcessingOutputs, leave_out=("vpc_id",))
    printed["renamed_output"] = {"sensitive": False, "type": "string", "value": "x"}
    env = deployable(tmp_path, printed, monkeypatch).environment(
        StackKind.PCI_DATA_PROCESSING, progress=lambda _m: None, environ={}, before_apply=None
    )
    with pytest.raises(
        OutputsError, match=r"missing output\(s\) 'vpc_id'.*unknown output\(s\) 'renamed_output'"
    ):
        env.deploy()


@pytest.mark.parametrize(
    ("environ", "protected"), [({}, False), ({"INFRA_DELETION_PROTECTION": "true"}, True)]
)
def test_a_throwaway_run_is_unprotected_unless_asked(
    tmp_path: Path, environ: dict[str, str], protected: bool
) -> None:
    run = HarnessRun.start(suffix="ut", run_id="ab12cd", workdir=tmp_path, endpoint=ENDPOINT, environ=environ)
    assert run.settings.deletion_protection is protected
