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
