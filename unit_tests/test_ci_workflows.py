"""The CI pipelines in .github/ pass both linters, and each linter reports a defect planted in a copy.

jactionlint checks what actionlint checks (workflow syntax, expressions, action inputs, local
actions, shellcheck on ``run:`` scripts) and the pinning, permission and timeout policy; zizmor
audits the security of the workflows and of the local composite action. Both run offline, from
the binaries that the test extras of pyproject.toml install next to this interpreter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(sys.executable).parent
PIPELINES = ("pr.yml", "nightly.yml", "upgrade-check.yml")

Linter = Callable[[Path], subprocess.CompletedProcess[str]]


def tool(name: str) -> str:
    path = TOOLS / name
    assert path.exists(), f"{path} is missing: install the test extras (bin/_setup.sh does)"
    return str(path)


def lint_inputs(repo: Path) -> list[str]:
    github = repo / ".github"
    files = sorted(github.glob("workflows/*.y*ml")) + sorted(github.glob("actions/*/action.y*ml"))
    return [str(path.relative_to(repo)) for path in files]


def jactionlint(repo: Path) -> subprocess.CompletedProcess[str]:
    """Every workflow and local action of ``repo``; any finding, whatever its level, fails."""
    command = [
        tool("jactionlint"),
        "--no-color",
        "--no-online",
        "--strict-exit",
        f"--shellcheck={tool('shellcheck')}",  # the pinned one, not whichever the machine has
        "--pyflakes=",  # no step runs Python inline
        *lint_inputs(repo),
    ]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60, check=False)


def zizmor(repo: Path) -> subprocess.CompletedProcess[str]:
    """Everything under ``repo``/.github; a file zizmor cannot read fails instead of being skipped."""
    config = repo / ".github" / "zizmor.yml"
    command = [
        tool("zizmor"),
        "--offline",
        "--strict-collection",
        "--no-progress",
        "--color=never",
        *(["--config", str(config)] if config.exists() else ["--no-config"]),
        str(repo / ".github"),
    ]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=60, check=False)


LINTERS = {"jactionlint": jactionlint, "zizmor": zizmor}


def test_the_three_pipelines_and_their_action_are_linted() -> None:
    inputs = lint_inputs(ROOT)
    assert [f".github/workflows/{name}" for name in sorted(PIPELINES)] == [
        path for path in inputs if path.startswith(".github/workflows/")
    ]
    assert ".github/actions/toolchain/action.yml" in inputs


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)", re.MULTILINE)


def test_every_step_uses_a_pinned_action_or_a_local_one_that_exists() -> None:
    """Neither linter opens a local action's folder: a mistyped path is caught only here.

    Local actions use GitHub's self-repository syntax ``$/<path>`` (zizmor's ``self-repository`` audit).
    """
    files = [
        *(ROOT / ".github" / "workflows").glob("*.yml"),
        *(ROOT / ".github" / "actions").rglob("action.yml"),
    ]
    references = [(path.name, ref) for path in files for ref in USES.findall(path.read_text())]
    assert len(references) >= 10, references
    for where, ref in references:
        if ref.startswith(("$/", "./")):
            assert (ROOT / ref[2:] / "action.yml").is_file(), f"{where}: no action at {ref}"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), (
                f"{where}: {ref} is not pinned to a commit"
            )


@pytest.mark.parametrize("linter", LINTERS)
def test_the_pipelines_are_clean(linter: str) -> None:
    result = LINTERS[linter](ROOT)
    assert result.returncode == 0, f"{linter} found:\n{result.stdout}\n{result.stderr}"


def inject_pull_request_title(github: Path) -> None:
    """A step that expands the (attacker-chosen) pull request title inside its script."""
    workflow = github / "workflows" / "pr.yml"
    text = workflow.read_text()
    anchor = "    steps:\n"
    assert anchor in text
    step = '      - run: echo "testing ${{ github.event.pull_request.title }}"\n'
    workflow.write_text(text.replace(anchor, anchor + step, 1))


def misspell_runs_on(github: Path) -> None:
    """A job whose runner key is misspelt: an unknown key, and no runs-on."""
    workflow = github / "workflows" / "upgrade-check.yml"
    text = workflow.read_text()
    assert "    runs-on: " in text
    workflow.write_text(text.replace("    runs-on: ", "    runs_on: ", 1))


def unpin_an_action(github: Path) -> None:
    """A third-party action used by its movable tag instead of a commit."""
    action = github / "actions" / "toolchain" / "action.yml"
    pinned = r"hashicorp/setup-terraform@[0-9a-f]{40} # (v\d+)\S*"
    text, count = re.subn(pinned, r"hashicorp/setup-terraform@\1", action.read_text())
    assert count == 1
    action.write_text(text)


def unquote_a_variable(github: Path) -> None:
    """A script that word-splits a variable (shellcheck SC2086): proof that shellcheck is wired in."""
    workflow = github / "workflows" / "upgrade-check.yml"
    text = workflow.read_text()
    assert '--from "$BASE_SHA"' in text
    workflow.write_text(text.replace('--from "$BASE_SHA"', "--from $BASE_SHA", 1))


# Each defect, a linter that must report it, and what that linter says.
DEFECTS: dict[str, tuple[Callable[[Path], None], dict[str, str]]] = {
    "template injection": (
        inject_pull_request_title,
        {"jactionlint": "[template-injection]", "zizmor": "error[template-injection]"},
    ),
    "unknown key": (
        misspell_runs_on,
        {"jactionlint": 'unexpected key "runs_on" for "job" section', "zizmor": "'runs_on' was unexpected"},
    ),
    "unpinned action": (
        unpin_an_action,
        {"jactionlint": "[unpinned-uses]", "zizmor": "error[unpinned-uses]"},
    ),
    "unquoted variable": (unquote_a_variable, {"jactionlint": "SC2086"}),
}
CASES = [(defect, linter) for defect, (_, expected) in DEFECTS.items() for linter in expected]


@pytest.mark.parametrize(("defect", "linter"), CASES)
def test_a_planted_defect_is_reported(defect: str, linter: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    (tmp_path / ".git").mkdir()  # the copy is a repository root: $/ references resolve in it
    plant, expected = DEFECTS[defect]
    plant(tmp_path / ".github")
    result = LINTERS[linter](tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{linter} passed a workflow with a {defect}:\n{output}"
    assert expected[linter] in output, output
