"""A probe that acts through a role of its own, so that a policy, not the root identity, decides.

The harness's own clients act as the account root (on the emulators, :data:`EMULATOR_CREDENTIALS`).
MiniStack lets the root past every bucket policy, and AWS lets the root do what no policy denies it;
where a check is about what a policy refuses, the probe assumes a throwaway role holding exactly the
grant the check needs, and the policy under test is then all that can refuse it. The role's name
carries the run id, so the orphan sweep would find it if its deletion were ever skipped.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_fixed

from harness.aws_target import AwsTarget

ASSUME_WAIT_SECONDS = 60.0
"""How long a new role may take to become assumable (IAM propagation on AWS; at once on the emulators)."""


T = TypeVar("T")


def once_granted(target: AwsTarget, call: Callable[[], T]) -> T:
    """``call()``: retried on AccessDenied on AWS, tried once on the emulators.

    On AWS a new role's trust and grant take a while to apply (up to :data:`ASSUME_WAIT_SECONDS`); the
    emulators apply them at once, so a refusal there is real. Used for the probe's AssumeRole and for
    its first call as the role.
    """
    stop = stop_after_attempt(1) if target.is_emulator else stop_after_delay(ASSUME_WAIT_SECONDS)
    for attempt in Retrying(
        stop=stop, wait=wait_fixed(2), retry=retry_if_exception(_not_yet_granted), reraise=True
    ):
        with attempt:
            return call()
    raise AssertionError("unreachable: Retrying re-raises or returns")  # pragma: no cover


def _not_yet_granted(err: BaseException) -> bool:
    return isinstance(err, ClientError) and err.response["Error"]["Code"] == "AccessDenied"


@contextmanager
def probe_session(target: AwsTarget, role_name: str, grant: dict[str, Any]) -> Iterator[AwsTarget]:
    """``target`` acting as a session of a new role ``role_name`` that holds ``grant`` only.

    The role trusts the account (its root assumes it) and is deleted on the way out, whatever happened.

    Raises:
        ValueError: ``role_name`` is longer than IAM allows (64 characters).
    """
    if len(role_name) > 64:
        raise ValueError(f"role_name: at most 64 characters (got {len(role_name)}: {role_name!r})")
    iam = target.client("iam")
    account = target.client("sts").get_caller_identity()["Account"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    try:
        iam.put_role_policy(RoleName=role_name, PolicyName="probe-grant", PolicyDocument=json.dumps(grant))

        answer = once_granted(
            target, lambda: target.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="probe")
        )
        credentials: dict[str, str] = answer["Credentials"]
        yield dataclasses.replace(
            target,
            credentials={
                "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": credentials["SessionToken"],
            },
        )
    finally:
        _delete_role(iam, role_name)


def _delete_role(iam: Any, role_name: str) -> None:
    """Delete the probe role's grant (if it was put), then the role (IAM refuses it while a grant remains).

    Raises:
        ClientError: A deletion failed (the role then stays, and the orphan sweep names it by its run id).
    """
    try:
        iam.delete_role_policy(RoleName=role_name, PolicyName="probe-grant")
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            raise
    iam.delete_role(RoleName=role_name)
