"""Card-number (PAN) detection in bytes: candidates, the Luhn check and masking.

A *candidate* is a primary account number shape, found in bytes (text is scanned as UTF-8):

* a run of 13-19 ASCII digits that is not part of a longer digit run (``4111111111111111``), or
* 13-19 digits in two or more groups of 3-6 digits separated by single spaces or dashes
  (``4111 1111 1111 1111``, ``3782-822463-10005``), not part of a longer chain of such groups
  (``4111 1111 1111 1111 1234`` is 20 digits: no candidate). A group of another size ends the
  chain, so ``4111 1111 1111 1111 12/27`` (an expiry date after the number) is still found.

A candidate is reported when it is Luhn-valid and passes two false-positive rules, each for a
kind of data these environments hold:

* its first digit is not ``0`` or ``1``: no payment brand in PCI SSC scope issues such numbers
  (UATP airline cards, ``1...``, are the one brand left out), while epoch timestamps in
  milliseconds (13 digits) and nanoseconds (19 digits) start with ``1`` until 2033 and fill logs;
* it is not inside a hexadecimal token (letters ``a-f`` only, glued to it on either side): hashes,
  UUIDs, trace and request ids contain long digit runs by chance.

The group rule (3-6 digits a group) is a false-positive rule too: VPC flow log records start
``2 <12-digit account id> ...``, which would otherwise form a 13-digit chain, and their ports,
protocol and counters are space-separated numbers of every size.

Nothing here returns, logs or raises with a clear PAN: a hit carries its offset and the masked
number only (first 6 and last 4 digits at most, PCI DSS 3.4.1), e.g. ``411111******1111``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MIN_DIGITS = 13
MAX_DIGITS = 19
MIN_GROUP, MAX_GROUP = 3, 6
"""Digits in each group of a separated candidate."""

HEX_CONTEXT = 64
"""How far (bytes) the hexadecimal-token rule looks on each side of a candidate."""

CONTEXT = 2 * HEX_CONTEXT
"""Bytes of context a streamed scan keeps on each side of a candidate (see :class:`PanStream`)."""

_CHAIN = re.compile(rb"[0-9]+(?:[ -][0-9]+)*")
_GROUP = re.compile(rb"[0-9]+")
_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX_LETTERS = frozenset(b"abcdefABCDEF")


@dataclass(frozen=True)
class PanHit:
    """One Luhn-valid PAN candidate, masked.

    Attributes:
        offset: Byte offset of its first digit in the scanned content.
        masked: First 6 and last 4 digits, the rest ``*`` (``411111******1111``).
    """

    offset: int
    masked: str


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (ASCII digits only) pass the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_pan(digits: str) -> str:
    """The first 6 and last 4 digits with ``*`` between; shorter numbers are masked entirely.

    PCI DSS allows at most the BIN (first 6) and the last 4 digits to be displayed.
    """
    if len(digits) < MIN_DIGITS:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _in_hex_token(data: bytes, start: int, end: int) -> bool:
    """True when the letters glued to ``data[start:end]`` (alphanumerics, either side) are all a-f."""
    letters: set[int] = set()
    index = start - 1
    while index >= max(0, start - HEX_CONTEXT) and data[index] in _ALNUM:
        if data[index] in _LETTERS:
            letters.add(data[index])
        index -= 1
    index = end
    while index < min(len(data), end + HEX_CONTEXT) and data[index] in _ALNUM:
        if data[index] in _LETTERS:
            letters.add(data[index])
        index += 1
    return bool(letters) and letters <= _HEX_LETTERS


def _shapes(data: bytes) -> Iterator[tuple[int, int, str]]:
    """Every candidate shape in ``data``: ``(start, end, digits)``, before the Luhn and other rules."""
    for chain in _CHAIN.finditer(data):
        if chain.end() - chain.start() < MIN_DIGITS:  # most numbers in text: too short to judge
            continue
        grouped: list[re.Match[bytes]] = []  # consecutive groups of MIN_GROUP-MAX_GROUP digits
        for group in [*_GROUP.finditer(data, chain.start(), chain.end()), None]:
            size = group.end() - group.start() if group else 0
            if group and MIN_DIGITS <= size <= MAX_DIGITS:
                yield group.start(), group.end(), group.group().decode("ascii")
            if group and MIN_GROUP <= size <= MAX_GROUP:
                grouped.append(group)
                continue
            digits = "".join(g.group().decode("ascii") for g in grouped)
            if len(grouped) > 1 and MIN_DIGITS <= len(digits) <= MAX_DIGITS:
                yield grouped[0].start(), grouped[-1].end(), digits
            grouped = []


def find_pans(data: bytes, base: int = 0) -> list[PanHit]:
    """Every reportable PAN candidate in ``data``, masked, with offsets shifted by ``base``."""
    hits = []
    for start, end, digits in _shapes(data):
        if digits[0] in "01" or not luhn_valid(digits) or _in_hex_token(data, start, end):
            continue
        hits.append(PanHit(base + start, mask_pan(digits)))
    return sorted(hits, key=lambda hit: hit.offset)


class PanStream:
    """:func:`find_pans` over content that arrives in chunks (large objects, decompressed streams).

    Holds at most one chunk plus :data:`CONTEXT` bytes either side. A candidate is judged once, in
    the first window where it has :data:`CONTEXT` bytes of content (or the end of the stream)
    after its start, and the window keeps :data:`CONTEXT` bytes before it: enough to see a whole
    candidate (at most 37 bytes), whether its digit run or chain goes on, and the token it sits in.
    The hits equal those of :func:`find_pans` on the whole content.
    """

    def __init__(self) -> None:
        """Start at offset 0 with nothing buffered."""
        self._buffer = b""
        self._base = 0  # content offset of _buffer[0]
        self._judged_until = 0  # candidates starting before this content offset were judged

    def feed(self, chunk: bytes) -> list[PanHit]:
        """Add ``chunk``; return the hits that can be judged now."""
        self._buffer += chunk
        cut = len(self._buffer) - CONTEXT
        if cut <= 0:
            return []
        hits = self._judge(self._base + cut)
        keep_from = max(0, cut - CONTEXT)
        self._buffer = self._buffer[keep_from:]
        self._base += keep_from
        return hits

    def finish(self) -> list[PanHit]:
        """End of content: return the hits not judged yet."""
        hits = self._judge(self._base + len(self._buffer))
        self._buffer = b""
        return hits

    def _judge(self, until: int) -> list[PanHit]:
        hits = [
            hit for hit in find_pans(self._buffer, self._base) if self._judged_until <= hit.offset < until
        ]
        self._judged_until = until
        return hits
