"""What the functions' ``nodejs22.x`` runtime gives them on AWS, provisioned locally for an emulator.

An emulator that runs function code on the host (MiniStack, see ``harness/ministack.py``) starts each
function with the ``node`` first on its ``PATH`` and leaves module resolution to Node. Two things
the AWS runtime provides are therefore missing on a developer machine:

* **Node.js 22.** The machine may have another major on its ``PATH`` (Node 20 here). The npm package
  ``node`` (pinned in ``harness/function-runtime/node/``) carries the official binary as
  ``node_modules/node/bin/node``; its install script fetches the platform package
  ``node-<os>-<arch>`` of the same version from the registry.
* **The AWS SDK v3.** The functions' packages do not bundle the ``@aws-sdk/client-*`` clients (they
  are dev dependencies, see ``pci_infra/blocks/lambda_package.py``): on AWS they resolve from the
  runtime's own ``node_modules``. ``harness/function-runtime/sdk/`` pins every client the function
  code imports, at the versions the functions' ``devDependencies`` name; Node finds them when that
  ``node_modules`` sits on an ancestor directory of the extracted function code, which the emulator
  server arranges (a ``node_modules`` link in its work directory, above its ``TMPDIR``).

Both are installed with ``npm ci`` from the committed ``package.json`` and ``package-lock.json``
into ``.work/function-runtime/<stamp>/``, where ``<stamp>`` hashes those four files and the
platform: the install runs once per change of pins (about ten seconds, 250 MB), and later calls
return at once. Parallel callers (test workers) wait on a lock file instead of installing twice.
:func:`unpinned_imports` keeps the pins honest: every ``@aws-sdk/`` package that function code
imports and does not bundle must be pinned, or provisioning fails naming the file that imports it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.file_lock import exclusive
from pci_infra.app.paths import LAMBDA_DIR, PROJECT_ROOT

PINS_DIR = PROJECT_ROOT / "harness" / "function-runtime"
"""The committed pins: ``node/`` (Node.js itself) and ``sdk/`` (the AWS SDK v3 clients)."""

CACHE_ROOT = PROJECT_ROOT / ".work" / "function-runtime"
"""Where provisioned runtimes live, one directory per content stamp (ignored by git)."""

PIN_FILES = ("node/package.json", "node/package-lock.json", "sdk/package.json", "sdk/package-lock.json")

COMPLETE_MARKER = ".complete"
"""Written last: a directory without it is a failed or interrupted install and is redone."""

SDK_IMPORT = re.compile(r"""(?:from\s+|import\s*\(?\s*|require\s*\(\s*)['"](@aws-sdk/[a-z0-9-]+)""")
"""An ``import ... from '@aws-sdk/x'``, ``import('@aws-sdk/x')`` or ``require('@aws-sdk/x')``."""

CODE_SUFFIXES = (".mjs", ".js", ".cjs")
SKIPPED_DIRS = frozenset({"node_modules", "test"})
"""Not function code: installed dependencies and the functions' own tests."""

Progress = Callable[[str], None]
"""Receives one line per provisioning step."""


class FunctionRuntimeError(RuntimeError):
    """The function runtime could not be provisioned; the message names the step and what to do."""


def stderr_progress(message: str) -> None:
    """Default progress sink: one line on standard error."""
    print(f"function-runtime: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class FunctionRuntime:
    """A provisioned runtime.

    Attributes:
        root: Its directory under :data:`CACHE_ROOT`.
        node: The Node.js binary of the functions' runtime.
        node_version: What ``node --version`` printed, e.g. ``v22.23.3``.
        node_modules: The ``node_modules`` holding the AWS SDK v3 clients.
        sdk_packages: The pinned ``@aws-sdk/`` packages in it, with their versions.
    """

    root: Path
    node: Path
    node_version: str
    node_modules: Path
    sdk_packages: dict[str, str]

    @property
    def bin_dir(self) -> Path:
        """The directory to put first on ``PATH`` so that ``node`` is this runtime's."""
        return self.node.parent


def _function_dirs(lambda_root: Path) -> list[Path]:
    return sorted(path.parent for path in lambda_root.glob("*/package.json"))


def _code_files(function_dir: Path) -> Iterator[Path]:
    for path in sorted(function_dir.rglob("*")):
        inner = path.relative_to(function_dir).parts
        if path.is_file() and path.suffix in CODE_SUFFIXES and not SKIPPED_DIRS & set(inner[:-1]):
            yield path


def _bundled(function_dir: Path) -> set[str]:
    """Packages the function's package bundles (its production ``dependencies``)."""
    manifest = json.loads((function_dir / "package.json").read_text())
    return set(manifest.get("dependencies", {}))


def sdk_imports(lambda_root: Path = LAMBDA_DIR) -> dict[str, list[str]]:
    """``@aws-sdk/`` packages function code imports and does not bundle -> the files importing each.

    Scans every function folder (one with a ``package.json``), tests and ``node_modules`` excluded.
    """
    found: dict[str, list[str]] = {}
    for function_dir in _function_dirs(lambda_root):
        bundled = _bundled(function_dir)
        for path in _code_files(function_dir):
            for package in SDK_IMPORT.findall(path.read_text(errors="replace")):
                if package not in bundled:
                    found.setdefault(package, []).append(path.relative_to(lambda_root).as_posix())
    return {package: sorted(set(files)) for package, files in sorted(found.items())}


def pinned_sdk_packages(pins_dir: Path = PINS_DIR) -> dict[str, str]:
    """The ``@aws-sdk/`` packages ``sdk/package.json`` pins, with their versions."""
    manifest = json.loads((pins_dir / "sdk" / "package.json").read_text())
    return {
        name: version
        for name, version in manifest.get("dependencies", {}).items()
        if name.startswith("@aws-sdk/")
    }


def unpinned_imports(lambda_root: Path = LAMBDA_DIR, pins_dir: Path = PINS_DIR) -> dict[str, list[str]]:
    """Imports of :func:`sdk_imports` that ``sdk/package.json`` does not pin (empty when in step)."""
    pinned = pinned_sdk_packages(pins_dir)
    return {package: files for package, files in sdk_imports(lambda_root).items() if package not in pinned}


def pinned_node_version(pins_dir: Path = PINS_DIR) -> str:
    """The Node.js version ``node/package.json`` pins, e.g. ``22.23.3``."""
    manifest = json.loads((pins_dir / "node" / "package.json").read_text())
    return str(manifest["dependencies"]["node"])


def content_stamp(pins_dir: Path = PINS_DIR) -> str:
    """16 hex digits over the pin files and the platform: a new stamp means a new install."""
    digest = hashlib.sha256(f"{sys.platform}-{platform.machine()}".encode())
    for name in PIN_FILES:
        path = pins_dir / name
        if not path.is_file():
            raise FunctionRuntimeError(f"pin file {path} is missing")
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _npm_ci(directory: Path, what: str, *, scripts: bool) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise FunctionRuntimeError(f"cannot install {what}: npm is not on PATH (it comes with Node.js)")
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    if not scripts:
        command.append("--ignore-scripts")
    try:
        completed = subprocess.run(
            command, cwd=directory, capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise FunctionRuntimeError(
            f"installing {what}: `npm ci` in {directory} took over 10 minutes"
        ) from err
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-3000:]
        raise FunctionRuntimeError(
            f"installing {what}: `npm ci` in {directory} failed with exit {completed.returncode}:\n{output}"
        )


def _node_version(node: Path) -> str:
    try:
        completed = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as err:
        raise FunctionRuntimeError(f"{node} does not run: {err}") from err
    if completed.returncode != 0:
        raise FunctionRuntimeError(f"{node} --version failed: {completed.stderr.strip()[-500:]}")
    return completed.stdout.strip()


def _install(root: Path, pins_dir: Path, progress: Progress) -> None:
    for part in ("node", "sdk"):
        (root / part).mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(pins_dir / part / name, root / part / name)
    version = pinned_node_version(pins_dir)
    progress(f"installing Node.js {version} (npm package node@{version}) into {root / 'node'}")
    # The package's install script fetches the binary package of this platform: scripts must run.
    _npm_ci(root / "node", f"Node.js {version}", scripts=True)
    sdk = pinned_sdk_packages(pins_dir)
    progress(f"installing the AWS SDK v3 clients ({', '.join(sorted(sdk))}) into {root / 'sdk'}")
    _npm_ci(root / "sdk", "the AWS SDK v3 clients", scripts=False)


def _verify(root: Path, pins_dir: Path) -> FunctionRuntime:
    expected = pinned_node_version(pins_dir)
    node = root / "node" / "node_modules" / "node" / "bin" / "node"
    if not node.is_file():
        raise FunctionRuntimeError(
            f"{node} is missing after installing node@{expected}: its install script did not fetch the "
            "binary (are npm install scripts disabled, e.g. ignore-scripts in the npm config?)"
        )
    version = _node_version(node)
    if version != f"v{expected}":
        raise FunctionRuntimeError(f"{node} reports {version}, expected v{expected}")
    node_modules = root / "sdk" / "node_modules"
    sdk = pinned_sdk_packages(pins_dir)
    for package, pinned in sdk.items():
        manifest = node_modules / package / "package.json"
        if not manifest.is_file():
            raise FunctionRuntimeError(f"{package} is missing from {node_modules} after `npm ci`")
        installed = json.loads(manifest.read_text()).get("version")
        if installed != pinned:
            raise FunctionRuntimeError(f"{package} {installed} installed in {node_modules}; pinned {pinned}")
    return FunctionRuntime(
        root=root, node=node, node_version=version, node_modules=node_modules, sdk_packages=sdk
    )


def ensure_function_runtime(
    *,
    progress: Progress = stderr_progress,
    cache_root: Path = CACHE_ROOT,
    pins_dir: Path = PINS_DIR,
    lambda_root: Path = LAMBDA_DIR,
) -> FunctionRuntime:
    """The provisioned runtime for the current pins: installed on first use, then reused.

    Raises:
        FunctionRuntimeError: Function code imports an unpinned ``@aws-sdk/`` package, or npm or the
            installed Node.js failed; the message says which and how.
    """
    missing = unpinned_imports(lambda_root, pins_dir)
    if missing:
        lines = "\n".join(
            f"  {package}: imported by {', '.join(files)}" for package, files in missing.items()
        )
        raise FunctionRuntimeError(
            f"function code imports AWS SDK packages that {pins_dir / 'sdk' / 'package.json'} does not pin "
            f"(add them at the functions' devDependency versions, then `npm install` there to update the "
            f"lock file):\n{lines}"
        )
    stamp = content_stamp(pins_dir)
    root = cache_root / stamp
    with exclusive(cache_root / ".lock"):
        if (root / COMPLETE_MARKER).is_file():
            return _verify(root, pins_dir)
        if root.exists():
            progress(f"removing the incomplete install {root}")
            shutil.rmtree(root)
        progress(f"provisioning the function runtime {stamp} (once per change of {pins_dir})")
        try:
            _install(root, pins_dir, progress)
            runtime = _verify(root, pins_dir)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        (root / COMPLETE_MARKER).write_text(runtime.node_version + "\n")
        progress(f"ready: {runtime.node} ({runtime.node_version}), SDK clients in {runtime.node_modules}")
        return runtime
