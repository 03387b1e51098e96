"""Chain-of-custody log: who did what to which evidence, when, and the evidence's hashes then.

The log is a JSON-lines file the examiner keeps with the case. Each entry
records the examiner, the UTC wall-clock time, the action, the evidence path,
its size, MD5 and SHA-256 (computed when the entry is added), and the fklab
version. Entries form a hash chain: each holds the SHA-256 of its own content
(``hash``) and the previous entry's ``hash`` (``prev``), so editing, inserting,
reordering or removing an entry shows up in :func:`verify_log`. Removing the
last entries is only visible against a head hash noted elsewhere (the report,
the exhibit label): pass it as ``head``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forensics_kit.errors import ForensicsKitError
from forensics_kit.hashing import hash_file

GENESIS = "0" * 64
FIELDS = ("seq", "time", "examiner", "action", "evidence", "size", "md5", "sha256", "tool", "prev", "hash")


@dataclass(slots=True, frozen=True)
class CustodyEntry:
    """One line of the custody log."""

    seq: int
    time: str
    examiner: str
    action: str
    evidence: str
    size: int
    md5: str
    sha256: str
    tool: str
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of an entry's content (every field but ``hash``), as canonical JSON."""
    content = {k: fields[k] for k in FIELDS if k != "hash"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return f"fklab {version('fklab')}"
    except Exception:  # noqa: BLE001 - not installed as a package (running from a checkout)
        return "fklab (unknown version)"


def _parse(log: Path, number: int, line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ForensicsKitError(f"{log}: line {number}: not a JSON entry ({exc.msg})") from exc
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        raise ForensicsKitError(f"{log}: line {number}: not a custody entry (fields {', '.join(FIELDS)})")
    return data


def read_log(log: str | Path) -> list[CustodyEntry]:
    """Every entry of a custody log, in order (a missing log has none)."""
    path = Path(log)
    if not path.exists():
        return []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ForensicsKitError(f"{path}: cannot read custody log: {exc}") from exc
    return [CustodyEntry(**_parse(path, n, line)) for n, line in enumerate(lines, 1) if line.strip()]


def add_entry(
    log: str | Path,
    evidence: str | Path,
    *,
    examiner: str,
    action: str,
    now: datetime | None = None,
) -> CustodyEntry:
    """Hash the evidence (read-only) and append an entry to the log, chained to the last one.

    Args:
        log: the case's custody log (created if missing).
        evidence: the evidence file as held (an E01 is hashed as the E01 file).
        examiner: who.
        action: what was done ("received from Sgt. Petrov, sealed bag 17").
        now: the time to record; the UTC wall clock when None.

    Raises:
        ForensicsKitError: empty examiner/action, unreadable evidence, or a damaged log.
    """
    if not examiner.strip() or not action.strip():
        raise ForensicsKitError("a custody entry needs an examiner and an action")
    digests = hash_file(evidence, ("md5", "sha256"))
    size = os.stat(evidence).st_size
    path = Path(log)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        with open(path, "a+", encoding="utf-8") as stream:
            fcntl.flock(stream, fcntl.LOCK_EX)  # two shells adding at once still make one chain
            stream.seek(0)
            lines = [line for line in stream.read().splitlines() if line.strip()]
            last = _parse(path, len(lines), lines[-1]) if lines else None
            fields: dict[str, Any] = {
                "seq": (last["seq"] + 1) if last else 1,
                "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "examiner": examiner.strip(),
                "action": action.strip(),
                "evidence": str(Path(evidence).resolve()),
                "size": size,
                "md5": digests["md5"],
                "sha256": digests["sha256"],
                "tool": tool_version(),
                "prev": last["hash"] if last else GENESIS,
            }
            fields["hash"] = entry_hash(fields)
            stream.seek(0, os.SEEK_END)
            stream.write(json.dumps({k: fields[k] for k in FIELDS}, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        raise ForensicsKitError(f"{path}: cannot write custody log: {exc.strerror or exc}") from exc
    return CustodyEntry(**fields)


def verify_log(log: str | Path, head: str | None = None) -> list[str]:
    """Check a custody log's hash chain; return the problems found (empty list: intact).

    Args:
        log: the custody log.
        head: the last entry's ``hash`` as noted elsewhere; catches removal of the last entries.
    """
    path = Path(log)
    if not path.exists():
        return [f"{path}: no such custody log"]
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: cannot read custody log: {exc}"]
    problems: list[str] = []
    prev, expected_seq, last_hash = GENESIS, 1, None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            fields = _parse(path, number, line)
        except ForensicsKitError as exc:
            problems.append(str(exc))
            prev, expected_seq = None, expected_seq + 1
            continue
        where = f"{path}: line {number} (entry {fields['seq']})"
        if fields["hash"] != entry_hash(fields):
            problems.append(f"{where}: content changed after it was written (its hash does not match)")
        if prev is not None and fields["prev"] != prev:
            problems.append(f"{where}: chain broken: the entry before it was changed, removed or inserted")
        if fields["seq"] != expected_seq:
            problems.append(f"{where}: sequence number {fields['seq']}, expected {expected_seq}")
        prev, expected_seq, last_hash = fields["hash"], fields["seq"] + 1, fields["hash"]
    if head is not None and last_hash != head.strip().lower():
        problems.append(f"{path}: last entry's hash is {last_hash}, the noted head is {head.strip()}: entries removed?")
    return problems
