"""Runtime PCI DSS v4.0 scan (Prowler) of each deployed environment, before its teardown (nightly).

Each stack is its own run (run id, emulator), so one Prowler run per stack asks its target what is
really deployed (about 2 minutes on the emulator, ~0.5 GB); the test judges the findings on the
stack's resources (those in its Terraform state, and the run's resources its state does not hold)
against ``.ci/prowler/allow.toml``, records the result for the evidence report beside the stack's
checkov record, and fails on any failed check no entry explains or any entry that explains nothing.
``INFRA_RUNTIME_SCAN=1 bin/test -m nightly`` installs Prowler (``.venv-prowler``) and runs it;
``INFRA_RUNTIME_SCAN=0`` skips it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest

from harness.environment import EphemeralEnvironment
from harness.run import PaymentPlatformEnvironment, PciEnvironment
from harness.runtime_scan import (
    ALLOW_FILE,
    Scope,
    evaluate,
    load_allow,
    read_results,
    record_path,
    run_prowler,
    state_identifiers,
)

pytestmark = [pytest.mark.live, pytest.mark.nightly]

EVIDENCED = ("1", "3", "4", "7", "8", "10", "11")
"""The report's requirements the scan's checks evidence (Prowler maps checks to each of them)."""


def _state(env: EphemeralEnvironment[object]) -> frozenset[str]:
    """The identifiers (ARNs, ids, names) of the resources in ``env``'s Terraform state."""
    shown = env.terraform.run("show", "-json", "-no-color").stdout
    return state_identifiers(json.loads(shown or "{}"))


def _scan_and_judge(
    env: EphemeralEnvironment[object], record_property: Callable[[str, object], None]
) -> None:
    """Scan ``env``'s target, judge its share, record it (run summary, evidence report), assert on it."""
    if os.environ.get("INFRA_RUNTIME_SCAN") == "0":
        pytest.skip("INFRA_RUNTIME_SCAN=0: the runtime compliance scan is turned off")
    if env.torn_down:
        pytest.skip("the environment was torn down by an earlier test: select the scan with -m nightly")
    results = read_results(run_prowler(env.target, env.workdir / f"prowler-{env.stack_name}"))
    scope = Scope(env.run_id, env.stack_name, own=_state(env), others=frozenset())
    allow = load_allow(ALLOW_FILE, results.framework_checks)
    result = evaluate(results, scope, allow, target=env.target.kind)
    record_path(env.workdir, env.stack_name).write_text(json.dumps(result.to_json(), indent=2))
    record_property("prowler", result.summary())
    print("\n".join(result.report_lines()))
    assert result.passed, f"no passed check on a resource of {env.stack_name}: is the scope right?"
    assert result.ok, "\n".join(result.problems())


@pytest.mark.pci_dss(*EVIDENCED)
def test_the_deployed_payment_platform_passes_the_runtime_pci_scan(
    payment_platform: PaymentPlatformEnvironment, record_property: Callable[[str, object], None]
) -> None:
    # GIVEN the payment platform deployed, WHEN Prowler's PCI DSS v4.0 checks ask its target what is
    # there, THEN no check fails on its resources unless the allow-list explains why
    _scan_and_judge(payment_platform, record_property)


@pytest.mark.pci_dss(*EVIDENCED)
def test_the_deployed_pci_environment_passes_the_runtime_pci_scan(
    pci_environment: PciEnvironment, record_property: Callable[[str, object], None]
) -> None:
    # GIVEN the PCI environment deployed, WHEN Prowler's PCI DSS v4.0 checks ask its target what is
    # there, THEN no check fails on its resources unless the allow-list explains why
    _scan_and_judge(pci_environment, record_property)
