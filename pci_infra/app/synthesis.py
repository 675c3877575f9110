"""Synthesis: one cdktf ``App`` per process and the enabled stacks of one :class:`Settings`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pci_infra.app.settings import Settings


def prepare_jsii_environment() -> None:
    """Set what the cdktf runtime reads from its environment, before it starts (on first import).

    * The runtime warns on every start that Node 20 is past end of life; the Lambdas run nodejs22.x.
    * ``cdktfRelativeModules`` tells cdktf which local modules to copy into each stack. The cdktf CLI
      passes it from cdktf.json's ``terraformModules``, but listing local modules there makes
      ``cdktf synth`` demand generated bindings we do not use, so the list is filled in here.
    """
    from pci_infra.hcl_modules.hcl_module import local_module_sources

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    context = json.loads(os.environ.get("CDKTF_CONTEXT_JSON") or "{}")
    if not context.get("cdktfRelativeModules"):
        context["cdktfRelativeModules"] = local_module_sources()
        os.environ["CDKTF_CONTEXT_JSON"] = json.dumps(context)


def new_app(outdir: Path) -> Any:
    """A cdktf ``App`` writing to ``outdir``, usable with or without the cdktf CLI.

    Imports the provider runtime (slow, ~1.5 GB) only here, after the settings are known good.
    """
    prepare_jsii_environment()
    from cdktf import App

    from pci_infra.hcl_modules.hcl_module import local_module_sources

    # Also given here: in a process whose cdktf runtime started earlier (tests), the environment is too late.
    context = {"cdktfRelativeModules": local_module_sources(), "excludeStackIdFromLogicalIds": "true"}
    return App(outdir=str(outdir), context=context)


def synthesize(settings: Settings, outdir: Path) -> Path:
    """Synthesize every enabled stack of ``settings`` into ``outdir`` and return ``outdir``.

    Account singletons left to ``lookup`` are answered first by asking the target account.
    """
    from pci_infra.foundation.account_singletons import resolve_singletons

    settings = resolve_singletons(settings)
    prepare_jsii_environment()
    from pci_infra.stacks.payment_platform import PaymentPlatformStack
    from pci_infra.stacks.pci_data_processing import PciDataProcessingStack

    app = new_app(outdir)
    if settings.features.payment_platform:
        PaymentPlatformStack(app, settings=settings)
    if settings.features.pci_data_processing:
        PciDataProcessingStack(app, settings=settings)
    app.synth()
    return outdir
