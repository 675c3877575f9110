"""Named stages (deploy / validate / teardown), each skippable with ``SKIP_<stage>=1``, timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

STAGES = ("deploy", "validate", "teardown")

Progress = Callable[[str], None]


def skip_requested(stage: str, environ: Mapping[str, str]) -> bool:
    """True when ``SKIP_<stage>`` (any case of the stage name) is set to a non-empty value other than 0."""
    if stage not in STAGES:
        raise ValueError(f"stage: one of {STAGES} (got {stage!r})")
    for key in (f"SKIP_{stage}", f"SKIP_{stage.upper()}"):
        value = environ.get(key, "")
        if value not in ("", "0", "false"):
            return True
    return False


@contextmanager
def timed(label: str, progress: Progress) -> Iterator[None]:
    """Print ``label ...`` then one line with the outcome and duration."""
    started = time.monotonic()
    progress(f"{label} ...")
    try:
        yield
    except BaseException as err:
        progress(f"{label} FAILED after {time.monotonic() - started:.1f}s ({type(err).__name__})")
        raise
    progress(f"{label} done in {time.monotonic() - started:.1f}s")
