"""File systems as their OS leaves them: owners of users' files, sub-second times where they are kept.

- A file in a user's home directory (or their crontab) belongs to that user: its
  uid is the one /etc/passwd of the same image gives them. A Linux server where
  the attacker's download, the user's history and crontab are all root's tells
  the trainee that ownership proves nothing.
- ext4 keeps nanoseconds and NTFS 100 ns: on a real volume nearly no file's
  modification time is a whole second. Whole-second times on most files hide the
  classic timestomping clue (tools write whole seconds).
"""

from __future__ import annotations

import re
import struct

from forensics_kit.builder.audit.rule import AuditRule

_FRACTION_FS = ("ext4", "NTFS")


def _passwd(files) -> dict[str, tuple[int, str]]:
    """``{name: (uid, home)}`` from the image's /etc/passwd."""
    passwd = next((f for f in files if f.path == "/etc/passwd" and f.allocated), None)
    users = {}
    for line in (passwd.data.decode("utf-8", "replace").splitlines() if passwd else []):
        parts = line.split(":")
        if len(parts) >= 6 and parts[2].isdigit():
            users[parts[0]] = (int(parts[2]), parts[5])
    return users


class OwnerOfUserFiles(AuditRule):
    """Files under a user's home, and the user's crontab, are owned by that user's uid."""

    name = "owner-home"
    title = {"en": "files in a user's home and crontab are owned by that user",
             "ru": "файлы в домашнем каталоге пользователя и его crontab принадлежат этому пользователю"}
    messages = {"owner": {"en": "owned by uid {uid}, but it is {user}'s file (uid {expected} in /etc/passwd)",
                          "ru": "владелец uid {uid}, хотя это файл пользователя {user} (uid {expected} в /etc/passwd)"}}

    def check(self, case):
        for entry in case.entries("disk"):
            files = case.disk_files(entry["id"])
            users = _passwd(files)
            homes = {home.rstrip("/") + "/": (name, uid) for name, (uid, home) in users.items()
                     if home.startswith("/home/")}
            for file in files:
                if file.uid is None or not file.allocated:
                    continue
                owner = next((v for home, v in homes.items() if file.path.startswith(home)), None)
                crontab = file.path.startswith("/var/spool/cron/crontabs/")
                if crontab and file.path.rsplit("/", 1)[-1] in users:
                    name = file.path.rsplit("/", 1)[-1]
                    owner = (name, users[name][0])
                if owner and file.uid != owner[1]:
                    yield self.finding(case, entry["id"], file.path, "owner", uid=file.uid, user=owner[0],
                                       expected=owner[1])


class SubsecondTimes(AuditRule):
    """On ext4 and NTFS most files' modification times have sub-second digits."""

    name = "subsecond-times"
    title = {"en": "ext4 and NTFS times carry sub-second digits", "ru": "времена ext4 и NTFS содержат доли секунды"}
    messages = {"whole": {"en": "{n} of {total} files have a whole-second modification time on {fs}",
                          "ru": "у {n} из {total} файлов на {fs} время изменения — целое число секунд"}}

    def check(self, case):
        for entry in case.entries("disk"):
            volumes: dict[tuple, list] = {}
            for file in case.disk_files(entry["id"]):
                if file.allocated and file.fs_type in _FRACTION_FS and ":" not in file.path.rsplit("/", 1)[-1]:
                    volumes.setdefault((file.partition, file.fs_type), []).append(file)
            for (partition, fs_type), files in sorted(volumes.items(), key=lambda kv: str(kv[0])):
                whole = [f for f in files if f.raw_times[0] and not f.raw_times[1]]
                if len(files) >= 3 and len(whole) * 2 > len(files):
                    where = f"partition {partition}" if partition is not None else "volume"
                    yield self.finding(case, entry["id"], where, "whole", n=len(whole), total=len(files), fs=fs_type)


def file_names(image, file) -> list[tuple[int, int, int, int]]:
    """``(created FILETIME, allocated size, real size, namespace)`` of each $FILE_NAME of an NTFS file."""
    from forensics_kit.disk.tsk_meta import resident_bytes
    from forensics_kit.disk.walker import open_content

    ofs = image._source(file.partition, None)  # noqa: SLF001 - the audit reads raw attributes, as istat does
    tsk_file, *_ = open_content(ofs, file.inode, None, file.path)
    out = []
    for attr in tsk_file:
        if int(attr.info.type) != 48:
            continue
        raw = resident_bytes(tsk_file, 48, int(attr.info.id), int(attr.info.size))
        if len(raw) >= 66:
            created, allocated, real = struct.unpack_from("<Q", raw, 8)[0], *struct.unpack_from("<QQ", raw, 40)
            out.append((created, allocated, real, raw[65]))
    return out


class NtfsFileNames(AuditRule):
    """On a volume whose times carry fractions, $FILE_NAME times do too; its sizes are the file's, not 0."""

    name = "ntfs-filename"
    title = {"en": "NTFS $FILE_NAME times carry sub-second digits and its sizes are the file's",
             "ru": "времена $FILE_NAME в NTFS содержат доли секунды, а размеры в нём — размеры файла"}
    messages = {
        "whole": {"en": "$FILE_NAME creation time is a whole second while $STANDARD_INFORMATION has fractions",
                  "ru": "время создания в $FILE_NAME — целое число секунд, хотя в $STANDARD_INFORMATION есть доли"},
        "size": {"en": "$FILE_NAME gives real size {real} for a file of {size} bytes",
                 "ru": "в $FILE_NAME реальный размер {real} для файла размером {size} байт"},
    }

    def check(self, case):
        from forensics_kit.disk import open_image
        from forensics_kit.errors import ForensicsKitError

        for entry in case.entries("disk"):
            files = [f for f in case.disk_files(entry["id"]) if f.fs_type == "NTFS" and f.allocated
                     and ":" not in f.path.rsplit("/", 1)[-1]]
            if not files or sum(1 for f in files if f.raw_times[1]) * 2 <= len(files):
                continue  # a volume written in whole seconds (no subsecond): nothing to compare with
            with open_image(case.artefact(entry["id"])) as image:
                for f in files:
                    try:
                        names = file_names(image, f)
                    except (ForensicsKitError, OSError, ValueError):
                        continue
                    if any(created % 10_000_000 == 0 for created, *_ in names) and f.raw_times[1]:
                        yield self.finding(case, entry["id"], f.path, "whole")
                    real = next((r for _c, _a, r, ns in names if ns != 2), None)
                    if f.data and real is not None and real != len(f.data):
                        yield self.finding(case, entry["id"], f.path, "size", real=real, size=len(f.data))


class NtfsIndexFileNames(AuditRule):
    """A file's entry in its parent's $I30 index carries the same $FILE_NAME times and sizes as its MFT record."""

    name = "ntfs-index-filename"
    title = {"en": "a file's $I30 index entry in its parent holds the times and sizes of its own $FILE_NAME",
             "ru": "запись файла в индексе $I30 родительского каталога содержит те же времена и размеры, "
                   "что его собственный $FILE_NAME"}
    messages = {"differs": {"en": "the $I30 entry in {parent} ({node}) gives {index}, the file's $FILE_NAME {mft}",
                            "ru": "запись $I30 в {parent} ({node}) даёт {index}, а $FILE_NAME файла — {mft}"}}

    def check(self, case):
        from forensics_kit.disk import open_image

        for entry in case.entries("disk"):
            path = case.artefact(entry["id"])
            if path.suffix.lower() not in (".dd", ".img", ".raw"):
                continue  # the index is read from the raw bytes
            with open_image(path) as image:
                volumes = [fs.offset for fs in image.filesystems() if fs.type.upper() == "NTFS"]
            for offset in volumes:
                yield from self._volume(case, entry["id"], path, offset)

    def _volume(self, case, evidence, path, offset):
        import pytsk3

        from forensics_kit.builder.ntfs_index import read_index

        fs = pytsk3.FS_Info(pytsk3.Img_Info(str(path)), offset=offset)
        for directory, where in _ntfs_directories(fs):
            for item in read_index(path, directory, offset):
                mft = _mft_file_name(fs, item.inode, item.name, item.namespace)
                if mft is None:  # a directory (its index copy moves with its content) or a system file
                    continue
                index = (*item.times, item.allocated, item.size)
                if index != mft:
                    diff = [i for i in range(6) if index[i] != mft[i]]
                    yield self.finding(case, evidence, f"{where}/{item.name}", "differs", parent=where or "/",
                                       node=item.where, index=_show_fields(index, diff), mft=_show_fields(mft, diff))


def _ntfs_directories(fs):
    """(MFT entry, path) of the root and every live directory but the system ones."""
    import pytsk3

    out, todo = [(5, "")], [(fs.open_dir(inode=5), "")]
    while todo:
        directory, path = todo.pop()
        for entry in directory:
            name = entry.info.name.name.decode("utf-8", "replace")
            meta = entry.info.meta
            if name in (".", "..") or name.startswith("$") or meta is None:
                continue
            if meta.type == pytsk3.TSK_FS_META_TYPE_DIR and entry.info.name.flags & pytsk3.TSK_FS_NAME_FLAG_ALLOC:
                out.append((int(meta.addr), f"{path}/{name}"))
                todo.append((entry.as_directory(), f"{path}/{name}"))
    return out


def _mft_file_name(fs, inode: int, name: str, namespace: int) -> tuple[int, ...] | None:
    """(4 FILETIMEs, allocated, size) of a file's $FILE_NAME with that name and namespace; None for a directory."""
    import pytsk3

    if inode < 24:
        return None
    try:
        file = fs.open_meta(inode=inode)
    except OSError:
        return None
    if file.info.meta.type == pytsk3.TSK_FS_META_TYPE_DIR:
        return None
    for attr in file:
        if int(attr.info.type) != 48:
            continue
        raw = file.read_random(0, int(attr.info.size), attr.info.type, attr.info.id)
        if len(raw) >= 66 and raw[65] == namespace and raw[66:66 + 2 * raw[64]].decode("utf-16-le", "replace") == name:
            return struct.unpack_from("<4QQQ", raw, 8)
    return None


_FN_FIELDS = ("created", "modified", "changed", "accessed", "allocated", "size")


def _show_fields(values: tuple[int, ...], which: list[int]) -> str:
    return ", ".join(f"{_FN_FIELDS[i]} {_show_value(i, values[i])}" for i in which)


def _show_value(index: int, value: int) -> str:
    if index >= 4:
        return str(value)
    from forensics_kit.builder.ntfs_mft import posix
    from forensics_kit.timefmt import iso_utc

    seconds, nanoseconds = posix(value)
    return iso_utc(seconds, nanoseconds)


class SdCardPartitionTable(AuditRule):
    """An SD card carries an MBR partition table (the SD Association's format), not a bare file system."""

    name = "sd-card-mbr"
    title = {"en": "SD cards carry an MBR partition table", "ru": "на SD-картах есть таблица разделов MBR"}
    messages = {"superfloppy": {
        "en": "an SD card ({why}) whose file system starts at sector 0, with no partition table",
        "ru": "SD-карта ({why}), файловая система которой начинается с сектора 0, без таблицы разделов"}}

    def check(self, case):
        from forensics_kit.disk import open_image

        for entry in case.entries("disk"):
            description = str((entry.get("container") or {}).get("description", ""))
            name = str(entry.get("file", "")).lower()
            why = ("its description says so" if re.search(r"\b(micro)?SD(HC|XC)?\b", description)
                   else "its file name says so" if re.match(r"(micro)?sd(card)?[._-]", name) else None)
            if why is None:
                continue
            with open_image(case.artefact(entry["id"])) as image:
                if any(fs.offset == 0 for fs in image.filesystems()):
                    yield self.finding(case, entry["id"], "sector 0", "superfloppy", why=why)
