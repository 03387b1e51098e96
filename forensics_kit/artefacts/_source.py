"""Reading the artefact a reader was given: bytes, a text, or a local file, with a name for errors."""

from __future__ import annotations

from pathlib import Path

from forensics_kit.errors import EvidenceError

MAX_ARTEFACT_BYTES = 512 << 20  # larger "photos", documents or logs are refused, not loaded


def load_bytes(source: bytes | bytearray | memoryview | str | Path, name: str | None = None) -> tuple[bytes, str]:
    """Return ``(data, name)``: bytes as given, or a local file's content (``str``/``Path`` is a path).

    Raises:
        EvidenceError: the file cannot be read or is too large.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "<data>"
    path = Path(source)
    label = name or str(path)
    try:
        if path.stat().st_size > MAX_ARTEFACT_BYTES:
            raise EvidenceError(label, f"larger than {MAX_ARTEFACT_BYTES >> 20} MiB; refusing to load it")
        return path.read_bytes(), label
    except OSError as exc:
        raise EvidenceError(label, f"cannot read: {exc.strerror or exc}") from None


def load_text(source: str | bytes | bytearray | Path, name: str | None = None) -> tuple[str, str]:
    """Return ``(text, name)``: a ``str`` is the text itself, bytes are decoded, a ``Path`` is read.

    Undecodable bytes (a log with a stray Latin-1 byte) become U+FFFD rather than an error.
    """
    if isinstance(source, str):
        return source, name or "<text>"
    data, label = load_bytes(source, name)
    return data.decode("utf-8", errors="replace"), label
