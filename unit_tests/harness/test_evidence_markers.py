"""The evidence report maps each requirement to exactly the tests marked ``@pytest.mark.pci_dss`` with it.

The project's ``conftest.py`` checks every marker at collection (an unknown requirement is a collection
error naming the test) and writes its numbers into the JUnit XML, which the report reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.evidence import REQUIREMENTS, collect, marker_problem, read_junit
from pci_infra.app.paths import PROJECT_ROOT

MARKED_TESTS = """
import pytest


@pytest.mark.pci_dss("11")
class TestGrouped:
    @pytest.mark.pci_dss("3")
    def test_named_for_nothing_in_particular(self):
        pass


@pytest.mark.pci_dss("10", "3")
def test_skipped_with_a_reason():
    pytest.skip("emulator gap: not here")


def test_the_data_key_rotates_but_is_not_marked():
    pass
"""


def run_pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on one test file with this project's conftest and settings (markers, --strict-markers)."""
    test_file = tmp_path / "test_marked.py"
    test_file.write_text(textwrap.dedent(source))
    command = [sys.executable, "-m", "pytest", "-c", str(PROJECT_ROOT / "pyproject.toml")]
    command += ["--rootdir", str(tmp_path), "-p", "conftest", "-p", "no:cacheprovider", "-p", "no:xdist"]
    return subprocess.run(
        [*command, *args, str(test_file)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_marker_problems_name_the_test_and_the_number() -> None:
    assert marker_problem("t.py::test_x", ("3", "10")) is None
    unknown = marker_problem("t.py::test_x", ("3", "10.2.1", "12"))
    assert unknown is not None
    assert unknown.startswith("t.py::test_x: @pytest.mark.pci_dss('3', '10.2.1', '12') unknown requirement")
    assert "'10.2.1', '12'; PCI DSS requirements here: 1, 3, 4, 7, 8, 10, 11" in unknown
    assert marker_problem("t.py::test_x", (10,)) is not None  # numbers are strings, as in the table
    assert "names no requirement" in (marker_problem("t.py::test_x", ()) or "")


def test_an_unknown_requirement_fails_collection(tmp_path: Path) -> None:
    result = run_pytest(
        tmp_path,
        """
        import pytest

        @pytest.mark.pci_dss("3", "12")
        def test_claims_requirement_12():
            pass

        def test_unmarked():
            pass
        """,
    )
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.INTERRUPTED, output  # a collection error
    assert "ERROR collecting test_marked.py" in output
    assert "test_marked.py::test_claims_requirement_12: @pytest.mark.pci_dss('3', '12')" in output
    assert "unknown requirement '12'" in output
    assert "passed" not in output  # nothing ran


def test_the_report_maps_a_requirement_to_exactly_the_marked_tests(tmp_path: Path) -> None:
    junit = tmp_path / "results.xml"
    result = run_pytest(tmp_path, MARKED_TESTS, f"--junitxml={junit}")
    assert result.returncode == 0, result.stdout + result.stderr
    results, _ = read_junit(junit)
    evidence = {item.requirement.number: item for item in collect(tmp_path / "no-synthesis", results)}
    assert set(evidence) == {r.number for r in REQUIREMENTS}
    marked = "test_marked.TestGrouped::test_named_for_nothing_in_particular"
    skipped = "test_marked::test_skipped_with_a_reason"
    assert evidence["3"].passed == [marked]  # not the unmarked test with "key" in its name
    assert [s["test"] for s in evidence["3"].skipped] == [skipped]
    assert evidence["3"].skipped[0]["reason"].endswith("emulator gap: not here")
    assert evidence["10"].passed == [] and [s["test"] for s in evidence["10"].skipped] == [skipped]
    assert evidence["11"].passed == [marked]  # the class's marker adds to the test's own
    assert evidence["11"].skipped == []
    assert all(
        not (e.passed or e.skipped or e.failed) for n, e in evidence.items() if n in ("1", "4", "7", "8")
    )
