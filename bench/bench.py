"""Benchmark: cold synth time and peak memory, unit-suite time, payment platform deploy and destroy time.

    .venv/bin/python bench/bench.py            # all figures
    .venv/bin/python bench/bench.py --no-live  # skip the emulator deploy/destroy

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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
    """The unit suite alone, as on every change."""
    seconds, peak, code = measure(
        [sys.executable, "-m", "pytest", "unit_tests", "-q", "-p", "no:cacheprovider"]
    )
    print(f"unit suite (1 process): {seconds:.1f} s, peak memory {peak / 1024:.0f} MiB, exit {code}")


def bench_deploy_destroy() -> None:
    """Deploy and destroy the payment platform (as built so far) on a fresh emulator."""
    from harness.aws_target import AwsTarget
    from harness.emulator import MotoServer
    from harness.environment import EphemeralEnvironment
    from harness.run_id import new_run_id
    from main import parse_settings, synthesize

    run_id = new_run_id()
    workdir = ROOT / ".work" / f"bench-{run_id}"
    with MotoServer(workdir / "moto.log") as server:
        settings = parse_settings(
            [
                "--environment-suffix",
                "bench",
                "--run-id",
                run_id,
                "--emulator-endpoint",
                server.endpoint,
                "--stacks",
                "payment-platform",
                "--state-dir",
                str(workdir / "state"),
            ],
            os.environ,
        )
        synthesize(settings, workdir / "cdktf.out")
        env = EphemeralEnvironment(
            stack_name="payment-platform",
            run_id=run_id,
            stack_dir=workdir / "cdktf.out" / "stacks" / "payment-platform",
            workdir=workdir,
            target=AwsTarget.emulator("us-east-1", server.endpoint),
            progress=lambda _m: None,
            environ={},
        )
        started = time.monotonic()
        env.deploy()
        deployed = time.monotonic()
        env.teardown()
        finished = time.monotonic()
    print(f"payment platform deploy (init + apply) on the emulator: {deployed - started:.1f} s")
    print(f"payment platform destroy + orphan sweep on the emulator: {finished - deployed:.1f} s")


def main() -> int:
    """Run the selected benchmarks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-live", action="store_true", help="skip the emulator deploy/destroy figure")
    args = parser.parse_args()
    print(f"benchmark {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores")
    bench_synth()
    bench_unit_suite()
    if not args.no_live:
        bench_deploy_destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
