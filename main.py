"""Entry point: build the validated settings, then synthesize the stacks.

``python main.py`` synthesizes to ``cdktf.out/``; ``cdktf synth`` runs the same file (see cdktf.json).
The application itself is the library ``pci_infra.app``; this file is the thin shim both run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import SettingsError
from pci_infra.app.settings_sources import STACK_CHOICES, outdir_of, parse_settings
from pci_infra.app.synthesis import new_app, synthesize

__all__ = ["PROJECT_ROOT", "STACK_CHOICES", "main", "new_app", "parse_settings", "synthesize"]


def main(argv: Sequence[str] | None = None) -> int:
    """Synthesize from the command line; exit 2 with the field and rule on bad settings."""
    argv = sys.argv[1:] if argv is None else argv
    context = json.loads(os.environ.get("CDKTF_CONTEXT_JSON", "{}"))
    try:
        settings = parse_settings(argv, os.environ, context)
    except SettingsError as err:
        print(f"invalid settings: {err}", file=sys.stderr)
        return 2
    try:
        synthesize(settings, outdir_of(argv, os.environ))
    except SettingsError as err:
        print(f"invalid settings: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
