"""bin/demo refuses bad input before creating anything, and sums up every stack in one verdict line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import cli
from harness.demo import DemoOptions, StackOutcome, _verdict
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stacks", "payment-platform,nope"], "invalid settings: stacks: comma-separated subset of"),
        (["--target", "aws", "--stacks", "payment-platform"], "alert_email: required for target aws"),
    ],
)
def test_bad_input_is_refused_before_anything_is_created(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFRA_ALERT_EMAIL", raising=False)
    before = set((PROJECT_ROOT / ".work").glob("demo-*"))
    assert cli.main(["demo", *argv]) == 2
    printed = capsys.readouterr()
    assert message in printed.out and "Traceback" not in printed.out + printed.err
    assert set((PROJECT_ROOT / ".work").glob("demo-*")) == before


def test_an_unknown_target_is_refused_by_the_argument_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["demo", "--target", "nowhere"])
    assert exited.value.code == 2
    assert "invalid choice: 'nowhere'" in capsys.readouterr().err


def outcome(stack: StackKind, checks: list[tuple[str, bool]], error: str | None = None) -> StackOutcome:
    result = StackOutcome(stack, "ab12cd", Path("/tmp/demo-ab12cd"), checks=checks, resources=238)
    result.pan_line = f"PAN scan {stack}: 26 stores read, 0 PANs"
    result.error = error
    return result


OPTIONS = DemoOptions(stacks=tuple(StackKind), target="emulator", suffix="demo", region="us-east-1")


def test_the_verdict_passes_only_when_every_stack_held(capsys: pytest.CaptureFixture[str]) -> None:
    said: list[str] = []
    good = [
        outcome(StackKind.PAYMENT_PLATFORM, [("smoke checks", True)]),
        outcome(StackKind.PCI_DATA_PROCESSING, [("reachability: 69 paths, no bypass of the firewall", True)]),
    ]
    assert _verdict(good, OPTIONS, said.append) == 0
    assert said[-1] == "demo PASSED: 2 stack(s) deployed, checked and destroyed, orphan sweep clean"
    assert said[0] == (
        "demo: payment-platform (run ab12cd): 238 resources, 1/1 checks, "
        "PAN scan payment-platform: 26 stores read, 0 PANs"
    )


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (outcome(StackKind.PCI_DATA_PROCESSING, [("reachability", False)]), "failed: reachability"),
        (
            outcome(StackKind.PCI_DATA_PROCESSING, [], "ClearPanAtRestError: 1 PAN"),
            "FAILED: ClearPanAtRestError",
        ),
        (outcome(StackKind.PCI_DATA_PROCESSING, []), "0/0 checks"),  # nothing checked is no pass
    ],
)
def test_one_failing_stack_fails_the_demo_and_is_named(bad: StackOutcome, named: str) -> None:
    said: list[str] = []
    assert (
        _verdict([outcome(StackKind.PAYMENT_PLATFORM, [("smoke checks", True)]), bad], OPTIONS, said.append)
        == 1
    )
    assert said[-1].startswith("demo FAILED: pci-data-processing (run ab12cd)")
    assert named in said[-1] and "payment-platform" not in said[-1]
