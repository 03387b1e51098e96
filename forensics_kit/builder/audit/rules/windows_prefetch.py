"""Prefetch files, the change journal and Jump Lists agree with the file system that holds them.

- Windows names a prefetch file ``<EXECUTABLE>-<HASH>.pf``: the executable's name and the hash
  of its device path (``\\DEVICE\\HARDDISKVOLUMEn\\...``) that the file's own header holds.
  A file whose name, header and executable path disagree is one no Windows wrote.
- Windows writes the file some seconds after the program starts: its newest run time is not
  after the file's NTFS modification time.
- The volume a prefetch file names is the volume it lies on (the serial ``vol`` shows): the
  kit plants system volumes, whose programs ran from them; and the executable is on it.
- ``$UsnJrnl:$J`` runs forward in time, and the last name it gives a living file is its name.
- A Jump List entry names the file its shortcut names, was opened before the list was last
  written, and copies its document's size and write time (where the volume holds it).
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
        "missing": {"en": "{executable} ran from {path}, which is not on the volume",
                    "ru": "{executable} запускался из {path}, а на томе этого файла нет"},
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
            every = [f for f in case.disk_files(entry["id"]) if f.allocated]
            present = {(f.partition, f.path.lower()) for f in every}
            files = [f for f in every
                     if f.path.lower().startswith("/windows/prefetch/") and f.path.lower().endswith(".pf")]
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
                where = ("/" + "/".join(exe.split("\\")[2:])).lower() if exe else None
                if where and (file.partition, where) not in present:
                    yield self.finding(case, entry["id"], file.path, "missing", executable=pf.executable,
                                       path="C:" + where.replace("/", "\\"))
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


class JumpListEntries(AuditRule):
    """A Jump List's entries name what their shortcuts name, were opened before the file was last written,
    and, where the volume holds the document, copy its size and write time."""

    name = "windows-jumplist"
    title = {"en": "Jump List entries agree with their shortcuts, their file's time and their documents",
             "ru": "записи списков переходов согласуются со своими ярлыками, временем файла и документами"}
    messages = {
        "path": {"en": "entry {entry}'s DestList path {path} is not its shortcut's {target}",
                 "ru": "путь записи {entry} в DestList ({path}) не совпадает с путём её ярлыка ({target})"},
        "late": {"en": "entry {entry} was last opened at {when}, after the file was last written ({mtime})",
                 "ru": "запись {entry} последний раз открыта в {when}, позже последней записи файла ({mtime})"},
        "target": {"en": "entry {entry} says {target} has {what} {lnk_value}, the file has {file_value}",
                   "ru": "по записи {entry} у {target} {what} {lnk_value}, а у файла — {file_value}"},
        "unreadable": {"en": "Jump List cannot be read: {error}", "ru": "список переходов не читается: {error}"},
    }
    _SLACK = 2

    def check(self, case):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.timefmt import iso_utc
        from forensics_kit.windows import read_jump_list

        for entry in case.entries("disk"):
            files = [f for f in case.disk_files(entry["id"]) if f.allocated]
            by_path = {(f.partition, f.path.lower()): f for f in files}
            for file in (f for f in files if f.path.lower().endswith(".automaticdestinations-ms")):
                try:
                    items = read_jump_list(file.data, name=file.path)
                except (ForensicsKitError, OSError, ValueError) as exc:
                    yield self.finding(case, entry["id"], file.path, "unreadable", error=str(exc))
                    continue
                for item in items:
                    target = item.link.local_path if item.link else None
                    if target and target.lower() != item.path.lower():
                        yield self.finding(case, entry["id"], file.path, "path", entry=item.entry_number,
                                           path=item.path, target=target)
                    if item.last_access and file.raw_times[0] and _seconds(item.last_access) > file.raw_times[0] + 2:
                        yield self.finding(case, entry["id"], file.path, "late", entry=item.entry_number,
                                           when=item.last_access, mtime=iso_utc(file.raw_times[0]))
                    kit_path = ("/" + target[3:].replace("\\", "/")).lower() if target else None
                    doc = by_path.get((file.partition, kit_path)) if kit_path else None
                    if doc is None or item.link is None:
                        continue
                    if item.link.size != len(doc.data):
                        yield self.finding(case, entry["id"], file.path, "target", entry=item.entry_number,
                                           target=target, what="size", lnk_value=item.link.size,
                                           file_value=len(doc.data))
                    if item.link.modified and abs(_seconds(item.link.modified) - doc.raw_times[0]) > self._SLACK:
                        yield self.finding(case, entry["id"], file.path, "target", entry=item.entry_number,
                                           target=target, what="write time", lnk_value=item.link.modified,
                                           file_value=iso_utc(doc.raw_times[0]))
