"""Shared plumbing of the typed wrappers around our HCL modules in ``modules/``."""

from __future__ import annotations

import os

from pci_infra.app.paths import MODULES_DIR


def module_source(name: str) -> str:
    """The ``source`` of a local module, relative to the working directory as cdktf resolves it.

    cdktf copies local modules into the synthesized stack (so each stack directory is
    self-contained) only for sources starting with ``./`` or ``../``, resolved against the
    process's working directory; absolute paths would skip the copy.
    """
    path = MODULES_DIR / name
    if not (path / "main.tf").exists():
        raise FileNotFoundError(f"module {name!r} not found under {MODULES_DIR}")
    relative = os.path.relpath(path)
    return relative if relative.startswith("..") else f"./{relative}"


def local_module_sources() -> list[str]:
    """Every local module, for the ``cdktfRelativeModules`` context outside the cdktf CLI."""
    if not MODULES_DIR.is_dir():
        return []
    return sorted(module_source(p.name) for p in MODULES_DIR.iterdir() if (p / "main.tf").exists())


def module_changelog_version(name: str) -> str:
    """The newest semantic version in ``modules/<name>/CHANGELOG.md`` (first ``## x.y.z`` heading)."""
    for line in (MODULES_DIR / name / "CHANGELOG.md").read_text().splitlines():
        if line.startswith("## "):
            return line[3:].split()[0]
    raise ValueError(f"modules/{name}/CHANGELOG.md has no '## <version>' heading")
