"""One harness run: its id, target, stacks, working directory, and the one Settings it synthesizes with.

Every entry point of the harness (the ``demo`` and ``upgrade-check`` commands, the live test
session, the benchmark, the throwaway PCI copies) starts a :class:`HarnessRun` instead of writing
CLI flags for the settings parser. The run's :class:`Settings` are built once: the user's
environment and the defaults first, then the fields the run decides itself replaced
(``dataclasses.replace``, which validates again). Run id, target, stacks and where state goes are
then read from those settings only, and every environment of the run is made from it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from harness.aws_target import AwsTarget
from harness.emulator_pair import write_override
from harness.environment import DefaultGate, EphemeralEnvironment
from harness.stages import Progress
from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.settings import FeatureSwitches, Settings, SettingsError, Target
from pci_infra.app.settings_sources import parse_settings
from pci_infra.app.stack_kind import StackKind
from pci_infra.foundation.service_routing import (
    EMULATORS_VARIABLE,
    MOTO_ALONE,
    PAIR,
    client_endpoints,
    emulators_wanted,
)
from pci_infra.stacks.outputs import PaymentPlatformOutputs, PciDataProcessingOutputs, StackOutputs

WORK_ROOT = PROJECT_ROOT / ".work"
"""Where runs keep their working directories."""

PaymentPlatformEnvironment = EphemeralEnvironment[PaymentPlatformOutputs]
PciEnvironment = EphemeralEnvironment[PciDataProcessingOutputs]

_VARIABLES = {
    "environment_suffix": "ENVIRONMENT_SUFFIX",
    "run_id": "INFRA_RUN_ID",
    "target": "INFRA_TARGET",
    "region": "INFRA_REGION",
    "emulator_endpoint": "EMULATOR_ENDPOINT",
    "emulators": EMULATORS_VARIABLE,
    "stacks": "INFRA_STACKS",
    "state_dir": "INFRA_STATE_DIR",
    "alert_email": "INFRA_ALERT_EMAIL",
    "api_certificate_arn": "INFRA_API_CERTIFICATE_ARN",
    "standby_endpoint": "INFRA_STANDBY_ENDPOINT",
    "database_secret_name": "INFRA_DATABASE_SECRET_NAME",
}
"""The environment variable of each setting a run may decide itself (``settings_sources``): when the
run decides it, the variable is not read, as a CLI flag would have overridden it."""

PROTECTION_VARIABLE = "INFRA_DELETION_PROTECTION"
"""Asks a throwaway run for deletion protection (off by default: its teardown must destroy it)."""

_ALWAYS_DECIDED = ("environment_suffix", "run_id", "target", "emulator_endpoint", "emulators", "state_dir")
"""What every run decides itself: its names, its target (the emulators it was given) and where its state
goes."""


def _features(stacks: Iterable[StackKind]) -> FeatureSwitches:
    chosen = set(stacks)
    return FeatureSwitches(
        payment_platform=StackKind.PAYMENT_PLATFORM in chosen,
        pci_data_processing=StackKind.PCI_DATA_PROCESSING in chosen,
    )


def parse_stacks(text: str) -> list[StackKind]:
    """``payment-platform,pci-data-processing`` as stack kinds, in the order given.

    Raises:
        SettingsError: A name is not a stack, or none is given (the settings parser's wording).
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or not set(names) <= set(StackKind):
        raise SettingsError(
            f"stacks: comma-separated subset of {[kind.value for kind in StackKind]} (got {sorted(names)!r})"
        )
    return [StackKind(name) for name in dict.fromkeys(names)]


@dataclass(frozen=True)
class HarnessRun:
    """One run of the harness.

    Attributes:
        settings: The run's one validated :class:`Settings` (its run id is set).
        workdir: The run's own directory: emulator and Terraform logs, state, metadata.
        outdir: Where the run's stacks are synthesized (default ``<workdir>/cdktf.out``).
        routes: With two local emulators (``INFRA_EMULATORS=pair``): provider endpoint key to the
            URL of the emulator hosting it (``harness/emulator_pair.py``); empty otherwise.
    """

    settings: Settings
    workdir: Path
    outdir: Path
    routes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A run is ephemeral: its settings carry its run id."""
        if self.settings.run_id is None:
            raise SettingsError("run_id: required for a harness run (every name and the RunId tag carry it)")

    @classmethod
    def start(
        cls,
        *,
        suffix: str,
        run_id: str,
        workdir: Path,
        endpoint: str | None,
        environ: Mapping[str, str],
        stacks: Iterable[StackKind] | None = None,
        region: str | None = None,
        outdir: Path | None = None,
        alert_email: str | None = None,
        api_certificate_arn: str | None = None,
        standby_endpoint: str | None = None,
        database_secret_name: str | None = None,
        routes: Mapping[str, str] | None = None,
    ) -> HarnessRun:
        """A run with its working directory made and its settings built once.

        Args:
            suffix: Environment suffix of the run's names.
            run_id: The run id (:func:`harness.run_id.new_run_id`, or the one to reuse).
            workdir: The run's directory; local state goes to ``<workdir>/state``.
            endpoint: The emulator's URL; ``None`` deploys to AWS.
            environ: Read for every setting the run does not decide (``INFRA_OWNER``, the AWS
                inputs ``INFRA_ALERT_EMAIL`` ..., ``INFRA_STACKS`` when ``stacks`` is ``None``).
            stacks: The stacks to synthesize; ``None``: ``INFRA_STACKS``, else both.
            region: The region; ``None``: ``INFRA_REGION``, else ``us-east-1``.
            outdir: Where to synthesize; default ``<workdir>/cdktf.out``.
            alert_email: Overrides ``INFRA_ALERT_EMAIL`` when given (likewise the next three).
            api_certificate_arn: ACM certificate of the payment API (AWS).
            standby_endpoint: Standby API host (AWS).
            database_secret_name: The PCI stack's existing database secret.
            routes: Two local emulators: each provider endpoint key at its emulator's URL
                (:class:`harness.emulator_pair.LocalEmulators`); ``endpoint`` is then moto's.

        Raises:
            SettingsError: A setting breaks its rule (the message names field and rule), or
                ``INFRA_EMULATORS=pair`` is asked of a caller that brings one emulator only.
        """
        try:
            emulators_wanted(environ)
        except ValueError as err:
            raise SettingsError(str(err)) from err
        asked_for_pair = environ.get(EMULATORS_VARIABLE, "").strip() == PAIR  # the default is not asking
        if endpoint and asked_for_pair and not routes:
            raise SettingsError(
                f"{EMULATORS_VARIABLE}={PAIR}: this caller started one emulator and gave no routes "
                "(start them with harness.emulator_pair.local_emulators)"
            )
        chosen = None if stacks is None else tuple(stacks)
        optional = {
            "stacks": chosen,
            "region": region,
            "alert_email": alert_email,
            "api_certificate_arn": api_certificate_arn,
            "standby_endpoint": standby_endpoint,
            "database_secret_name": database_secret_name,
        }
        decided = [*_ALWAYS_DECIDED, *(name for name, value in optional.items() if value is not None)]
        unread = {_VARIABLES[name] for name in decided}
        base = parse_settings([], {key: value for key, value in environ.items() if key not in unread})
        settings = dataclasses.replace(
            base,
            environment_suffix=suffix,
            run_id=run_id,
            target=Target.EMULATOR if endpoint else Target.AWS,
            emulator_endpoint=endpoint,
            emulators=PAIR if routes else MOTO_ALONE,
            region=region or base.region,
            alert_email=alert_email or base.alert_email,
            api_certificate_arn=api_certificate_arn or base.api_certificate_arn,
            standby_endpoint=standby_endpoint or base.standby_endpoint,
            database_secret_name=database_secret_name or base.database_secret_name,
            features=base.features if chosen is None else _features(chosen),
            # A throwaway run is destroyed by its own teardown: unprotected unless asked for.
            deletion_protection=base.deletion_protection if PROTECTION_VARIABLE in environ else False,
            backend=dataclasses.replace(base.backend, state_dir=str(workdir / "state")),
        )
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(
            settings=settings,
            workdir=workdir,
            outdir=outdir or workdir / "cdktf.out",
            routes=dict(routes or {}) if endpoint else {},
        )

    @property
    def run_id(self) -> str:
        """The run id every name of the run ends with and every resource is tagged with."""
        assert self.settings.run_id is not None  # checked in __post_init__
        return self.settings.run_id

    @functools.cached_property
    def target(self) -> AwsTarget:
        """Where the run's resources go: its settings' emulator, or their AWS region (made once)."""
        if self.settings.is_emulator:
            assert self.settings.emulator_endpoint is not None  # Settings validates it for the emulator
            return AwsTarget.emulator(
                self.settings.region, self.settings.emulator_endpoint, client_endpoints(self.routes)
            )
        return AwsTarget(region=self.settings.region)

    @property
    def stacks(self) -> tuple[StackKind, ...]:
        """The stacks the run synthesizes."""
        features = self.settings.features
        enabled = {
            StackKind.PAYMENT_PLATFORM: features.payment_platform,
            StackKind.PCI_DATA_PROCESSING: features.pci_data_processing,
        }
        return tuple(kind for kind, on in enabled.items() if on)

    def stack_dir(self, kind: StackKind) -> Path:
        """The synthesized stack (Terraform's working directory)."""
        return self.outdir / "stacks" / kind

    def state_file(self, kind: StackKind) -> Path:
        """The stack's local state file (``pci_infra.foundation.state_backend``'s layout)."""
        state_dir = Path(self.settings.backend.state_dir).absolute()
        return state_dir / self.settings.namer.full_suffix / f"{kind}.tfstate"

    def synthesize(self) -> Path:
        """Synthesize the run's stacks into :attr:`outdir` (imports the provider bindings: slow)."""
        from pci_infra.app.synthesis import synthesize

        return synthesize(self.settings, self.outdir)

    def main_py_flags(self) -> list[str]:
        """Flags for a ``main.py`` in a child process (e.g. of another git ref) to synthesize this run.

        They carry what the run decides (suffix, run id, target, region, stacks, emulator, state
        directory); the child reads the rest from the same environment. Within the harness the
        settings travel as :attr:`settings`, never as flags.
        """
        settings = self.settings
        flags = ["--environment-suffix", settings.environment_suffix, "--run-id", self.run_id]
        flags += ["--target", settings.target.value, "--region", settings.region]
        flags += ["--stacks", ",".join(self.stacks), "--state-dir", settings.backend.state_dir]
        if settings.emulator_endpoint is not None:
            flags += ["--emulator-endpoint", settings.emulator_endpoint, "--emulators", settings.emulators]
        return flags

    @overload
    def environment(
        self,
        kind: Literal[StackKind.PAYMENT_PLATFORM],
        *,
        progress: Progress,
        environ: Mapping[str, str],
        before_apply: Callable[[Path], None] | DefaultGate | None = DefaultGate.CHECKOV,
        workdir: Path | None = None,
        environment_type: type[EphemeralEnvironment[Any]] = EphemeralEnvironment,
    ) -> PaymentPlatformEnvironment: ...

    @overload
    def environment(
        self,
        kind: Literal[StackKind.PCI_DATA_PROCESSING],
        *,
        progress: Progress,
        environ: Mapping[str, str],
        before_apply: Callable[[Path], None] | DefaultGate | None = DefaultGate.CHECKOV,
        workdir: Path | None = None,
        environment_type: type[EphemeralEnvironment[Any]] = EphemeralEnvironment,
    ) -> PciEnvironment: ...

    @overload
    def environment(
        self,
        kind: StackKind,
        *,
        progress: Progress,
        environ: Mapping[str, str],
        before_apply: Callable[[Path], None] | DefaultGate | None = DefaultGate.CHECKOV,
        workdir: Path | None = None,
        environment_type: type[EphemeralEnvironment[Any]] = EphemeralEnvironment,
    ) -> EphemeralEnvironment[StackOutputs]: ...

    def environment(
        self,
        kind: StackKind,
        *,
        progress: Progress,
        environ: Mapping[str, str],
        before_apply: Callable[[Path], None] | DefaultGate | None = DefaultGate.CHECKOV,
        workdir: Path | None = None,
        environment_type: type[EphemeralEnvironment[Any]] = EphemeralEnvironment,
    ) -> EphemeralEnvironment[StackOutputs]:
        """The run's throwaway environment of ``kind``; its outputs are parsed into the stack's class.

        Args:
            kind: The stack.
            progress: Receives one line per stage event.
            environ: Read for ``SKIP_<stage>`` switches.
            before_apply: Gate on the plan's JSON before apply: the checkov gate unless told otherwise.
            workdir: The environment's own directory; default the run's.
            environment_type: :class:`EphemeralEnvironment` or a subclass (e.g. one that scans
                before teardown).
        """
        read_outputs: Callable[[Mapping[str, Any]], StackOutputs] = kind.outputs_type.from_terraform
        if self.routes:  # two emulators: each endpoint at the one hosting its service
            write_override(self.stack_dir(kind), self.routes)
        environment: EphemeralEnvironment[StackOutputs] = environment_type(
            stack_name=kind,
            run_id=self.run_id,
            stack_dir=self.stack_dir(kind),
            workdir=workdir or self.workdir,
            target=self.target,
            read_outputs=read_outputs,
            progress=progress,
            environ=environ,
            before_apply=before_apply,
        )
        return environment
