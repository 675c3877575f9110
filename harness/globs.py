"""Address globs for the committed exception files (checkov skips, upgrade allow-list)."""

from __future__ import annotations

import re


def glob_match(glob: str, address: str) -> bool:
    """``*`` matches any run of characters; everything else, brackets of ``[0]`` included, is literal."""
    pattern = ".*".join(re.escape(part) for part in glob.split("*"))
    return re.fullmatch(pattern, address) is not None
