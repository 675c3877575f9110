"""The unit run's result cache reuses a result only for byte-identical inputs, and never a failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pci_infra.app.paths import PROJECT_ROOT
from unit_tests import result_cache
from unit_tests.result_cache import content_key, reused_or_run


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module-like folder inside the project root (keys are relative to it), and a private cache."""
    monkeypatch.setattr(result_cache, "CACHE_ROOT", tmp_path / "cache")
    monkeypatch.delenv("UNIT_SYNTH_CACHE", raising=False)
    root = PROJECT_ROOT / ".work" / "result-cache-test" / tmp_path.name
    (root / "tests").mkdir(parents=True)
    (root / "main.tf").write_text('variable "x" {}\n')
    (root / "tests" / "a.tftest.hcl").write_text("run {}\n")
    yield root
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    root.rmdir()


def test_any_byte_of_the_inputs_or_a_tool_version_changes_the_key(module: Path) -> None:
    key = content_key([module], ["terraform 1.11.4"])
    assert content_key([module], ["terraform 1.11.4"]) == key
    assert content_key([module], ["terraform 1.11.5"]) != key
    (module / "tests" / "a.tftest.hcl").write_text("run  {}\n")
    assert content_key([module], ["terraform 1.11.4"]) != key
    (module / "tests" / "a.tftest.hcl").rename(module / "tests" / "b.tftest.hcl")  # a renamed file too
    renamed = content_key([module], ["terraform 1.11.4"])
    (module / "tests" / "b.tftest.hcl").rename(module / "tests" / "a.tftest.hcl")
    assert renamed != content_key([module], ["terraform 1.11.4"])


def test_terraforms_own_files_do_not_change_the_key(module: Path) -> None:
    key = content_key([module])
    (module / ".terraform").mkdir()
    (module / ".terraform" / "plugin").write_text("x")
    (module / ".terraform.lock.hcl").write_text("# lock")
    assert content_key([module]) == key


def runs(record: dict[str, Any], calls: list[int]) -> Any:
    def run() -> dict[str, Any]:
        calls.append(1)
        return record

    return run


def test_a_passing_result_is_reused_and_a_failing_one_runs_again(module: Path) -> None:
    calls: list[int] = []
    ok = {"returncode": 0}
    assert reused_or_run("m", "k1", runs(ok, calls), lambda r: r["returncode"] == 0) == ok
    assert reused_or_run("m", "k1", runs({"returncode": 9}, calls), lambda r: True) == ok  # reused
    assert len(calls) == 1
    bad = {"returncode": 1}
    for _ in range(2):  # a failure is never kept
        assert reused_or_run("m", "k2", runs(bad, calls), lambda r: r["returncode"] == 0) == bad
    assert len(calls) == 3
    assert reused_or_run("m", None, runs(ok, calls), lambda r: True) == ok  # unknowable inputs: always run
    assert reused_or_run("m", None, runs(ok, calls), lambda r: True) == ok
    assert len(calls) == 5


def test_unit_synth_cache_0_never_reuses(module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    reused_or_run("m", "k", runs({}, calls), lambda r: True)
    monkeypatch.setenv("UNIT_SYNTH_CACHE", "0")
    reused_or_run("m", "k", runs({}, calls), lambda r: True)
    assert len(calls) == 2
