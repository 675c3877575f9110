"""Benchmark: synth, the PR gate, both stacks on the emulator, harness overhead, parallel speed-up, nightly.

Cold synth time and memory; the PR gate (``bin/check``) warm and after a change to a module; both
stacks' deploy and destroy on the emulator; the harness against bare Terraform; two parallel
environments against two serial ones; the nightly command (``bash .ci/run``) from a fresh clone, by
section and stage, with a chart of the stage times (``bench/stages.svg``).

    .venv/bin/python bench/bench.py                       # all figures (about 30 minutes)
    .venv/bin/python bench/bench.py --only pr-gate        # one group: synth, pr-gate, live, nightly

Prints one line per figure; the README keeps the latest figures with their date.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pci_infra.app.stack_kind import StackKind  # noqa: E402  (after the path: run as a script)


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Run ``command``; return (wall seconds, peak tree RSS KiB, exit code)."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    return time.monotonic() - started, peak, code


def bench_synth() -> None:
    """Cold synth of the whole app in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        seconds, peak, code = measure([sys.executable, "main.py", "--outdir", out, "--run-id", "bench1"])
    print(
        f"cold synth (fresh process, import + synth): {seconds:.1f} s, "
        f"peak memory {peak / 1024:.0f} MiB, exit {code}"
    )


PR_GATE_MODULE_FILE = ROOT / "modules" / "waf" / "variables.tf"
"""The module file the "after a module change" figure changes (a comment line, then restored)."""


def bench_pr_gate() -> None:
    """``bin/check`` with nothing changed (warm), then after a change to a module (its caches miss).

    A module change invalidates the synthesis, that module's ``terraform test`` result, the checkov
    scan of ``modules/`` and the AWS-target plans; the other modules' results are reused.
    """
    command = ["bash", "bin/check"]
    measure(command)  # warm every cache for the inputs as they are
    seconds, peak, code = measure(command)
    print(
        f"PR gate (bin/check), nothing changed (warm): {seconds:.1f} s, "
        f"peak memory {peak / 1024:.0f} MiB, exit {code}"
    )
    original = PR_GATE_MODULE_FILE.read_text()
    try:
        PR_GATE_MODULE_FILE.write_text(original + f"# benchmark change {time.time_ns()}\n")
        seconds, peak, code = measure(command)
    finally:
        PR_GATE_MODULE_FILE.write_text(original)
    print(
        f"PR gate (bin/check) after a change to modules/waf: {seconds:.1f} s, "
        f"peak memory {peak / 1024:.0f} MiB, exit {code}"
    )


def _environment(stack: StackKind, tag: str, endpoint: str) -> Any:
    """A synthesized throwaway environment of ``stack`` on the emulator at ``endpoint``."""
    from harness.existing_secret import create_database_secret
    from harness.run import WORK_ROOT, HarnessRun
    from harness.run_id import new_run_id

    run_id = new_run_id()
    run = HarnessRun.start(
        suffix="bench",
        run_id=run_id,
        workdir=WORK_ROOT / f"bench-{tag}-{run_id}",
        endpoint=endpoint,
        environ=os.environ,
        stacks=(stack,),
    )
    run.synthesize()
    if stack is StackKind.PCI_DATA_PROCESSING:  # the stack looks its database secret up: it must exist
        create_database_secret(run.target, run.settings.pci_database_secret)
    return run.environment(stack, progress=lambda _m: None, environ={})


def _cycle(env: Any) -> tuple[float, float]:
    started = time.monotonic()
    env.deploy()
    deployed = time.monotonic()
    env.teardown()
    return deployed - started, time.monotonic() - deployed


def bench_stacks(emulator: Any) -> dict[StackKind, float]:
    """Deploy and destroy each stack through the harness; return the totals."""
    totals = {}
    for stack in StackKind:
        with emulator() as server:
            deploy, teardown = _cycle(_environment(stack, "serial", server.endpoint))
        totals[stack] = deploy + teardown
        print(f"{stack}: deploy {deploy:.1f} s, destroy + orphan sweep {teardown:.1f} s on the emulator")
    print(f"both stacks, one after the other: {sum(totals.values()) / 60:.1f} min")
    return totals


def bench_harness_overhead(emulator: Any, harness_seconds: float) -> None:
    """Bare terraform init/apply/destroy on the same synthesized PCI stack, against the harness."""
    with emulator() as server:
        env = _environment(StackKind.PCI_DATA_PROCESSING, "bare", server.endpoint)
        run = env.terraform.run
        started = time.monotonic()
        run("init", "-input=false", "-no-color")
        run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20")
        run("destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=20")
        bare = time.monotonic() - started
    overhead = (harness_seconds - bare) / bare * 100
    print(
        f"harness overhead on the PCI stack: {harness_seconds:.1f} s against bare terraform "
        f"{bare:.1f} s ({overhead:+.0f}%)"
    )


def bench_parallel(emulator: Any, serial_seconds: float) -> None:
    """Two PCI environments at once, against two one after the other."""
    with emulator() as first, emulator() as second:
        envs = [
            _environment(StackKind.PCI_DATA_PROCESSING, f"par{i}", s.endpoint)
            for i, s in enumerate((first, second))
        ]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(_cycle, envs))
        parallel = time.monotonic() - started
    print(
        f"2 PCI environments in parallel: {parallel:.1f} s; serial {2 * serial_seconds:.1f} s "
        f"(speed-up {2 * serial_seconds / parallel:.2f}x)"
    )


def bench_nightly() -> None:
    """The nightly command from a fresh clone of ``HEAD``: total, sections, stage shares, chart."""
    from bench.chart import write_chart
    from bench.nightly import run_from_fresh_clone

    figures = run_from_fresh_clone(ROOT)
    print(
        f"nightly (bash .ci/run) from a fresh clone, set-up included: {figures.total / 60:.1f} min, "
        f"exit {figures.exit_code}"
    )
    for title, rows in (
        ("  section", figures.sections),
        ("  worker time by test file", figures.test_files),
        ("  harness stage (both stacks and the extra environments)", figures.harness_stages),
    ):
        total = sum(seconds for _label, seconds in rows) or 1.0
        for label, seconds in rows:
            print(f"{title}: {label}: {seconds:.0f} s ({100 * seconds / total:.0f}%)")
    for line in figures.summary_lines:
        print(f"  run summary: {line}")
    chart = write_chart(
        ROOT / "bench" / "stages.svg",
        f"nightly from a fresh clone, {time.strftime('%Y-%m-%d')}: "
        f"{figures.total / 60:.1f} min on {os.cpu_count()} cores",
        [
            ("wall clock by section", figures.sections),
            ("worker time by test file", figures.test_files[:8]),
            ("harness stages", figures.harness_stages[:8]),
        ],
    )
    print(f"chart of the stage times: {chart.relative_to(ROOT)}")


GROUPS = ("synth", "pr-gate", "live", "nightly")


def main() -> int:
    """Run the selected benchmarks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group (repeatable)")
    args = parser.parse_args()
    groups = set(args.only or GROUPS)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it happens
    print(f"benchmark {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores")
    if "synth" in groups:
        bench_synth()
    if "pr-gate" in groups:
        bench_pr_gate()
    if "nightly" in groups:
        bench_nightly()
    if "live" in groups:
        from harness.emulator import MotoServer

        # One emulator per environment, as the live tests run them (one per worker).
        def emulator() -> Any:
            return MotoServer(ROOT / ".work" / f"bench-moto-{time.time_ns()}.log")

        totals = bench_stacks(emulator)
        bench_harness_overhead(emulator, totals[StackKind.PCI_DATA_PROCESSING])
        bench_parallel(emulator, totals[StackKind.PCI_DATA_PROCESSING])
    return 0


if __name__ == "__main__":
    sys.exit(main())
