"""Deterministic Lambda deployment packages, built in Python at synth time (no archive provider).

A package holds the function's own code (``index.mjs``, ``src/``, ``package.json``) and the
production dependencies its ``package-lock.json`` names (local packages such as
``lambda/payment-model`` included), never tests or dev dependencies (the AWS SDK
v3 comes with the ``nodejs22.x`` runtime and is a dev dependency only). Entries are sorted and
timestamped 1980-01-01, so the same sources always give the same bytes and the same
``source_code_hash``: an unchanged function is never redeployed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pci_infra.app.paths import BUILD_DIR as PROJECT_BUILD_DIR
from pci_infra.app.paths import LAMBDA_DIR

LAMBDA_ROOT = LAMBDA_DIR
"""Where the function folders live."""

BUILD_DIR = PROJECT_BUILD_DIR / "lambda"
"""Where packages are written (ignored by git); the stack copies them in as assets."""

OWN_CODE = ("index.mjs", "package.json", "src")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """A function folder cannot be packaged (missing code or uninstalled dependencies)."""


@dataclass(frozen=True)
class LambdaPackage:
    """A built package.

    Attributes:
        name: Function folder name.
        path: The zip file.
        source_code_hash: Base64 SHA-256 of the zip, as Lambda reports it.
        files: Archive member names, for tests and review.
    """

    name: str
    path: Path
    source_code_hash: str
    files: tuple[str, ...]


def production_dependencies(function_dir: Path) -> tuple[tuple[str, Path], ...]:
    """Production dependencies named by ``package-lock.json``: (path in the archive, folder on disk).

    Registry packages are installed under ``node_modules``; a local package (``file:../x``) is a link
    whose files are taken from the folder it points to.
    """
    lock_path = function_dir / "package-lock.json"
    if not lock_path.exists():
        return ()
    packages: dict[str, dict[str, Any]] = json.loads(lock_path.read_text())["packages"]
    found: list[tuple[str, Path]] = []
    for path, meta in packages.items():
        if not path.startswith("node_modules/") or meta.get("dev"):
            continue
        source = function_dir / meta["resolved"] if meta.get("link") else function_dir / path
        found.append((path, source))
    return tuple(sorted(found))


def _members(function_dir: Path) -> list[tuple[str, Path]]:
    """Every file that belongs in the package: (archive name, file on disk)."""
    if not (function_dir / "index.mjs").is_file():
        raise PackageError(f"{function_dir}: no index.mjs, so nothing to package")
    members: list[tuple[str, Path]] = []
    for entry in OWN_CODE:
        path = function_dir / entry
        if path.is_file():
            members.append((entry, path))
        elif path.is_dir():
            members.extend(
                (p.relative_to(function_dir).as_posix(), p) for p in path.rglob("*") if p.is_file()
            )
    for archive_dir, source in production_dependencies(function_dir):
        if not source.is_dir():
            raise PackageError(
                f"{function_dir.name}: dependency {archive_dir} is not installed; "
                f"run `npm ci` in {function_dir}"
            )
        for file in source.rglob("*"):
            inner = file.relative_to(source)
            if file.is_file() and not {"node_modules", "test"} & set(inner.parts):
                members.append((f"{archive_dir}/{inner.as_posix()}", file))
    return sorted(set(members))


def build_package(name: str, *, root: Path = LAMBDA_ROOT, build_dir: Path = BUILD_DIR) -> LambdaPackage:
    """Zip ``root/name`` into ``build_dir`` deterministically and return the package."""
    function_dir = root / name
    members = _members(function_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    # A private partial file per build: parallel syntheses (test workers) never share one.
    handle, partial_name = tempfile.mkstemp(prefix=f"{name}-", suffix=".zip.partial", dir=build_dir)
    os.close(handle)
    partial = Path(partial_name)
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name_in_archive, file in members:
            info = zipfile.ZipInfo(name_in_archive, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())
    digest = hashlib.sha256(partial.read_bytes()).digest()
    path = build_dir / f"{name}-{digest.hex()[:16]}.zip"
    partial.replace(path)
    return LambdaPackage(
        name=name,
        path=path,
        source_code_hash=base64.b64encode(digest).decode(),
        files=tuple(name for name, _ in members),
    )
