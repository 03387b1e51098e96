"""Windows artefacts agree with the file system that holds them.

- An event log (.evtx) and a registry hive are written by the system as it runs: the
  newest event time, or the newest key last-written time, cannot be after the file's
  own NTFS modification time (a log whose file was last written before its last event
  is a contradiction an examiner who runs ``istat`` next to ``evtxexport`` sees).
- A hive key, an event or the file itself is never written after the image was made.
- A service a 7045 event installed has its key in the same volume's SYSTEM hive, with the
  same ImagePath; an examiner checks the log against the registry.
- A Recycle Bin ``$I`` record has its ``$R`` file beside it, as large as the record says.
- A shortcut (.lnk) copies its target's size and write time when it is made: where a volume
  of the case holds the target (same path, drive letter aside), they agree (a FAT or exFAT
  target's time read on the clock of its disk's ``tz``, as Windows converts it). A case whose
  target was edited after the link was made accepts the finding in its recipe.
"""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule

_SLACK = 2  # seconds: the system writes the file a moment after the event or key


def _newest_event(data: bytes) -> str | None:
    from forensics_kit.windows import read_events

    times = [e.time for e in read_events(data, name="audit.evtx") if e.time]
    return max(times) if times else None


def _newest_key(data: bytes) -> str | None:
    from forensics_kit.windows import open_hive

    with open_hive(data, name="audit hive") as hive:
        times = [k.last_written for k in hive.walk() if k.last_written]
    return max(times) if times else None


def _seconds(iso: str) -> float:
    from forensics_kit.timefmt import parse_iso

    return parse_iso(iso).timestamp()


class WindowsArtefactTimes(AuditRule):
    """The newest time inside an .evtx or a hive is not after the file's NTFS modification time."""

    name = "windows-artefact-times"
    title = {"en": "event logs and registry hives are not newer inside than their file's modification time",
             "ru": "время последней записи внутри журнала событий и куста реестра не позже времени изменения файла"}
    messages = {"newer": {"en": "{kind} holds {newest} but the file was last modified at {mtime}",
                          "ru": "{kind} содержит время {newest}, но файл последний раз изменён в {mtime}"},
                "unreadable": {"en": "{kind} cannot be read: {error}", "ru": "{kind} не читается: {error}"}}

    def check(self, case):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.timefmt import iso_utc

        for entry in case.entries("disk"):
            for file in case.disk_files(entry["id"]):
                if not file.allocated or ":" in file.path.rsplit("/", 1)[-1] or not file.raw_times[0]:
                    continue
                if file.data[:8] == b"ElfFile\0":
                    kind, reader = "event log", _newest_event
                elif file.data[:4] == b"regf":
                    kind, reader = "registry hive", _newest_key
                else:
                    continue
                try:
                    newest = reader(file.data)
                except (ForensicsKitError, OSError, ValueError) as exc:
                    yield self.finding(case, entry["id"], file.path, "unreadable", kind=kind, error=str(exc))
                    continue
                mtime = file.raw_times[0] + file.raw_times[1] / 1e9
                if newest and _seconds(newest) > mtime + _SLACK:
                    yield self.finding(case, entry["id"], file.path, "newer", kind=kind, newest=newest,
                                       mtime=iso_utc(file.raw_times[0]))


class ServiceInRegistry(AuditRule):
    """Each service a System log's 7045 installed has its SYSTEM key, with the same ImagePath."""

    name = "windows-service-key"
    title = {"en": "services installed by 7045 events have their key in the SYSTEM hive",
             "ru": "службы, установленные по событиям 7045, имеют свой раздел в кусте SYSTEM"}
    messages = {"missing": {"en": "7045 at {time} installs {service}, but SYSTEM has no Services\\{service} key",
                            "ru": "7045 в {time} устанавливает службу {service}, "
                                  "но в SYSTEM нет раздела Services\\{service}"},
                "path": {"en": "7045 gives {service} the ImagePath {logged}, SYSTEM {stored}",
                         "ru": "в 7045 у службы {service} ImagePath {logged}, а в SYSTEM — {stored}"}}

    def check(self, case):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows import open_hive, read_events

        for entry in case.entries("disk"):
            files = {(f.partition, f.path.lower()): f for f in case.disk_files(entry["id"]) if f.allocated}
            for (partition, path), file in sorted(files.items(), key=lambda kv: str(kv[0])):
                if not path.endswith("/winevt/logs/system.evtx"):
                    continue
                hive_file = files.get((partition, "/windows/system32/config/system"))
                try:
                    installs = [e for e in read_events(file.data, name=file.path) if e.event_id == 7045]
                    if not installs or hive_file is None:
                        continue
                    with open_hive(hive_file.data, name=hive_file.path) as hive:
                        current = hive.value_data("Select", "Current", 1)
                        services = f"ControlSet{current:03d}\\Services"
                        stored = {k.name.lower(): k.get("ImagePath") for k in hive.subkeys(services)}
                except (ForensicsKitError, OSError, ValueError):
                    continue  # windows-artefact-times names an unreadable file
                for event in installs:
                    name = event.data.get("ServiceName", "")
                    if name.lower() not in stored:
                        yield self.finding(case, entry["id"], file.path, "missing", time=event.time, service=name)
                    elif (stored[name.lower()] or "").lower() != event.data.get("ImagePath", "").lower():
                        yield self.finding(case, entry["id"], file.path, "path", service=name,
                                           logged=event.data.get("ImagePath"), stored=stored[name.lower()])


class RecycleBinPairs(AuditRule):
    """Each ``$I`` record has its ``$R`` file beside it, of the size the record gives, and names its user's profile."""

    name = "windows-recycle-pair"
    title = {"en": "Recycle Bin $I records have their $R file of the same size",
             "ru": "у записей $I корзины есть файл $R того же размера"}
    messages = {"missing": {"en": "{info} has no {data} beside it", "ru": "рядом с {info} нет {data}"},
                "size": {"en": "{info} gives {expected} bytes for {original}, {data} holds {size}",
                         "ru": "{info} указывает для {original} размер {expected} байт, а в {data} их {size}"}}

    def check(self, case):
        from forensics_kit.disk import open_image
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows import recycle_bin

        for entry in case.entries("disk"):
            try:
                with open_image(case.artefact(entry["id"])) as image:
                    for fs in image.filesystems():
                        sizes = {r.path.lower(): r.size for r in image.walk(fs.partition) if r.allocated}
                        for item in recycle_bin(image, fs.partition):
                            where = item.info_path or "?"
                            if not item.data_present:
                                yield self.finding(case, entry["id"], where, "missing", info=where, data=item.data_path)
                            elif sizes.get((item.data_path or "").lower()) != item.size:
                                yield self.finding(case, entry["id"], where, "size", info=where, data=item.data_path,
                                                   expected=item.size, original=item.original_path,
                                                   size=sizes.get((item.data_path or "").lower()))
            except (ForensicsKitError, OSError, ValueError):
                continue


class ShortcutTargets(AuditRule):
    """A shortcut's target, where a volume of the case holds it, has the size and write time the .lnk copied."""

    name = "windows-lnk-target"
    title = {"en": "a .lnk's target size and write time equal the target file's",
             "ru": "размер и время изменения объекта ярлыка .lnk совпадают с самим файлом"}
    messages = {"differs": {"en": "{lnk} says {target} has {what} {lnk_value}, the file has {file_value}",
                            "ru": "по {lnk} у {target} {what} {lnk_value}, а у файла — {file_value}"}}
    _TOLERANCE = 2  # seconds: FAT keeps write times to 2 s

    def check(self, case):
        from forensics_kit.errors import ForensicsKitError
        from forensics_kit.windows import read_lnk

        files = [f for e in case.entries("disk") for f in case.disk_files(e["id"]) if f.allocated]
        zones = {e["id"]: str(e.get("tz", "UTC")) for e in case.entries("disk")}
        by_path: dict[str, list] = {}
        for file in files:
            by_path.setdefault(file.path.lower(), []).append(file)
        for link in (f for f in files if f.path.lower().endswith(".lnk")):
            try:
                info = read_lnk(link.data, name=link.path)
            except (ForensicsKitError, OSError, ValueError):
                continue
            target = "/" + (info.local_path or "")[3:].replace("\\", "/") if info.local_path else None
            found = by_path.get(target.lower(), []) if target else []
            if len(found) != 1:
                continue  # gone, or ambiguous between volumes: nothing to compare
            file = found[0]
            if info.size != len(file.data):
                yield self.finding(case, link.evidence, link.path, "differs", lnk=link.path, target=info.local_path,
                                   what="size", lnk_value=info.size, file_value=len(file.data))
            written = _utc_mtime(file, zones[file.evidence])
            moved = abs(_seconds(info.modified) - written) if info.modified and written else 0
            if moved > self._TOLERANCE:
                from forensics_kit.timefmt import iso_utc

                yield self.finding(case, link.evidence, link.path, "differs", lnk=link.path, target=info.local_path,
                                   what="write time", lnk_value=info.modified, file_value=iso_utc(written))


def _utc_mtime(file, zone: str) -> int:
    """The file's write time in UTC: FAT and exFAT keep the local time of the disk's clock (``tz``)."""
    if not file.raw_times[0] or not file.fs_type.upper().startswith(("FAT", "EXFAT")) or zone == "UTC":
        return file.raw_times[0]
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    wall = datetime.fromtimestamp(file.raw_times[0], tz=UTC).replace(tzinfo=ZoneInfo(zone))
    return int(wall.timestamp())
