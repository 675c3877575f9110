"""The project installs as a regular (non-editable) package and synthesizes both stacks from it.

GIVEN a fresh virtual environment with the project installed from a built wheel (its dependencies
lent from the project's ``.venv``, never the checkout's sources)
WHEN a script outside the checkout imports the app and synthesizes, run from the project directory
THEN the code came from the installed wheel and both stacks are synthesized.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

from pci_infra.app.paths import PROJECT_ROOT
from pci_infra.app.stack_kind import StackKind

PACKAGE_SOURCES = ("pyproject.toml", "main.py", "pci_infra", "harness")
"""What the wheel is built from (the project's assets stay in the project directory)."""

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import pci_infra, harness
    from pci_infra.app.settings_sources import parse_settings
    from pci_infra.app.synthesis import synthesize
    argv = ["--environment-suffix", "pkg", "--run-id", "pkg123", "--target", "aws",
            "--guardduty-detector", "create", "--config-recorder", "create",
            "--alert-email", "oncall@example.org", "--standby-endpoint", "api.dr.example.org",
            "--api-certificate-arn", "arn:aws:acm:us-east-1:111122223333:certificate/abc",
            "--state-dir", sys.argv[2]]
    synthesize(parse_settings(argv, environ={}), Path(sys.argv[1]))
    print(json.dumps({"pci_infra": pci_infra.__file__, "harness": harness.__file__}))
    """
)


def test_a_regular_install_synthesizes_both_stacks(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The pinned dependencies (cdktf and the provider bindings are large) are lent, not reinstalled:
    # a plain path entry, so the checkout's own editable-install hook in that directory is not run.
    (site / "lent-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Built from a copy of what a clone holds, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT_ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(source)],
        check=True,
        cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("pci_payment_infra-*.whl")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True)
    script = tmp_path / "synth.py"
    script.write_text(SCRIPT)
    outdir = tmp_path / "out"
    done = subprocess.run(
        [python, str(script), str(outdir), str(tmp_path / "state")],
        cwd=PROJECT_ROOT,  # the project directory holds the HCL modules and function sources
        check=True,
        capture_output=True,
        text=True,
    )
    origins = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(Path(path).is_relative_to(site) for path in origins.values()), origins
    for stack in StackKind:
        document = json.loads((outdir / "stacks" / stack.value / "cdk.tf.json").read_text())
        assert document["resource"], f"{stack.value}: synthesized without resources"
