"""Run a Lambda handler from ``lambda/`` with local Node.js against the target's APIs.

Where the emulator cannot run functions (capability list: ``behaviour:lambda_invoke``), a live test
can still prove that the deployed function's code does its job against the deployed resources: the
handler runs here, with the deployed function's own environment variables, and its AWS SDK calls go
to the target (the emulator endpoint through ``AWS_ENDPOINT_URL``, or AWS itself).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from harness.aws_target import AwsTarget
from pci_infra.app.paths import LAMBDA_DIR

LAMBDA_ROOT = LAMBDA_DIR

_RUNNER = """
const [, modulePath, eventJson] = process.argv;
const { handler } = await import(modulePath);
const result = await handler(JSON.parse(eventJson));
process.stdout.write('\\n@@result@@' + JSON.stringify(result ?? null));
"""


class HandlerError(RuntimeError):
    """The handler threw or Node.js failed."""


def run_handler(
    target: AwsTarget,
    function_dir: str,
    event: dict[str, Any],
    environment: dict[str, str],
    timeout: float = 60,
) -> Any:
    """Invoke ``lambda/<function_dir>/index.mjs``'s handler once and return its result."""
    entry = LAMBDA_ROOT / function_dir / "index.mjs"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(Path.home())),
        "AWS_REGION": target.region,
        **target.terraform_env(),
        **environment,
    }
    if target.endpoint:
        env["AWS_ENDPOINT_URL"] = target.endpoint
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", _RUNNER, entry.as_uri(), json.dumps(event)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0 or "@@result@@" not in completed.stdout:
        raise HandlerError(
            f"{function_dir} handler failed (exit {completed.returncode}): {completed.stderr[-2000:]}"
        )
    return json.loads(completed.stdout.rsplit("@@result@@", 1)[1])
