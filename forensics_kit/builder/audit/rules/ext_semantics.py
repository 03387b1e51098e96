"""ext2/3/4 time semantics as the Linux kernel keeps them: ctime moves with every change.

- ``ctime-semantics``: an inode's change time is never before its modification time
  (writing data changes the inode); a deleted inode has its deletion time (``dtime``,
  which ``istat`` shows as "Deleted") and its change time is that moment (unlink
  changes the link count, so the kernel sets ctime); a directory's modification and
  change times are not before the newest creation or deletion of an entry in it
  (a ``/tmp`` whose times never move while tools come and go there).
- ``mode-after-chmod``: a file that a user's shell history ``chmod +x``-ed has an
  executable mode and a change time not before that command.

Times come from TSK; ``dtime`` is read from the inode itself (TSK's Python binding
does not give it), at the place the group descriptors give.
"""

from __future__ import annotations

import re
import struct
from pathlib import PurePosixPath

from forensics_kit.builder.audit.rule import AuditRule

_CHMOD = re.compile(r"^chmod\s+(?:[ugoa]*\+x|[0-7]*[1357][0-7]{0,2})\s+(\S+)\s*$")


def inode_offsets(image_path, offset: int, inodes: list[int]) -> dict[int, int]:
    """``{inode: byte offset of its inode record}`` in an ext file system at byte ``offset`` of a raw image."""
    out = {}
    with open(image_path, "rb") as stream:
        stream.seek(offset + 1024)
        sb = stream.read(1024)
        if len(sb) < 1024 or sb[56:58] != b"\x53\xef":
            return out
        first_data, log_block = struct.unpack_from("<II", sb, 20)
        per_group = struct.unpack_from("<I", sb, 40)[0]
        inode_size = struct.unpack_from("<H", sb, 88)[0] if struct.unpack_from("<I", sb, 76)[0] else 128
        block = 1024 << log_block
        incompat = struct.unpack_from("<I", sb, 96)[0]
        desc_size = (struct.unpack_from("<H", sb, 254)[0] if incompat & 0x80 else 32) or 32
        table = offset + (first_data + 1) * block
        for inode in inodes:
            group, index = divmod(inode - 1, per_group)
            stream.seek(table + group * desc_size)
            desc = stream.read(desc_size)
            start = struct.unpack_from("<I", desc, 8)[0] | (
                struct.unpack_from("<I", desc, 40)[0] << 32 if desc_size >= 64 else 0)
            out[inode] = offset + start * block + index * inode_size
    return out


def dtimes(image_path, offset: int, inodes: list[int]) -> dict[int, int]:
    """``{inode: dtime}`` (``i_dtime``, 20 bytes into the inode) of an ext file system in a raw image."""
    places = inode_offsets(image_path, offset, inodes)
    with open(image_path, "rb") as stream:
        out = {}
        for inode, place in places.items():
            stream.seek(place + 20)
            out[inode] = struct.unpack("<I", stream.read(4))[0]
    return out


def _ext_volumes(case, evidence):
    """``{partition: byte offset}`` of the disk's ext file systems (raw images only)."""
    from forensics_kit.disk import open_image

    path = case.artefact(evidence)
    if path.suffix.lower() not in (".dd", ".img", ".raw"):
        return path, {}
    with open_image(path) as image:
        return path, {fs.partition: fs.offset for fs in image.filesystems() if fs.type.lower().startswith("ext")}


class CtimeSemantics(AuditRule):
    """ctime >= mtime; a deleted inode has a dtime and ctime = dtime; directories move with their entries."""

    name = "ctime-semantics"
    title = {"en": "ext change times move as the kernel moves them (writes, unlink, directory entries)",
             "ru": "время изменения метаданных ext меняется так, как его меняет ядро "
                   "(запись, удаление, записи каталога)"}
    messages = {
        "before-mtime": {"en": "ctime {ctime} is before mtime {mtime}: writing data changes the inode too",
                         "ru": "ctime {ctime} раньше mtime {mtime}: запись данных меняет и inode"},
        "no-dtime": {"en": "deleted inode {inode} has no deletion time (dtime 0)",
                     "ru": "у удалённого inode {inode} нет времени удаления (dtime 0)"},
        "unlink": {"en": "deleted inode {inode} was unlinked at {dtime} but its ctime stayed {ctime}",
                   "ru": "удалённый inode {inode} удалён в {dtime}, но его ctime остался {ctime}"},
        "directory": {"en": "directory mtime {mtime} is before the {what} of {entry} at {when}",
                      "ru": "mtime каталога {mtime} раньше, чем {what} {entry} в {when}"},
    }

    def check(self, case):
        from forensics_kit.timefmt import iso_utc

        for entry in case.entries("disk"):
            path, volumes = _ext_volumes(case, entry["id"])
            if not volumes:
                continue
            files = [f for f in case.disk_files(entry["id"]) if f.partition in volumes]
            deleted = [f for f in files if not f.allocated and f.raw_times[4]]
            found = {}
            for partition, offset in volumes.items():
                found.update({(partition, k): v for k, v in dtimes(
                    path, offset, [f.inode for f in deleted if f.partition == partition]).items()})
            latest: dict[tuple, tuple[int, str, str]] = {}
            for f in files:
                mtime, ctime = f.raw_times[0], f.raw_times[4]
                if f.allocated and ctime and (ctime, f.raw_times[5]) < (mtime, f.raw_times[1]):
                    yield self.finding(case, entry["id"], f.path, "before-mtime", ctime=iso_utc(ctime),
                                       mtime=iso_utc(mtime))
                event = (f.raw_times[6] or mtime, "creation") if f.allocated else (found.get((f.partition, f.inode)),
                                                                                   "deletion")
                if not f.allocated:
                    dtime = event[0]
                    if not dtime:
                        yield self.finding(case, entry["id"], f.path, "no-dtime", inode=f.inode)
                        continue
                    if abs(dtime - ctime) > 1:
                        yield self.finding(case, entry["id"], f.path, "unlink", inode=f.inode, dtime=iso_utc(dtime),
                                           ctime=iso_utc(ctime))
                parent = (f.partition, str(PurePosixPath(f.path).parent))
                if event[0] and event[0] > latest.get(parent, (0, "", ""))[0]:
                    latest[parent] = (event[0], event[1], f.path)
            yield from self._directories(case, entry["id"], latest)

    def _directories(self, case, evidence, latest):
        from forensics_kit.timefmt import iso_utc

        for (partition, directory), mtime in case.directory_times(evidence).items():
            when, what, child = latest.get((partition, directory), (0, "", ""))
            if when and mtime + 1 < when:
                yield self.finding(case, evidence, directory, "directory", mtime=iso_utc(mtime), what=what,
                                   entry=PurePosixPath(child).name, when=iso_utc(when))


class ModeAfterChmod(AuditRule):
    """A file a shell history made executable has an executable mode and a ctime after the chmod."""

    name = "mode-after-chmod"
    title = {"en": "files a shell history chmod +x-ed are executable, changed after the command",
             "ru": "файлы, которым в истории команд сделан chmod +x, исполняемые и изменены после команды"}
    messages = {
        "mode": {"en": "history runs 'chmod +x' on it at {when}, but its mode is {mode:o}",
                 "ru": "в истории команд 'chmod +x' для него в {when}, но его режим {mode:o}"},
        "ctime": {"en": "history runs 'chmod' on it at {when}, but its ctime is {ctime}",
                  "ru": "в истории команд 'chmod' для него в {when}, но его ctime {ctime}"},
    }

    def check(self, case):
        from forensics_kit.timefmt import iso_utc

        for entry in case.entries("disk"):
            files = case.disk_files(entry["id"])
            modes = case.disk_modes(entry["id"])
            for history in (f for f in files if f.path.endswith("/.bash_history") and f.allocated):
                stamp = None
                for line in history.data.decode("utf-8", "replace").splitlines():
                    if re.fullmatch(r"#\d{9,11}", line.strip()):
                        stamp = int(line.strip()[1:])
                        continue
                    match = _CHMOD.match(line.strip())
                    if not match or stamp is None:
                        continue
                    target = match.group(1)
                    for f in (f for f in files if f.path == target and f.partition == history.partition):
                        mode = modes.get((f.partition, f.inode))
                        if mode is not None and not mode & 0o111:
                            yield self.finding(case, entry["id"], f.path, "mode", when=iso_utc(stamp),
                                               mode=mode & 0o7777)
                        elif f.raw_times[4] and f.raw_times[4] < stamp:
                            yield self.finding(case, entry["id"], f.path, "ctime", when=iso_utc(stamp),
                                               ctime=iso_utc(f.raw_times[4]))


_WEBKIT_EPOCH_US = 11_644_473_600_000_000  # 1601-01-01 to 1970-01-01


def newest_record(data: bytes) -> tuple[float, str] | None:
    """The newest time a file's content records, in POSIX seconds, and what it is.

    Firefox ``places.sqlite`` (``moz_historyvisits.visit_date``, microseconds), Chrome
    ``History`` (``visits.visit_time``, microseconds since 1601) and shell histories with
    ``#epoch`` stamps; None for anything else.
    """
    import sqlite3

    if data.startswith(b"SQLite format 3\0"):
        db = sqlite3.connect(":memory:")
        try:
            db.deserialize(data)
            for sql, base, what in (("SELECT max(visit_date) FROM moz_historyvisits", 0, "Firefox visit"),
                                    ("SELECT max(visit_time) FROM visits", _WEBKIT_EPOCH_US, "Chrome visit")):
                try:
                    value = db.execute(sql).fetchone()[0]
                except sqlite3.Error:
                    continue
                if value:
                    return (value - base) / 1e6, what
        except sqlite3.Error:
            return None
        finally:
            db.close()
        return None
    stamps = re.findall(rb"^#(\d{9,11})\s*$", data, re.M)
    return (max(int(s) for s in stamps), "history stamp") if stamps else None


class MtimeAfterContent(AuditRule):
    """A file's modification time is not before the newest record its content holds."""

    name = "mtime-after-content"
    title = {"en": "a file's mtime is not before the newest record in it (browser visits, shell history)",
             "ru": "mtime файла не раньше самой поздней записи в нём (посещения браузера, история команд)"}
    messages = {"before": {"en": "modified {mtime}, before the {what} it holds at {newest}",
                           "ru": "изменён {mtime} — раньше, чем записанное в нём событие ({what}) в {newest}"}}

    def check(self, case):
        from forensics_kit.timefmt import iso_utc

        for entry in case.entries("disk"):
            for f in case.disk_files(entry["id"]):
                if not f.allocated or not f.raw_times[0] or not (
                        f.data.startswith(b"SQLite format 3\0") or f.path.endswith("_history")):
                    continue
                found = newest_record(f.data)
                mtime = f.raw_times[0] + f.raw_times[1] / 1e9
                if found and found[0] > mtime + 1e-6:
                    yield self.finding(case, entry["id"], f.path, "before", mtime=iso_utc(f.raw_times[0]),
                                       what=found[1], newest=iso_utc(int(found[0])))


class BrowserVisitPrecision(AuditRule):
    """Browsers stamp visits from a microsecond clock: a history whose every visit is a whole second is a tell."""

    name = "browser-visit-precision"
    title = {"en": "browser visit times carry microseconds, as Firefox and Chrome store them",
             "ru": "времена посещений браузера содержат микросекунды, как их хранят Firefox и Chrome"}
    messages = {"whole": {"en": "all {n} {what} times are whole seconds (a browser's clock gives microseconds)",
                          "ru": "все времена ({n}) в {what} — целые секунды (часы браузера дают микросекунды)"}}

    def check(self, case):
        import sqlite3

        for entry in case.entries("disk"):
            for f in case.disk_files(entry["id"]):
                if not f.data.startswith(b"SQLite format 3\0"):
                    continue
                db = sqlite3.connect(":memory:")
                try:
                    db.deserialize(f.data)
                    for sql, what in (("SELECT visit_date FROM moz_historyvisits", "Firefox visit"),
                                      ("SELECT visit_time FROM visits", "Chrome visit")):
                        try:
                            times = [row[0] for row in db.execute(sql) if row[0]]
                        except sqlite3.Error:
                            continue
                        if len(times) >= 2 and all(t % 1_000_000 == 0 for t in times):
                            yield self.finding(case, entry["id"], f.path, "whole", n=len(times), what=what)
                except sqlite3.Error:
                    continue
                finally:
                    db.close()
