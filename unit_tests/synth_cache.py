"""One synthesis for the whole unit run, shared by the test workers and kept while its inputs hold.

The key is a hash of everything synthesis reads (the constructs, ``main.py``, the HCL modules, the
Lambda sources and lock files, the pinned packages) and the settings used. The first worker to need
it synthesizes under a file lock; the other waits and reads the same files. A later run whose inputs
did not change reuses them; any change to those inputs synthesizes again. ``UNIT_SYNTH_CACHE=0``
always synthesizes afresh.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from pci_infra.app.paths import PROJECT_ROOT

INPUTS = ("main.py", "cdktf.json", "pyproject.toml", "pci_infra", "modules", "lambda")
"""What synthesis reads, relative to the project root."""

SKIPPED_PARTS = frozenset({"node_modules", "__pycache__", ".terraform", ".mypy_cache", ".ruff_cache"})
SKIPPED_NAMES = frozenset({".terraform.lock.hcl"})  # written by the module tests while the run goes on
CACHE_ROOT = PROJECT_ROOT / ".work" / "unit-synth"


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not SKIPPED_PARTS & set(relative.parts) and path.name not in SKIPPED_NAMES:
            yield path


def inputs_key(settings: object) -> str:
    """A short hash of every synthesis input and of ``settings`` (anything JSON-serializable)."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for name in INPUTS:
        for path in _files(PROJECT_ROOT / name):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def shared_synthesis(settings: object, synthesize_into: Callable[[Path], None]) -> Path:
    """The directory holding the synthesis for ``settings``: cached, or made now by ``synthesize_into``."""
    fresh = os.environ.get("UNIT_SYNTH_CACHE", "1") == "0"
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    key = inputs_key(settings)
    done = CACHE_ROOT / key
    with (CACHE_ROOT / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while one synthesizes
        if fresh or not (done / ".complete").exists():
            partial = CACHE_ROOT / f"{key}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            synthesize_into(partial)
            (partial / ".complete").touch()
            shutil.rmtree(done, ignore_errors=True)
            partial.rename(done)
            for stale in CACHE_ROOT.iterdir():  # keep only the current inputs' synthesis
                if stale.is_dir() and stale.name != key:
                    shutil.rmtree(stale, ignore_errors=True)
    return done
