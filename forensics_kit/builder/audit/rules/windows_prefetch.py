"""Prefetch files agree with their name, their volume and the file system that holds them.

- Windows names a prefetch file ``<EXECUTABLE>-<HASH>.pf``: the executable's name and the hash
  of its device path (``\\DEVICE\\HARDDISKVOLUMEn\\...``) that the file's own header holds.
  A file whose name, header and executable path disagree is one no Windows wrote.
- Windows writes the file some seconds after the program starts: its newest run time is not
  after the file's NTFS modification time.
- The volume a prefetch file names is the volume it lies on (the serial ``vol`` shows): the
  kit plants system volumes, whose programs ran from them.
"""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule

_SLACK = 2  # seconds
_VOLUMES = range(1, 17)  # \DEVICE\HARDDISKVOLUME1..16: which one held Windows is not known here


def _seconds(iso: str) -> float:
    from forensics_kit.timefmt import parse_iso

    return parse_iso(iso).timestamp()


def _hash_matches(device_path: str, header_hash: str) -> bool:
    """Whether the executable's ``\\VOLUME{...}\\...`` path hashes, on some hard disk volume, to the header's hash."""
    from forensics_kit.builder.windows.prefetch import prefetch_hash

    rest = device_path.split("\\", 2)[2] if device_path.count("\\") >= 2 else device_path
    for n in _VOLUMES:
        device = "\\DEVICE\\HARDDISKVOLUME" + str(n) + "\\" + rest
        if f"{prefetch_hash(device):08X}" == header_hash:
            return True
    return False


class PrefetchFiles(AuditRule):
    """A .pf's name, header hash, newest run time and volume serial agree with the file system."""

    name = "windows-prefetch"
    title = {"en": "prefetch files are named by their executable and hash, written after their last run, "
                   "on the volume they name",
             "ru": "файлы prefetch названы по своему исполняемому файлу и хешу, записаны после последнего запуска "
                   "и лежат на томе, который называют"}
    messages = {
        "name": {"en": "the file's name should be {expected} (its header: {executable}, hash {hash})",
                 "ru": "по заголовку ({executable}, хеш {hash}) файл должен называться {expected}"},
        "hash": {"en": "hash {hash} is not the hash of {path} on any hard disk volume",
                 "ru": "хеш {hash} не является хешем пути {path} ни на одном томе жёсткого диска"},
        "run": {"en": "last run at {run} but the file was last modified at {mtime}",
                "ru": "последний запуск в {run}, но файл последний раз изменён в {mtime}"},
        "volume": {"en": "names volume serial {named}, but it lies on the volume with serial {actual}",
                   "ru": "указывает серийный номер тома {named}, но лежит на томе с серийным номером {actual}"},
        "unreadable": {"en": "prefetch file cannot be read: {error}", "ru": "файл prefetch не читается: {error}"},
    }

    def check(self, case):
        from forensics_kit.disk import open_image
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.timefmt import iso_utc
        from forensics_kit.windows import read_prefetch
        from forensics_kit.windows.volume_serial import volume_serials

        for entry in case.entries("disk"):
            files = [f for f in case.disk_files(entry["id"]) if f.allocated
                     and f.path.lower().startswith("/windows/prefetch/") and f.path.lower().endswith(".pf")]
            if not files:
                continue
            try:
                with open_image(case.artefact(entry["id"])) as image:
                    serials = volume_serials(image)
            except (ForensicsKitError, OSError, ValueError):
                serials = {}
            for file in files:
                try:
                    pf = read_prefetch(file.data, name=file.path)
                except (ForensicsKitError, OSError, ValueError) as exc:
                    yield self.finding(case, entry["id"], file.path, "unreadable", error=str(exc))
                    continue
                expected = f"{pf.executable}-{pf.prefetch_hash}.pf"
                if file.path.rsplit("/", 1)[-1].upper() != expected.upper():
                    yield self.finding(case, entry["id"], file.path, "name", expected=expected,
                                       executable=pf.executable, hash=pf.prefetch_hash)
                exe = pf.executable_path()
                if exe and not _hash_matches(exe, pf.prefetch_hash):
                    yield self.finding(case, entry["id"], file.path, "hash", hash=pf.prefetch_hash, path=exe)
                if pf.last_run and file.raw_times[0] and _seconds(pf.last_run) > file.raw_times[0] + _SLACK:
                    yield self.finding(case, entry["id"], file.path, "run", run=pf.last_run,
                                       mtime=iso_utc(file.raw_times[0]))
                actual = serials.get(file.partition)
                for volume in pf.volumes:
                    if actual and volume.serial != actual:
                        yield self.finding(case, entry["id"], file.path, "volume", named=volume.serial, actual=actual)


class ChangeJournal(AuditRule):
    """An NTFS change journal runs forward in time and names each living file as the MFT does."""

    name = "ntfs-usn-journal"
    title = {"en": "the NTFS change journal runs forward in time and names living files as the MFT does",
             "ru": "журнал изменений NTFS идёт вперёд во времени и называет живые файлы так же, как MFT"}
    messages = {
        "order": {"en": "USN {usn} ({name}) is stamped {time}, before the record it follows ({previous})",
                  "ru": "USN {usn} ({name}) помечен временем {time}, раньше предыдущей записи ({previous})"},
        "name": {"en": "the journal last names MFT entry {entry} '{name}', the MFT calls it {names}",
                 "ru": "журнал последним называет запись MFT {entry} «{name}», а в MFT она называется {names}"},
        "unreadable": {"en": "the change journal cannot be read: {error}",
                       "ru": "журнал изменений не читается: {error}"},
    }

    def check(self, case):
        from forensics_kit.disk import open_image
        from forensics_kit.errors import ForensicsKitError, NotFoundError
        from forensics_kit.windows import usn_journal

        for entry in case.entries("disk"):
            try:
                image = open_image(case.artefact(entry["id"]))
            except (ForensicsKitError, OSError, ValueError):
                continue
            with image:
                for fs in image.filesystems():
                    if fs.type != "NTFS":
                        continue
                    try:
                        changes = usn_journal(image, fs.partition)
                    except NotFoundError:
                        continue
                    except (ForensicsKitError, OSError, ValueError) as exc:
                        yield self.finding(case, entry["id"], "/$Extend/$UsnJrnl:$J", "unreadable", error=str(exc))
                        continue
                    names: dict[int, set[str]] = {}
                    for record in image.walk(fs.partition):
                        if record.allocated and not record.stream and record.inode:
                            names.setdefault(int(record.inode), set()).add(record.name)
                    yield from self._order(case, entry["id"], changes)
                    yield from self._names(case, entry["id"], changes, names)

    def _order(self, case, evidence, changes):
        for previous, change in zip(changes, changes[1:], strict=False):
            if previous.time and change.time and change.time < previous.time:
                yield self.finding(case, evidence, "/$Extend/$UsnJrnl:$J", "order", usn=change.usn, name=change.name,
                                   time=change.time, previous=previous.time)

    def _names(self, case, evidence, changes, names):
        last: dict[int, object] = {}
        for change in changes:
            if "RENAME_OLD_NAME" not in change.reasons:
                last[change.entry] = change
        for number, change in sorted(last.items()):
            if "FILE_DELETE" in change.reasons or number not in names:
                continue
            if change.name not in names[number]:
                yield self.finding(case, evidence, "/$Extend/$UsnJrnl:$J", "name", entry=number, name=change.name,
                                   names=", ".join(sorted(names[number])))
