"""The first question of a DNS message, read cheaply for detectors (no full parse)."""

from __future__ import annotations


def query_name(msg: bytes) -> str | None:
    """The first question's name in lower case, or None when absent or malformed."""
    name, _ = question(msg)
    return name


def question(msg: bytes) -> tuple[str | None, int]:
    """(first question name, its qtype); (None, 0) when absent or malformed.

    Questions never use compression pointers, so a pointer or an overrun
    means a malformed message, not one to follow.
    """
    if len(msg) < 17 or msg[4:6] == b"\0\0":
        return None, 0
    pos, labels, end = 12, [], len(msg)
    while pos < end:
        size = msg[pos]
        if size == 0:
            if pos + 3 > end:
                return None, 0
            qtype = (msg[pos + 1] << 8) | msg[pos + 2]
            return ".".join(labels).lower() if labels else ".", qtype
        if size > 63 or pos + 1 + size > end:
            return None, 0
        labels.append(msg[pos + 1 : pos + 1 + size].decode("ascii", "replace"))
        pos += 1 + size
    return None, 0
