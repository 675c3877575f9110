"""Project-wide pytest wiring: ``--target``, emulator-gap skips, evidence markers, the live-check summary."""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from harness.evidence import MARKER, marker_problem
from pci_infra.foundation.capabilities import EMULATOR_GAPS, gap_for


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--target`` (default from ``INFRA_TARGET``, else the emulator)."""
    parser.addoption(
        "--target",
        choices=("emulator", "aws"),
        default=os.environ.get("INFRA_TARGET", "emulator"),
        help="where live tests deploy: the embedded moto server (default) or a real AWS account",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``emulator_gap`` marker."""
    config.addinivalue_line(  # pytest-xdist's own; declared here too for runs without it (-p no:xdist)
        "markers", "xdist_group(name): tests of one group run on one worker"
    )
    config.addinivalue_line(
        "markers",
        "emulator_gap(key): live check of a resource or behaviour the emulator cannot host; "
        "skipped on the emulator with the reason from the capability list",
    )


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> Any:
    """Check each test's ``pci_dss`` markers against the evidence report's requirements; record them.

    A number that is not a requirement of ``harness/evidence.py`` is a collection error of the test's
    file, naming the test and the number. The numbers of each test become ``pci_dss`` properties of
    its JUnit XML record, which the evidence report reads.
    """
    made = yield
    for item in made if isinstance(made, list) else [made]:
        if not isinstance(item, pytest.Item):
            continue
        markers = list(item.iter_markers(MARKER))
        problems = [marker_problem(item.nodeid, marker.args) for marker in markers]
        if any(problems):
            raise collector.CollectError("\n".join(problem for problem in problems if problem))
        numbers = dict.fromkeys(str(number) for marker in markers for number in marker.args)
        item.user_properties += [(MARKER, number) for number in numbers]
    return made


SHARED_WORKER_MARK = "pytest.mark.xdist_group(BINDINGS_GROUP)"
"""Test files carrying this mark import the provider bindings; one worker takes them all."""
STACK_GROUP_MARK = re.compile(r'pytest\.mark\.xdist_group\("([a-z0-9-]+)"\)')
"""Live files of one stack carry ``pytest.mark.xdist_group("<stack>")``: one worker, one deployment."""


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent with -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile``, except that the files marked with the bindings group share one worker.

    Each file is one unit of work (a live file's session environment stays on one worker); the unit
    files whose tests import the provider bindings (~11 s and ~0.5 GB per process) form a single
    unit, so only one worker pays for them. The controller sees node ids only, so it reads the mark
    from each file's text.
    """
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedBindingsScheduling(LoadFileScheduling):  # type: ignore[misc]  # untyped base
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid.split("::", 1)[0])

    return SharedBindingsScheduling(config, log)


@cache
def _work_unit(path: str) -> str:
    """The scheduler's unit of a test file: its path, or the group its text names."""
    file = Path(path)
    if file.suffix != ".py" or not file.is_file():
        return path
    text = file.read_text()
    if SHARED_WORKER_MARK in text:
        return "provider-bindings"
    group = STACK_GROUP_MARK.search(text)
    return f"stack:{group.group(1)}" if group else path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A stack's teardown test runs after every other test of the session that may use the stack.

    A stack's live checks can sit in several files of one group (one worker); the teardown test
    destroys the shared deployment, so it is moved behind them (stable order otherwise).
    """
    items.sort(key=lambda item: item.name.startswith(TEARDOWN_PREFIX))


TEARDOWN_PREFIX = "test_teardown_"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip an ``emulator_gap`` check on the emulator with the capability list's reason, where it holds.

    A behaviour gap holds only on the emulators it was measured on: with the pair, a check of a
    behaviour MiniStack executes runs live (``pci_infra/foundation/capabilities.py``).
    """
    for marker in item.iter_markers("emulator_gap"):
        key = marker.args[0]
        if key not in EMULATOR_GAPS:
            raise pytest.UsageError(f"{item.nodeid}: emulator_gap({key!r}) is not in the capability list")
        gap = gap_for(key)
        if gap is not None and item.config.getoption("--target") == "emulator":
            pytest.skip(gap.describe())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print how many live checks ran and how many were skipped, by reason."""
    ran: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    tolerated: list[str] = []
    gates: list[str] = []
    pan_scans: list[str] = []
    retries: list[str] = []
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if "live" not in getattr(report, "keywords", {}):
                continue
            properties = getattr(report, "user_properties", [])
            tolerated += [value for key, value in properties if key == "emulator_drift"]
            gates += [value for key, value in properties if key == "checkov" and report.when == "call"]
            pan_scans += [
                value
                for key, value in properties
                if key in ("pan_scan", "reachability", "prowler", "resent_calls") and report.when == "call"
            ]
            retries += [value for key, value in properties if key == "retry" and report.when == "call"]
            if report.when == "call" and outcome in ("passed", "failed"):
                ran[outcome] += 1
                ran["behaviour" if "behaviour" in report.keywords else "readback"] += 1
            elif report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
                skipped[reason.removeprefix("Skipped: ")] += 1
    if not ran and not skipped:
        return
    target = config.getoption("--target")
    terminalreporter.section(f"live checks on {target}")
    terminalreporter.write_line(
        f"{ran['passed'] + ran['failed']} ran live ({ran['passed']} passed, {ran['failed']} failed): "
        f"{ran['behaviour']} observed behaviour, {ran['readback']} read configuration back; "
        f"{sum(skipped.values())} skipped"
    )
    for reason, count in sorted(skipped.items()):
        terminalreporter.write_line(f"  skipped x{count}: {reason}")
    for line in sorted(gates):
        terminalreporter.write_line(f"  checkov gate before apply: {line}")
    for line in sorted(pan_scans):
        terminalreporter.write_line(f"  {line}")
    for line in retries:
        terminalreporter.write_line(f"  retried: {line}")
    for line in tolerated:
        terminalreporter.write_line(f"  tolerated emulator drift: {line}")
