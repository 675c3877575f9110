"""Run a Lambda handler from ``lambda/`` with local Node.js against the target's APIs.

Where the emulator cannot run functions (capability list: ``behaviour:lambda_invoke``), a live test
can still prove that the deployed function's code does its job against the deployed resources: the
handler runs here, with the deployed function's own environment variables, and its AWS SDK calls go
to the target (the emulator endpoint through ``AWS_ENDPOINT_URL``, or AWS itself). On the emulator
pair each service the target routes elsewhere gets its own ``AWS_ENDPOINT_URL_<SERVICE ID>`` (the AWS
SDK's service-specific endpoint setting), so the handler reaches each service where it is hosted.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
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


@cache
def _service_id(service: str) -> str:
    """The service id of a boto3 service name (``secretsmanager`` -> ``Secrets Manager``)."""
    import botocore.session

    return str(botocore.session.get_session().get_service_model(service).service_id)


def endpoint_environment(target: AwsTarget) -> dict[str, str]:
    """The endpoint settings of the AWS SDK for ``target``: none for AWS.

    ``AWS_ENDPOINT_URL`` is the target's endpoint; each service routed to another endpoint gets
    ``AWS_ENDPOINT_URL_<service id, upper case, spaces as _>`` (``AWS_ENDPOINT_URL_SECRETS_MANAGER``).
    """
    if not target.endpoint:
        return {}
    env = {"AWS_ENDPOINT_URL": target.endpoint}
    for service, url in sorted(target.service_endpoints.items()):
        if url != target.endpoint:
            env["AWS_ENDPOINT_URL_" + _service_id(service).upper().replace(" ", "_")] = url
    return env


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
    env.update(endpoint_environment(target))
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
