"""ext2/3/4 volumes made with ``mke2fs -d`` and ``debugfs``, without root or mounting.

mke2fs copies a prepared folder in; ``E2FSPROGS_FAKE_TIME`` pins the times it
writes itself, ``-U`` and ``-E hash_seed=`` (drawn from the seed) pin the ids.
Every inode's four times are then set with ``debugfs set_inode_field``, so
nothing of the build machine's clock is left. Deletion is ``debugfs rm`` at the
item's deletion time; ext3/ext4 then have their size and block map cleared the
way the Linux driver does, so their content is gone from the inode (carve it),
while ext2 keeps its block pointers and ``icat`` still recovers the data.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

from forensics_kit.builder.volume import (
    FileSystemType,
    Plant,
    VolumeSpec,
    parent_directories,
    plain_label_problem,
    run_env,
)
from forensics_kit.errors import BuildError
from forensics_kit.timefmt import parse_iso


def volume_uuid(serial: int, purpose: str) -> str:
    """A random-looking (version 4) UUID fixed by the volume's serial and a purpose."""
    raw = hashlib.sha256(f"{serial}/{purpose}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=raw, version=4))


class _Ext(FileSystemType):
    """Common mke2fs/debugfs steps; subclasses name the revision."""

    min_size = 1 << 20
    max_size = 16 << 40
    clears_block_map = True

    def check_label(self, label: str) -> str | None:
        return plain_label_problem(label, 16)

    @staticmethod
    def block_size(size: int) -> int:
        """1 KiB blocks on small volumes (slack is easy to see), 4 KiB from 64 MiB."""
        return 1024 if size < (64 << 20) else 4096

    def plant(self, volume: Path, spec: VolumeSpec, scratch: Path) -> None:
        source = scratch / f"ext-src-{spec.serial:08x}"
        source.mkdir()
        for directory in _all_directories(spec):
            (source / directory.lstrip("/")).mkdir()
        for plant in spec.plants:
            target = source / plant.path.lstrip("/")
            target.write_bytes(plant.data)
        with open(volume, "wb") as stream:
            stream.truncate(spec.size)
        args = [
            "-q", "-F", "-t", self.name, "-d", source,
            "-U", volume_uuid(spec.serial, "uuid"),
            "-E", f"hash_seed={volume_uuid(spec.serial, 'hash')},root_owner=0:0",
            "-b", str(self.block_size(spec.size)), "-I", "256", "-m", "0",
        ]  # fmt: skip
        if spec.label:
            args += ["-L", spec.label]
        run_env("mke2fs", [*args, volume], {"E2FSPROGS_FAKE_TIME": str(int(spec.format_time))})
        commands = []
        made = _made_directories(spec)
        folders = _directory_times(spec, made)
        spec.options["ext_directory_times"] = folders
        for directory in ["/", "/lost+found", *_all_directories(spec)]:
            born = made.get(directory, {}).get("created", spec.format_time)
            changed = max(folders.get(directory, spec.format_time), born)  # an entry made (or removed) there moves it
            commands += self._time_commands(_quote(directory), {"atime": born, "mtime": changed,
                                                                "ctime": changed, "crtime": born})
            if directory in made:  # made by a user (useradd -m): theirs, with its own mode
                commands += _owner_commands(directory, made[directory].get("owner"), made[directory].get("mode"),
                                            0o040000)
        for plant in spec.plants:
            times = {
                "atime": plant.times["accessed"],
                "mtime": plant.times["modified"],
                # the kernel changes ctime with every write, chmod or chown: never before mtime or birth
                "ctime": max(plant.times["modified"], plant.times["created"], plant.times.get("changed", 0)),
                "crtime": plant.times["created"],
            }
            commands += self._time_commands(_quote(plant.path), times, plant.nanoseconds())
            # the acting user's uid and gid (default: the uid's own group); chmod: permission bits
            commands += _owner_commands(plant.path, plant.spec.get("owner"), plant.spec.get("mode"), 0o100000)
        self._debugfs(volume, commands, spec.format_time, scratch)

    def _time_commands(self, target: str, times: dict[str, float], nanoseconds: int = 0) -> list[str]:
        """debugfs commands setting the times; ext4 keeps ``nanoseconds`` in each ``*_extra`` field."""
        out = []
        for name, seconds in times.items():
            if name == "crtime" and self.name != "ext4":
                continue  # only ext4's large inodes keep a creation time that TSK shows
            out.append(f"set_inode_field {target} {name} @{int(seconds)}")
            if self.name == "ext4":  # extra: 30 bits of nanoseconds above 2 bits of epoch
                out.append(f"set_inode_field {target} {name}_extra {nanoseconds << 2}")
        return out

    def delete(self, volume: Path, spec: VolumeSpec, plants: list[Plant], scratch: Path) -> None:
        for plant in sorted(plants, key=lambda p: p.times["deleted"]):
            commands = [f"rm {_quote(plant.path)}"]
            located = plant.facts.get("located")
            inode = located.inode if located else None
            if self.clears_block_map and inode:
                commands += [f"set_inode_field <{inode}> size 0", f"set_inode_field <{inode}> blocks 0"]
                first = 3 if self.name == "ext4" else 0  # ext4 keeps the extent header, with 0 entries
                if self.name == "ext4":
                    commands.append(f"set_inode_field <{inode}> block[0] 0xF30A")
                commands += [f"set_inode_field <{inode}> block[{n}] 0" for n in range(first, 15)]
            if inode:  # unlink changes the link count, so the kernel sets ctime (and dtime) to that moment
                deleted = {"ctime": plant.times["deleted"]}
                commands += self._time_commands(f"<{inode}>", deleted, plant.nanoseconds())
            self._debugfs(volume, commands, plant.times["deleted"], scratch)

    @staticmethod
    def _debugfs(volume: Path, commands: list[str], when: float, scratch: Path) -> None:
        script = scratch / "debugfs.cmd"
        script.write_text("\n".join(commands) + "\n", encoding="utf-8")
        output = run_env(
            "debugfs", ["-w", "-f", script, volume], {"E2FSPROGS_FAKE_TIME": str(int(when))}, merge=True
        )
        script.unlink()
        problems = [line for line in output.splitlines() if "not found" in line or "Couldn't" in line]
        if problems:
            raise BuildError(f"debugfs on {volume.name}: {problems[0].strip()}")


def _directory_times(spec: VolumeSpec, made: dict[str, dict] | None = None) -> dict[str, float]:
    """When each directory last changed: the newest creation or deletion of an entry directly in it."""
    out: dict[str, float] = {}
    for plant in spec.plants:
        parent = str(PurePosixPath(plant.path).parent)
        events = [plant.times["created"], *([plant.times["deleted"]] if plant.deleted else [])]
        out[parent] = max(out.get(parent, spec.format_time), *events)
    for directory, facts in (made or {}).items():  # a directory made later moves its parent too
        parent = str(PurePosixPath(directory).parent)
        out[parent] = max(out.get(parent, spec.format_time), facts["created"])
    return out


def _all_directories(spec: VolumeSpec) -> list[str]:
    """Every directory to make, parents first: those holding plants and those the recipe lists."""
    listed = [f"{PurePosixPath(path)}/entry" for path in spec.options.get("directories") or {}]
    return parent_directories([p.path for p in spec.plants] + listed)


def _made_directories(spec: VolumeSpec) -> dict[str, dict]:
    """The recipe's ``filesystem.directories`` (owner, mode, birth) by path, birth as POSIX seconds."""
    out = {}
    for path, facts in (spec.options.get("directories") or {}).items():
        facts = dict(facts or {})
        facts["created"] = parse_iso(str(facts["created"])).timestamp() if facts.get("created") else spec.format_time
        out[str(PurePosixPath(path))] = facts
    return out


def _owner_commands(path: str, owner: Any, mode: Any, kind: int) -> list[str]:
    """debugfs commands giving ``path`` its owner (``uid[:gid]``) and permission bits (file or directory ``kind``)."""
    out = []
    if owner is not None:
        uid, _, gid = str(owner).partition(":")
        out += [f"set_inode_field {_quote(path)} uid {int(uid)}",
                f"set_inode_field {_quote(path)} gid {int(gid or uid)}"]
    if mode is not None:
        out.append(f"set_inode_field {_quote(path)} mode 0{kind | int(str(mode), 8):o}")
    return out


def _quote(path: str) -> str:
    """debugfs reads one command per line; quote paths with spaces."""
    text = str(PurePosixPath(path))
    return f'"{text}"' if any(c in text for c in ' \t"') else text


class Ext2(_Ext):
    name = "ext2"
    clears_block_map = False


class Ext3(_Ext):
    name = "ext3"


class Ext4(_Ext):
    name = "ext4"

