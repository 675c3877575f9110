"""Terraform via subprocess: full logs to a file, retries on known transient errors, clean interrupts."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RETRYABLE_ERRORS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"RequestLimitExceeded",
        r"Throttling(Exception)?",
        r"TooManyRequestsException",
        r"ServiceUnavailable",
        r"connection reset by peer",
        r"connection refused",
        r"use of closed network connection",
        r"i/o timeout",
        r"TLS handshake timeout",
        r"timeout while waiting for plugin to start",
        r"Failed to load plugin schemas",
        r"OperationAborted: A conflicting conditional operation",
        # A server-side fault, after the SDK's own retries. On AWS an InternalError; on the emulator
        # also a race between concurrent requests (a registry changing size while another request
        # iterates it, e.g. DescribeSecurityGroupRules during CreateSecurityGroup). A resource left
        # half-created is tainted in state and replaced by the next attempt.
        r"https response error StatusCode: 50[0-4]\b",
    )
)
"""Errors worth retrying the whole command for: throttling, server faults, transient network and
plugin start-up."""

MAX_ATTEMPTS = 3


class TerraformError(RuntimeError):
    """A Terraform command failed; the message carries its error lines and the log path."""

    def __init__(
        self, command: Sequence[str], returncode: int, errors: str, log_path: Path, *, retryable: bool = False
    ) -> None:
        """Describe the failed command; ``retryable`` when its output matched a transient error."""
        self.command = list(command)
        self.returncode = returncode
        self.errors = errors
        self.log_path = log_path
        self.retryable = retryable
        super().__init__(
            f"terraform {' '.join(command)} exited {returncode}; full log: {log_path}\n{errors}".rstrip()
        )


def error_lines(output: str, limit: int = 40) -> str:
    """The ``Error:`` blocks of Terraform output with their detail text, for messages.

    A block runs from its ``Error:`` line to the next one (at most 16 lines), so the provider's
    explanation below the source excerpt is kept; the log file keeps everything.
    """
    picked: list[str] = []
    block: list[str] | None = None
    for line in output.splitlines():
        if "Error:" in line:
            block = [line]
            picked.append(line)
        elif block is not None:
            if len(block) >= 16 or (line.startswith(("Warning:", "Apply complete", "Destroy complete"))):
                block = None
                continue
            block.append(line)
            picked.append(line)
    return "\n".join(picked[:limit])


def resource_type_of(address: str) -> str:
    """``aws_flow_log`` of ``module.network_vpc.aws_flow_log.s3[0]`` (and of ``data.aws_flow_log.x``)."""
    parts = address.split(".")
    while parts and parts[0] == "module":
        parts = parts[2:]
    return parts[1] if parts[0] == "data" else parts[0]


_ABSENT: Any = object()
"""Stands for a map key or list element one side of a planned change does not have."""
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def changed_paths(change: Mapping[str, Any]) -> list[str]:
    """The attribute paths whose values differ between a planned change's ``before`` and ``after``.

    ``change`` is the ``change`` object of one ``resource_changes`` entry of ``terraform show -json``.
    Objects and lists are compared key by key and element by element, so a path names the deepest
    place where the two sides part: ``logging_config[0]`` (an element only one side has),
    ``scaling_configuration[0].min_capacity``, ``tags["team:owner"]``. A value the plan knows only
    after apply (``after_unknown``) counts as different; attributes equal on both sides are left out.
    A change with no object on one side (a create or a delete) is the single path ``""``.
    """
    found: list[str] = []
    _differences(change.get("before"), change.get("after"), change.get("after_unknown"), "", found)
    return found


def _differences(before: Any, after: Any, unknown: Any, path: str, found: list[str]) -> None:
    if unknown is True:
        found.append(path)
    elif isinstance(before, dict) and isinstance(after, dict):
        keys = {*before, *after, *(unknown if isinstance(unknown, dict) else ())}
        for key in sorted(keys):
            if not _IDENTIFIER.match(key):
                inner = f"{path}[{json.dumps(key)}]"
            else:
                inner = f"{path}.{key}" if path else key
            _differences(
                before.get(key, _ABSENT),
                after.get(key, _ABSENT),
                unknown.get(key) if isinstance(unknown, dict) else None,
                inner,
                found,
            )
    elif isinstance(before, list) and isinstance(after, list):
        for index in range(max(len(before), len(after), len(unknown) if isinstance(unknown, list) else 0)):
            _differences(
                before[index] if index < len(before) else _ABSENT,
                after[index] if index < len(after) else _ABSENT,
                unknown[index] if isinstance(unknown, list) and index < len(unknown) else None,
                f"{path}[{index}]",
                found,
            )
    elif before != after or (path == "" and (before is None or after is None)):
        found.append(path)


def is_retryable(output: str) -> re.Pattern[str] | None:
    """The first retryable pattern found in ``output``, or ``None``."""
    return next((p for p in RETRYABLE_ERRORS if p.search(output)), None)


@dataclass
class Terraform:
    """Runs Terraform in one working directory.

    Attributes:
        workdir: Directory holding the synthesized ``cdk.tf.json``.
        log_path: File that receives the full output of every command.
        env: Extra environment (CLI config, credentials) on top of the current one.
        parallelism: Terraform's ``-parallelism``.
        on_line: Called with every output line as it comes (e.g. an :class:`ApplyProgress`).
    """

    workdir: Path
    log_path: Path
    env: Mapping[str, str] = field(repr=False)
    parallelism: int = 20
    on_line: Callable[[str], None] | None = field(default=None, repr=False)

    def run(
        self, *args: str, allowed_exit_codes: tuple[int, ...] = (0,), attempts: int = MAX_ATTEMPTS
    ) -> subprocess.CompletedProcess[str]:
        """Run ``terraform <args>``, retrying retryable failures; raise :class:`TerraformError` otherwise.

        On Ctrl-C or SIGTERM, Terraform is sent SIGINT and waited for, so it can stop gracefully and
        write its state; then the interrupt propagates and the caller's teardown runs.
        """
        command = ["terraform", *args]
        for attempt in range(1, attempts + 1):
            result = self._run_once(command)
            if result.returncode in allowed_exit_codes:
                return result
            pattern = is_retryable(result.stdout)
            if pattern is None or attempt == attempts:
                raise TerraformError(
                    args,
                    result.returncode,
                    error_lines(result.stdout),
                    self.log_path,
                    retryable=pattern is not None,
                )
            self._log(
                f"# retrying after a transient error matching /{pattern.pattern}/ (attempt {attempt})\n"
            )
            time.sleep(2 * attempt)
        raise AssertionError("unreachable")

    def _run_once(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", **self.env}
        self._log(f"\n# {time.strftime('%H:%M:%S')} $ {' '.join(command)}\n")
        process = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # we forward one interrupt ourselves; Terraform then stops cleanly
        )
        chunks: list[str] = []
        try:
            assert process.stdout is not None
            with self.log_path.open("a") as log:
                for line in process.stdout:
                    chunks.append(line)
                    log.write(line)
                    log.flush()
                    if self.on_line is not None:
                        self.on_line(line)
            process.wait()
        except BaseException:
            if process.poll() is None:
                self._log("# interrupted: asking terraform to stop gracefully (SIGINT)\n")
                process.send_signal(signal.SIGINT)
                self._drain_until_exit(process)
            raise
        return subprocess.CompletedProcess(command, process.returncode, "".join(chunks), "")

    def _drain_until_exit(self, process: subprocess.Popen[str], timeout: float = 300) -> None:
        """Keep logging an interrupted Terraform's output (a full pipe would stall it) until it exits."""
        deadline = time.monotonic() + timeout
        assert process.stdout is not None
        with self.log_path.open("a") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                if time.monotonic() > deadline:
                    break
        try:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._log("# terraform did not stop in time: killed (state may need `terraform state rm`)\n")
            process.kill()
            process.wait()

    def _log(self, text: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a") as log:
            log.write(text)

    def init(self) -> None:
        """``terraform init`` (providers from the CLI config's mirror or registry)."""
        self.run("init", "-input=false", "-no-color")

    def apply(self) -> None:
        """``terraform apply -auto-approve``."""
        self.run("apply", "-auto-approve", "-input=false", "-no-color", f"-parallelism={self.parallelism}")

    def plan_to_file(self, plan_file: str) -> dict[str, Any]:
        """``terraform plan -out=<plan_file>``, returning the plan as JSON (``terraform show -json``)."""
        self.run("plan", "-input=false", "-no-color", f"-parallelism={self.parallelism}", f"-out={plan_file}")
        shown: dict[str, Any] = json.loads(self.run("show", "-json", "-no-color", plan_file).stdout)
        return shown

    def apply_plan(self, plan_file: str) -> None:
        """Apply exactly the saved plan ``plan_file``, once.

        A saved plan cannot be applied twice: after a transient failure part of it is applied, so
        the caller plans again (and gates the new plan) rather than retrying here.
        """
        self.run(
            "apply", "-input=false", "-no-color", f"-parallelism={self.parallelism}", plan_file, attempts=1
        )

    def destroy(self) -> None:
        """``terraform destroy -auto-approve``."""
        self.run("destroy", "-auto-approve", "-input=false", "-no-color", f"-parallelism={self.parallelism}")

    def planned_changes(self) -> list[tuple[str, list[str]]]:
        """What a plan against the current state would do: (address, actions) for each change.

        Empty when the deployed environment matches its configuration (``-detailed-exitcode`` 0).
        """
        return [
            (change["address"], change["change"]["actions"]) for change in self.planned_resource_changes()
        ]

    def planned_resource_changes(self) -> list[dict[str, Any]]:
        """What a plan against the current state would do: each ``resource_changes`` entry that changes.

        Entries as ``terraform show -json`` gives them (``change`` holds ``actions``, ``before``,
        ``after``, ``after_unknown``), without ``no-op`` and ``read``. Empty when the deployed
        environment matches its configuration (``-detailed-exitcode`` 0).
        """
        plan_file = "idempotency.tfplan"
        result = self.run(
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            f"-out={plan_file}",
            allowed_exit_codes=(0, 2),
        )
        if result.returncode == 0:
            return []
        shown = json.loads(self.run("show", "-json", "-no-color", plan_file).stdout)
        return [
            change
            for change in shown.get("resource_changes", [])
            if change["change"]["actions"] not in (["no-op"], ["read"])
        ]

    def output(self) -> dict[str, Any]:
        """Outputs as plain values (``terraform output -json``)."""
        raw = json.loads(self.run("output", "-json", "-no-color").stdout or "{}")
        return {name: item["value"] for name, item in raw.items()}

    def state_list(self) -> list[str]:
        """Addresses in state (empty when there is no state yet)."""
        result = self.run("state", "list", "-no-color", allowed_exit_codes=(0, 1))
        return [line for line in result.stdout.splitlines() if line.strip()] if result.returncode == 0 else []

    def state_rm(self, address: str) -> None:
        """Forget ``address`` (a failed create can leave state its destroy cannot remove)."""
        self.run("state", "rm", "-no-color", address)
