"""Run ids: the only random part of any resource name."""

from __future__ import annotations

import secrets
import string

RUN_ID_ALPHABET = string.ascii_lowercase + string.digits
RUN_ID_LENGTH = 6


def new_run_id() -> str:
    """A fresh 6-character id of lowercase letters and digits, starting with a letter.

    Starting with a letter keeps names valid where AWS wants a letter after a hyphen-free prefix.
    """
    first = secrets.choice(string.ascii_lowercase)
    return first + "".join(secrets.choice(RUN_ID_ALPHABET) for _ in range(RUN_ID_LENGTH - 1))


def is_run_id(text: str) -> bool:
    """True for a run id: 6 lowercase letters or digits.

    Ids made by :func:`new_run_id` also start with a letter; ids given by hand (``INFRA_RUN_ID``)
    need not, and the settings accept them, so neither does this check.
    """
    return len(text) == RUN_ID_LENGTH and all(char in RUN_ID_ALPHABET for char in text)
