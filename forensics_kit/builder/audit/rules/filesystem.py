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
