"""Two environments of the same stack at once: no name or state collision, both torn down clean.

Two copies of the PCI stack, each with its own run id and database secret, are deployed and
destroyed by two harness processes running at the same time, as two nightly runs (or two engineers)
sharing an account would. Their names must not meet anywhere (checked on the synthesized stacks),
nor their state files. They share one emulator unless the capability list says the emulator cannot
hold two copies (two CloudTrail trails break its DescribeTrails); then each gets its own, said loudly.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from harness.emulator_pair import LocalEmulators, local_emulators
from harness.run_id import new_run_id
from integration_tests.pci_copies import STACK, assert_cleaned, start_cycle, synthesize_copy
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.foundation.capabilities import gap_for
from pci_infra.foundation.service_routing import Emulator

pytestmark = [pytest.mark.live, pytest.mark.behaviour]


TWO_TRAILS_GAP = "behaviour:cloudtrail_describe_filter"


@pytest.fixture(scope="module")
def emulators(request: pytest.FixtureRequest) -> Iterator[tuple[LocalEmulators, LocalEmulators]]:
    """The emulators of the two copies: shared, or their own each while the trail gap stands."""
    if request.config.getoption("--target") != "emulator":
        pytest.skip("runs two throwaway copies on the embedded emulator; on AWS run the suite twice instead")
    workdir = PROJECT_ROOT / ".work" / f"parallel-{new_run_id()}"
    gap = gap_for(TWO_TRAILS_GAP)
    with ExitStack() as stack:
        first = stack.enter_context(local_emulators(workdir / "first", os.environ))
        if gap is None:
            yield first, first
            return
        warnings.warn(f"own emulators per copy: {gap.describe()}", stacklevel=1)
        yield first, stack.enter_context(local_emulators(workdir / "second", os.environ))


def apply_window(log: Path) -> tuple[float, float]:
    """Start and end (seconds of the day) of the apply in a harness Terraform log."""
    stamps = re.findall(r"^# (\d\d):(\d\d):(\d\d) \$ terraform (\w+)", log.read_text(), flags=re.MULTILINE)
    seconds = [(int(h) * 3600 + int(m) * 60 + int(s), verb) for h, m, s, verb in stamps]
    start = next(t for t, verb in seconds if verb == "apply")
    end = next(t for t, verb in seconds if t >= start and verb == "state")
    return float(start), float(end)


def test_same_stack_twice_at_once_without_collision(emulators: tuple[LocalEmulators, LocalEmulators]) -> None:
    workdir = emulators[0].servers[Emulator.MOTO].log_path.parent.parent  # .work/parallel-<id>
    copies = [synthesize_copy(pair, workdir, "pe", own_secret=True) for pair in emulators]
    first, second = copies
    assert first.run_id != second.run_id
    assert first.state_file != second.state_file
    assert not first.names() & second.names(), sorted(first.names() & second.names())[:10]

    started = time.monotonic()
    children = [start_cycle(copy, "cycle") for copy in copies]
    outputs = [child.communicate(timeout=1800)[0] for child, _ in children]
    elapsed = time.monotonic() - started
    for (child, _), output in zip(children, outputs, strict=True):
        assert child.returncode == 0, output[-3000:]
    windows = [apply_window(cycle_dir / f"{STACK}.terraform.log") for _, cycle_dir in children]
    assert max(w[0] for w in windows) < min(w[1] for w in windows), f"applies did not overlap: {windows}"
    for copy, output in zip(copies, outputs, strict=True):
        assert_cleaned(copy, output)
    (workdir / "parallel.json").write_text(json.dumps({"wall_seconds": elapsed, "apply_windows": windows}))
