"""Benchmark: synth, unit suite, both stacks on the emulator, harness overhead, parallel speed-up.

Cold synth time and memory, the unit suite, both stacks' deploy and destroy on the emulator, the
harness against bare Terraform, and two parallel environments against two serial ones.

    .venv/bin/python bench/bench.py            # all figures
    .venv/bin/python bench/bench.py --no-live  # skip the emulator deploy/destroy
    .venv/bin/python bench/bench.py --live-only  # only the emulator figures

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


def bench_unit_suite() -> None:
    """The unit suite as bin/test runs it (two workers), cold and warm.

    Cold: after a change to what synthesis reads (one worker synthesizes, the other waits for it).
    Warm: again with nothing changed (the synthesis is reused).
    """
    command = [sys.executable, "-m", "pytest", "unit_tests", "-q", "-n", "2", "--dist", "loadfile"]
    command += ["-p", "no:cacheprovider"]
    for label, cache in (("after a change to the constructs (cold)", "0"), ("nothing changed (warm)", "1")):
        seconds, peak, code = measure(command, env={**os.environ, "UNIT_SYNTH_CACHE": cache})
        print(
            f"unit suite (2 workers), {label}: {seconds:.1f} s, "
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


def main() -> int:
    """Run the selected benchmarks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-live", action="store_true", help="skip the emulator deploy/destroy figures")
    parser.add_argument("--live-only", action="store_true", help="only the emulator deploy/destroy figures")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it happens
    print(f"benchmark {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores")
    if not args.live_only:
        bench_synth()
        bench_unit_suite()
    if not args.no_live:
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
