"""One throwaway environment of one stack: deploy, validate, teardown, sweep.

Teardown is registered before apply: whatever happens after the first ``terraform apply`` starts (a
failed create, Ctrl-C, SIGTERM), destroy runs and the orphan sweep proves it left nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Any, Generic, TypeVar

from harness.apply_progress import ApplyProgress, planned_count
from harness.aws_target import AwsTarget
from harness.cli_config import DEFAULT_MIRROR, write_cli_config
from harness.compliance_gate import PlanGate
from harness.stages import Progress, skip_requested, timed
from harness.sweep import ZONE_GAP, Orphan, SingletonsBefore, clear_emulator_gaps, snapshot_singletons, sweep
from harness.terraform import Terraform, TerraformError, resource_type_of


def throwaway_secrets(stack_dir: Path) -> dict[str, str]:
    """A fresh random value for each ephemeral, sensitive variable of the stack without a default.

    Such variables feed write-only arguments (e.g. an API key into SSM): a throwaway environment
    gets a value made for this run alone, kept in memory only (never logged or written).
    """
    path = stack_dir / "cdk.tf.json"
    if not path.exists():  # nothing synthesized (yet): no variables to answer
        return {}
    document = json.loads(path.read_text())
    return {
        name: secrets.token_urlsafe(32)
        for name, spec in document.get("variable", {}).items()
        if spec.get("ephemeral") and spec.get("sensitive") and "default" not in spec
    }


DEPLOY_PLAN = "deploy.tfplan"
"""The saved plan a deploy applies, in the stack's directory."""

APPLY_ATTEMPTS = 3
"""Plan, gate and apply rounds a deploy makes when an apply stops on a transient error."""

ROTATION_CANCEL_GAP = "behaviour:cancel_rotate_secret"
FORGOTTEN_BEFORE_DESTROY = {
    ROTATION_CANCEL_GAP: ("aws_secretsmanager_secret_rotation",),
    ZONE_GAP: ("aws_route53_zone",),
}
"""Resource types a destroy cannot delete where the capability list's gap holds: there they are
forgotten (``terraform state rm``) before destroy and go another way (a rotation schedule with its
secret, destroyed with the stack or by whoever made an existing one; the run's hosted zone deleted by
:func:`harness.sweep.clear_emulator_gaps` once destroy has deleted its records)."""


class DefaultGate(Enum):
    """The gate an environment runs before apply unless told otherwise."""

    CHECKOV = "checkov"
    """:class:`~harness.compliance_gate.PlanGate`: the skip file, for the environment's target."""


OutputsT_co = TypeVar("OutputsT_co", covariant=True)
"""What an environment's outputs are parsed into: the stack's outputs class, or a plain dict."""


def untyped_outputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs kept as Terraform gives them: for a stack without an outputs class (test fixtures)."""
    return dict(raw)


class OrphansFoundError(RuntimeError):
    """Resources carrying the run id survived teardown."""

    def __init__(self, run_id: str, orphans: list[Orphan]) -> None:
        """List the orphans in the message."""
        self.orphans = orphans
        listing = "\n".join(f"  - {o}" for o in orphans)
        super().__init__(f"orphan sweep for run {run_id} found {len(orphans)} resource(s):\n{listing}")


@dataclass
class EphemeralEnvironment(Generic[OutputsT_co]):
    """A deployed copy of one synthesized stack.

    Attributes:
        stack_name: Stack to deploy (directory under ``cdktf.out/stacks``).
        run_id: The run id carried by every name and the ``RunId`` tag.
        stack_dir: Synthesized stack directory (Terraform's working directory).
        workdir: This environment's own directory: logs, CLI config, metadata.
        target: Where the resources go.
        read_outputs: Parses ``terraform output -json`` once, after deploy: the stack's
            ``<Stack>Outputs.from_terraform`` (see ``HarnessRun.environment``), or
            :func:`untyped_outputs`.
        progress: Receives one line per stage event.
        environ: Read for ``SKIP_<stage>`` switches.
        mirror: Provider mirror for the generated CLI config.
        before_apply: Gate called with the plan's JSON file between plan and apply; when it
            raises, nothing is applied. Default: the checkov gate (:class:`PlanGate`) for the
            environment's target, so every apply the harness makes is gated; ``None`` only for
            configurations that are not ours (test fixtures, a fake ``terraform``).
        unreachable_wait_seconds: How long teardown waits for a target that stopped answering.
    """

    stack_name: str
    run_id: str
    stack_dir: Path
    workdir: Path
    target: AwsTarget
    read_outputs: Callable[[Mapping[str, Any]], OutputsT_co]
    progress: Progress = print
    environ: Mapping[str, str] = field(default_factory=dict)
    mirror: Path = DEFAULT_MIRROR
    before_apply: Callable[[Path], None] | DefaultGate | None = DefaultGate.CHECKOV
    unreachable_wait_seconds: float = 300.0
    raw_outputs: dict[str, Any] = field(default_factory=dict, init=False)
    _outputs: OutputsT_co | None = field(default=None, init=False, repr=False)
    torn_down: bool = field(default=False, init=False)
    orphans: list[Orphan] = field(default_factory=list, init=False)
    secrets: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    singletons_before: SingletonsBefore | None = field(default=None, init=False)
    retries: list[str] = field(default_factory=list, init=False)
    """What deploy and teardown had to retry, each with the first error (for the run summary)."""
    plan_json_paths: list[Path] = field(default_factory=list, init=False)
    """Every plan this deploy gated and applied, in order (more than one after a transient error)."""

    def __post_init__(self) -> None:
        """Prepare the working directory, the throwaway secrets and the Terraform runner."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        cli_config = write_cli_config(self.workdir / "terraform.rc", self.mirror)
        self.log_path = self.workdir / f"{self.stack_name}.terraform.log"
        self.secrets = throwaway_secrets(self.stack_dir)
        self.gate: Callable[[Path], None] | None = (
            PlanGate(self.stack_name, self.workdir, self.target.plan_target, self._say)
            if isinstance(self.before_apply, DefaultGate)
            else self.before_apply
        )
        self.terraform = Terraform(
            workdir=self.stack_dir,
            log_path=self.log_path,
            env={
                "TF_CLI_CONFIG_FILE": str(cli_config),
                **self.target.terraform_env(),
                **{f"TF_VAR_{name}": value for name, value in self.secrets.items()},
            },
        )

    def _say(self, message: str) -> None:
        self.progress(f"[{self.stack_name} {self.run_id}] {message}")

    def _stage(self, stage: str) -> Any:
        return timed(stage, self._say)

    def skipped(self, stage: str) -> bool:
        """True (and said once) when ``SKIP_<stage>`` is set."""
        if skip_requested(stage, self.environ):
            self._say(f"{stage} skipped (SKIP_{stage} is set)")
            return True
        return False

    @property
    def outputs(self) -> OutputsT_co:
        """The outputs read after deploy, parsed by ``read_outputs``."""
        if self._outputs is None:
            raise RuntimeError(f"{self.stack_name}: no outputs yet: deploy() reads them")
        return self._outputs

    @property
    def plan_json_path(self) -> Path:
        """The plan the deploy applied last, as JSON (for the compliance gate and the evidence report)."""
        return self.plan_json_paths[-1] if self.plan_json_paths else self._plan_json(1)

    def _plan_json(self, attempt: int) -> Path:
        return self.workdir / (
            f"{self.stack_name}.plan.json" if attempt == 1 else f"{self.stack_name}.plan-{attempt}.json"
        )

    def deploy(self) -> OutputsT_co:
        """``init`` and ``apply`` (unless ``SKIP_deploy``), then read and parse the outputs.

        With a gate (the default): ``plan`` to a file, the gate on its JSON, then ``apply`` of exactly
        that plan. When the apply stops on a transient error, part of the plan is applied and the
        saved plan is spent: the deploy plans again against what state now holds, gates that plan and
        applies it (said in the run summary), up to :data:`APPLY_ATTEMPTS` rounds.
        """
        if not self.skipped("deploy"):
            self._write_metadata()
            # Before anything is applied: the sweep then reports a detector or recorder this run made.
            self.singletons_before = snapshot_singletons(self.target)
            with self._stage("deploy: terraform init"):
                self.terraform.init()
            if self.gate is None:
                with self._stage("deploy: terraform apply"), self._counting(ApplyProgress(self._say)):
                    self.terraform.apply()
            else:
                self._gated_apply(self.gate)
        self.raw_outputs = self.terraform.output()
        if not self.raw_outputs:
            raise RuntimeError(
                f"{self.stack_name}: no outputs in state; was it deployed? see {self.log_path}"
            )
        self._outputs = self.read_outputs(self.raw_outputs)
        return self._outputs

    def _gated_apply(self, gate: Callable[[Path], None]) -> None:
        """Plan, let ``gate`` judge the plan, apply exactly that plan; again after a transient error."""
        for attempt in range(1, APPLY_ATTEMPTS + 1):
            with self._stage("deploy: terraform plan"):
                plan = self.terraform.plan_to_file(DEPLOY_PLAN)
                plan_json = self._plan_json(attempt)
                plan_json.write_text(json.dumps(plan))
                self.plan_json_paths.append(plan_json)
            with self._stage("deploy: gate before apply"):
                if attempt > 1 and isinstance(gate, PlanGate):  # a plan against a half-applied state
                    dataclasses.replace(gate, judge_stale=False, changes_only=True)(plan_json)
                else:
                    gate(plan_json)
            try:
                counter = ApplyProgress(self._say, planned=planned_count(plan))
                with self._stage("deploy: terraform apply"), self._counting(counter):
                    self.terraform.apply_plan(DEPLOY_PLAN)
                return
            except TerraformError as err:
                if attempt == APPLY_ATTEMPTS or not err.retryable:
                    raise
                first = err.errors.splitlines()[0] if err.errors else f"exit {err.returncode}"
                self._say(
                    f"apply stopped on a transient error ({first}): planning again, gating the new plan"
                )
                self.retries.append(f"{self.stack_name}: apply re-planned and re-gated after: {first}")

    @contextmanager
    def _counting(self, counter: ApplyProgress) -> Iterator[None]:
        """Feed Terraform's output to ``counter`` meanwhile; say its final count."""
        self.terraform.on_line = counter
        try:
            yield
        finally:
            self.terraform.on_line = None
            if counter.done:
                self._say(counter.line())

    def teardown(self) -> list[Orphan]:
        """Destroy (unless ``SKIP_teardown``) and sweep; idempotent. Raises when orphans remain.

        Says what it found in state before destroying, so a failed or interrupted deploy reports what
        it had created and what was cleaned.
        """
        if self.torn_down or self.skipped("teardown"):
            return self.orphans
        with self._stage("teardown: terraform destroy"):
            self._destroy()
        with self._stage("teardown: orphan sweep"):
            for cleared in clear_emulator_gaps(self.target, self.run_id):
                self._say(f"teardown: deleted what AWS deletes with the stack: {cleared}")
            self.orphans = sweep(self.target, self.run_id, singletons_before=self.singletons_before)
        self.torn_down = True
        if self.orphans:
            raise OrphansFoundError(self.run_id, self.orphans)
        self._say("orphan sweep: 0 resources left")
        return self.orphans

    def _destroy(self) -> None:
        """Destroy what state holds, retrying while the target does not answer.

        A failure that is not about reaching the target is retried once: a half-created resource
        often clears on a second pass. An unreachable target (emulator restarting, network gone) is
        waited for, up to ``unreachable_wait_seconds``, then destroy runs again.
        """
        if not (self.stack_dir / ".terraform").exists():
            self.terraform.init()
        in_state = self._state_or_none()
        if in_state is not None:
            self._say(f"teardown: {len(in_state)} resources in state to destroy{_by_type(in_state)}")
        deadline = time.monotonic() + self.unreachable_wait_seconds
        retried_other = False
        if in_state is not None:
            in_state = self._forget_what_destroy_cannot_delete(in_state)
        planned = None if in_state is None else sum(1 for a in in_state if not _is_data_source(a))
        while True:
            try:
                with self._counting(ApplyProgress(self._say, planned=planned, verb="destroyed")):
                    self.terraform.destroy()
                return
            except TerraformError as err:
                first = err.errors.splitlines()[:1]
                if err.retryable and time.monotonic() < deadline:
                    if not self._wait_until_answering(deadline):
                        raise
                    self._say(f"destroy failed ({first}); the target answers: retrying destroy")
                    self.retries.append(
                        f"{self.stack_name}: destroy retried once the target answered again: {first}"
                    )
                    continue
                if retried_other:
                    raise
                retried_other = True
                self._say(f"destroy failed, retrying once: {first}")
                self.retries.append(f"{self.stack_name}: destroy retried after: {first}")

    def _forget_what_destroy_cannot_delete(self, in_state: list[str]) -> list[str]:
        """Drop from state what :data:`FORGOTTEN_BEFORE_DESTROY` names where its gap holds; what stays."""
        kept = list(in_state)
        for gap, resource_types in FORGOTTEN_BEFORE_DESTROY.items():
            if self.target.gap(gap) is None:
                continue
            for address in [a for a in kept if resource_type_of(a) in resource_types]:
                self.terraform.state_rm(address)
                kept.remove(address)
                self._say(f"teardown: {address} forgotten before destroy (emulator gap {gap})")
        return kept

    def _state_or_none(self) -> list[str] | None:
        try:
            return self.terraform.state_list()
        except TerraformError:
            return None

    def _wait_until_answering(self, deadline: float) -> bool:
        """Poll the target until it answers or ``deadline`` passes; True when it answers."""
        self._say(
            f"target {self.target.endpoint or self.target.region} does not answer: waiting up to "
            f"{max(0, deadline - time.monotonic()):.0f}s for it before destroying again"
        )
        while time.monotonic() < deadline:
            if self.target.answers():
                return True
            time.sleep(2)
        self._say(
            "target still does not answer: state is kept; destroy later with "
            f"`python -m harness destroy --workdir {self.workdir}`"
        )
        return False

    @contextmanager
    def deployed(self) -> Iterator[EphemeralEnvironment[OutputsT_co]]:
        """Deploy, yield, and always tear down, also after a failed or interrupted apply."""
        with interrupts_as_keyboard_interrupt():
            try:
                self.deploy()
                yield self
            finally:
                self.teardown()

    def _write_metadata(self) -> None:
        meta = {
            "run_id": self.run_id,
            "stack": self.stack_name,
            "stack_dir": str(self.stack_dir),
            "endpoint": self.target.endpoint,
            "region": self.target.region,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (self.workdir / f"{self.stack_name}.run.json").write_text(json.dumps(meta, indent=2))


def _is_data_source(address: str) -> bool:
    return address.startswith("data.") or ".data." in address


def _by_type(addresses: list[str]) -> str:
    """`` (12 aws_s3_bucket..., ...)``: the five most common resource types of ``addresses``."""
    if not addresses:
        return ""
    counts = Counter(resource_type_of(address) for address in addresses)
    common = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
    return " (" + ", ".join(f"{n} {kind}" for kind, n in common) + (", ..." if len(counts) > 5 else "") + ")"


@contextmanager
def interrupts_as_keyboard_interrupt() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt so ``finally`` blocks (teardown) run as on Ctrl-C.

    SIGINT is set too, not left to Python's default: a process started from a shell's background job
    inherits SIGINT ignored, and Python then installs no KeyboardInterrupt for it at all.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)
