"""The nightly command from a fresh clone, timed by section, with each stage's share.

Clones the repository's committed ``HEAD`` into a temporary directory and runs ``bash .ci/run`` there
(set-up included: the virtualenvs, checkov, the npm installs), timestamping every line it prints.
The sections are ``bin/test``'s own ``== ...`` headers (set-up is everything before the first);
inside the test section, worker time is split by test file from the JUnit XML (a session fixture's
deploy counts towards the first test that needs it) and by harness stage from each live run's
``progress.log`` (plan, gate, apply, PAN scan, destroy, sweep).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

STAGE_LINE = re.compile(r"\] (?P<stage>[a-zA-Z][\w :/-]*?) done in (?P<seconds>[\d.]+)s")
HEADER = "== "


@dataclass
class NightlyFigures:
    """What one fresh-clone run of the nightly command took."""

    exit_code: int
    total: float
    sections: list[tuple[str, float]] = field(default_factory=list)
    test_files: list[tuple[str, float]] = field(default_factory=list)
    harness_stages: list[tuple[str, float]] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)


def run_from_fresh_clone(repo: Path, say: object = print) -> NightlyFigures:
    """Clone ``repo`` and run ``bash .ci/run`` in the clone; time it by section."""
    with tempfile.TemporaryDirectory(prefix="nightly-bench-") as scratch:
        clone = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        started = time.monotonic()
        marks: list[tuple[str, float]] = [("set-up (venvs, checkov, npm ci)", started)]
        tail: list[str] = []
        process = subprocess.Popen(
            ["bash", ".ci/run"], cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(HEADER):
                marks.append((line[len(HEADER) :].strip(), time.monotonic()))
                say(f"  {time.monotonic() - started:6.0f} s  {line.strip()}")  # type: ignore[operator]
            tail = [*tail[-200:], line.rstrip()]
        code = process.wait()
        ended = time.monotonic()
        ends = [at for _label, at in marks[1:]] + [ended]
        sections = [(label, end - at) for (label, at), end in zip(marks, ends, strict=True)]
        figures = NightlyFigures(code, ended - started, sections)
        figures.test_files = _junit_by_file(clone / ".work" / "test-results.xml")
        figures.harness_stages = _progress_stages(clone / ".work")
        figures.summary_lines = [line for line in tail if "live" in line or "passed" in line][-6:]
        figures.summary_lines += [line for line in tail if line.startswith(("FAILED ", "ERROR "))]
        kept = repo / ".work" / "bench"  # the clone goes with the temporary directory: keep its results
        kept.mkdir(parents=True, exist_ok=True)
        for name in ("test-results.xml", "evidence/evidence.html"):
            if (clone / ".work" / name).exists():
                (kept / Path(name).name).write_bytes((clone / ".work" / name).read_bytes())
        (kept / "nightly-output-tail.txt").write_text("\n".join(tail) + "\n")
        return figures


def _junit_by_file(junit: Path) -> list[tuple[str, float]]:
    """Worker seconds per test file (unit tests together), longest first."""
    if not junit.exists():
        return []
    totals: defaultdict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own pytest report
        classname = case.get("classname", "")
        group = "unit tests (all files)" if classname.startswith("unit_tests") else classname.split(".")[1]
        totals[group] += float(case.get("time", "0"))
    return sorted(totals.items(), key=lambda item: -item[1])


def _progress_stages(work: Path) -> list[tuple[str, float]]:
    """Seconds per harness stage, summed over the live runs' progress logs, longest first."""
    totals: defaultdict[str, float] = defaultdict(float)
    for log in work.glob("*/progress.log"):
        for match in STAGE_LINE.finditer(log.read_text(errors="replace")):
            totals[match["stage"]] += float(match["seconds"])
    return sorted(totals.items(), key=lambda item: -item[1])
