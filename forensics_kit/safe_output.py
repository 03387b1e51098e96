"""Writing into an examiner's output folder without following links or overwriting anything.

Shared by every command that writes evidence out (``disk export``, ``net export``,
``net stream --raw``): each folder and file is created relative to an open folder
handle with ``O_NOFOLLOW`` and ``O_EXCL``, so a symbolic link already in the output
folder (planted, or left by an earlier run) is never followed and an existing file is
never replaced; a file whose name is taken gets a ``name (2).ext`` suffix and the
caller records where it went. Names go through :mod:`forensics_kit.disk.names`.
"""

from __future__ import annotations

import os
from pathlib import Path

from forensics_kit.disk.names import NameAllocator, numbered, safe_name
from forensics_kit.errors import ForensicsKitError

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
MAX_TRIES = 1000


class OutputFolder:
    """The output folder: safe names, folders made without following links, exclusive files.

    The folder itself may be given through a link (the examiner chose it); nothing
    inside it is followed. Call :meth:`close` when done.
    """

    def __init__(self, out_dir: Path) -> None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.root = os.open(out_dir, DIR_FLAGS & ~os.O_NOFOLLOW)
        except OSError as exc:
            raise ForensicsKitError(f"{out_dir}: cannot use as output folder: {exc.strerror or exc}") from exc
        self.out_dir = out_dir
        self.names = NameAllocator()
        self.folders: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}

    def close(self) -> None:
        os.close(self.root)

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def folder(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """The local folder for an evidence folder (its raw components), made if needed."""
        local = self.folders.get(parts)
        if local is not None:
            return local
        parent = self.folder(parts[:-1])
        fd = self._open(parent)
        try:
            name = self.names.allocate(parent, parts[-1])
            for attempt in range(1, MAX_TRIES):
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                    break
                except FileExistsError:
                    try:  # an existing real folder (an earlier export) is reused; a link or file is not
                        os.close(os.open(name, DIR_FLAGS, dir_fd=fd))
                        break
                    except OSError:
                        name = self._next(parent, name, attempt)
        finally:
            os.close(fd)
        local = parent + (name,)
        self.folders[parts] = local
        return local

    def _next(self, folder: tuple[str, ...], name: str, attempt: int) -> str:
        base = name
        number = attempt + 1
        while not self.names.is_free(folder, candidate := numbered(base, number)):
            number += 1
        self.names.reserve(folder, candidate)
        return candidate

    def _open(self, local: tuple[str, ...]) -> int:
        fd = os.dup(self.root)
        for part in local:
            try:
                child = os.open(part, DIR_FLAGS, dir_fd=fd)
            finally:
                os.close(fd)
            fd = child
        return fd

    def create(self, local_folder: tuple[str, ...], wanted: str) -> tuple[int, str]:
        """Create a new file exclusively; (fd, relative path). Never overwrites, never follows a link."""
        fd_dir = self._open(local_folder)
        try:
            name = self.names.allocate(local_folder, wanted)
            for attempt in range(1, MAX_TRIES):
                try:
                    fd = os.open(name, FILE_FLAGS, 0o644, dir_fd=fd_dir)
                    return fd, "/".join(local_folder + (name,))
                except FileExistsError:
                    name = self._next(local_folder, name, attempt)
            raise ForensicsKitError(f"{self.out_dir}: too many files named like {wanted!r}")
        finally:
            os.close(fd_dir)

    def write(self, wanted: str, data: bytes) -> str:
        """Write ``data`` to a new file named like ``wanted`` in the folder's root; its relative path."""
        fd, relative = self.create((), wanted)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        return relative

    def create_root(self, name: str) -> tuple[int, str]:
        """Create a manifest in the output root; an existing one is kept and ours is numbered."""
        candidate = safe_name(name)
        for number in range(1, MAX_TRIES):
            if number > 1:
                candidate = numbered(name, number)
                if not self.names.is_free((), candidate):
                    continue
            try:
                return os.open(candidate, FILE_FLAGS, 0o644, dir_fd=self.root), candidate
            except FileExistsError:
                continue
        raise ForensicsKitError(f"{self.out_dir}: cannot create {name}")
