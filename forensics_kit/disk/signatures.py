"""Signature check: files whose content type disagrees with their extension.

Renaming ``plan.jpg`` to ``notes.txt`` hides it from a search by extension, not
from its first bytes. Each known type is a small :class:`Signature` class
(registered by subclassing) that recognises its magic bytes and lists the
extensions it may legitimately carry. Only the first 4 KiB of each file are
read, and for ZIP archives the end of the file (central directory, bounded to
1 MiB) to tell a ``.docx`` from an ``.xlsx`` or a plain ZIP.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.names import split_extension
from forensics_kit.disk.records import FileRecord
from forensics_kit.errors import ForensicsKitError

HEAD_BYTES = 4096
ZIP_TAIL_MAX = 1 << 20


class Signature:
    """One file type: how its content starts and which extensions it may have.

    Subclasses set ``name``, ``extensions`` and ``magic`` (prefixes at ``offset``),
    or override :meth:`matches`; defining the subclass registers it.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[frozenset[str]] = frozenset()
    magic: ClassVar[tuple[bytes, ...]] = ()
    offset: ClassVar[int] = 0
    bare_ok: ClassVar[bool] = False  # may legitimately have no extension at all (programs, app databases)
    registry: ClassVar[dict[str, type[Signature]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            Signature.registry[cls.name] = cls

    @classmethod
    def matches(cls, head: bytes) -> bool:
        return head[cls.offset :].startswith(cls.magic)


def _exts(text: str) -> frozenset[str]:
    return frozenset(text.split())


class Jpeg(Signature):
    name, extensions, magic = "jpeg", _exts("jpg jpeg jpe jfif jif"), (b"\xff\xd8\xff",)


class Png(Signature):
    name, extensions, magic = "png", _exts("png apng"), (b"\x89PNG\r\n\x1a\n",)


class Gif(Signature):
    name, extensions, magic = "gif", _exts("gif"), (b"GIF87a", b"GIF89a")


class Pdf(Signature):
    name, extensions, magic = "pdf", _exts("pdf ai"), (b"%PDF-",)


class Gzip(Signature):
    name, extensions, magic = "gzip", _exts("gz tgz gzip svgz"), (b"\x1f\x8b\x08",)


class SevenZip(Signature):
    name, extensions, magic = "7z", _exts("7z"), (b"7z\xbc\xaf\x27\x1c",)


class Rar(Signature):
    name, extensions, magic = "rar", _exts("rar"), (b"Rar!\x1a\x07",)


class Pe(Signature):
    name, extensions = "pe", _exts("exe dll sys scr cpl ocx drv efi com mui ax")

    @classmethod
    def matches(cls, head: bytes) -> bool:
        if not head.startswith(b"MZ") or len(head) < 0x40:
            return False
        pe_at = struct.unpack_from("<I", head, 0x3C)[0]
        return pe_at + 4 > len(head) or head[pe_at : pe_at + 4] == b"PE\0\0"


class Elf(Signature):
    name, extensions, magic = "elf", _exts("so o ko elf bin out axf prx mod"), (b"\x7fELF",)
    bare_ok = True


class Sqlite(Signature):
    name, magic, bare_ok = "sqlite", (b"SQLite format 3\0",), True
    extensions = _exts("sqlite sqlite3 db db3 sqlitedb s3db")


class Mp4(Signature):
    name, offset, magic = "mp4", 4, (b"ftyp",)
    extensions = _exts("mp4 m4a m4v m4b mov 3gp 3g2 heic heif avif qt f4v")


class Bmp(Signature):
    name, extensions = "bmp", _exts("bmp dib")

    @classmethod
    def matches(cls, head: bytes) -> bool:  # "BM" alone is too common: reserved fields must be 0
        return head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\0\0\0\0"


class Tiff(Signature):
    name, magic = "tiff", (b"II*\0", b"MM\0*")
    extensions = _exts("tif tiff dng nef cr2 arw orf rw2 pef srw")


class Ole2(Signature):
    name, magic = "ole2", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
    extensions = _exts("doc dot xls xlt ppt pps pot msg msi vsd pub mpp db automaticdestinations-ms")  # Jump Lists


class Zip(Signature):
    """A ZIP archive; :func:`detect` names OOXML, OpenDocument, JAR, APK and EPUB members."""

    name, magic = "zip", (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
    extensions = _exts("zip zipx")


class _ZipFamily(Signature):
    """ZIP-based formats: never matched on bytes alone, named from the archive's members."""

    @classmethod
    def matches(cls, head: bytes) -> bool:
        return False


class Docx(_ZipFamily):
    name, extensions = "docx", _exts("docx docm dotx dotm zip")


class Xlsx(_ZipFamily):
    name, extensions = "xlsx", _exts("xlsx xlsm xltx xltm zip")


class Pptx(_ZipFamily):
    name, extensions = "pptx", _exts("pptx pptm potx ppsx zip")


class OpenDocument(_ZipFamily):
    name, extensions = "opendocument", _exts("odt ods odp odg odf ott ots otp zip")


class Epub(_ZipFamily):
    name, extensions = "epub", _exts("epub zip")


class Jar(_ZipFamily):
    name, extensions = "jar", _exts("jar war ear zip")


class Apk(_ZipFamily):
    name, extensions = "apk", _exts("apk aab zip")


def zip_members(tail: bytes) -> list[str]:
    """Member names from a ZIP central directory found in the archive's last bytes."""
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return []
    count, cd_size = struct.unpack_from("<HI", tail, end + 10)
    start = end - cd_size
    names: list[str] = []
    pos = max(start, 0)
    while len(names) < count and tail[pos : pos + 4] == b"PK\x01\x02" and pos + 46 <= len(tail):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", tail, pos + 28)
        names.append(tail[pos + 46 : pos + 46 + name_len].decode("utf-8", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    return names


def _zip_kind(head: bytes, members: list[str]) -> str:
    if head[30:38] == b"mimetype":
        mime = head[38:38 + 60]
        if mime.startswith(b"application/epub+zip"):
            return "epub"
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            return "opendocument"
    names = set(members)
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(m.startswith(prefix) for m in members):
                return kind
    if "AndroidManifest.xml" in names:
        return "apk"
    if "META-INF/MANIFEST.MF" in names:
        return "jar"
    return "zip"


def detect(head: bytes, tail: bytes = b"") -> str | None:
    """Name the type of content from its first bytes (and a ZIP's last bytes); None if unknown."""
    for sig in Signature.registry.values():
        if sig.matches(head):
            if sig is Zip:
                return _zip_kind(head, zip_members(tail))
            return sig.name
    return None


def claimed_types(extension: str) -> list[str]:
    """Types whose extensions include this one (``docx`` -> ``["docx"]``; ``zip`` -> all ZIP types)."""
    return [name for name, sig in Signature.registry.items() if extension in sig.extensions]


@dataclass(slots=True, frozen=True)
class SignatureMismatch:
    """A file whose content is not what its extension says.

    Attributes:
        detected: the content's type (``"jpeg"``, ``"docx"``...), None when no known signature matched.
        expected_extensions: extensions the detected type may carry (empty when unknown).
        claimed: the types the extension stands for.
    """

    path: str
    inode: int
    partition: int | None
    allocated: bool
    size: int
    extension: str
    detected: str | None
    expected_extensions: tuple[str, ...]
    claimed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_signatures(
    img: DiskImage, partition: int | None = None, include_deleted: bool = True, *, shadow: int | None = None
) -> Iterator[SignatureMismatch]:
    """Yield files whose content type disagrees with their extension.

    A file is reported when its content has a known signature its extension does
    not belong to (a ``.txt`` that is a JPEG), or when its extension stands for a
    known type and the content is something else (a ``.docx`` that is not OOXML,
    a ``.pdf`` without ``%PDF-``). Empty files, files without an extension and of
    unknown content, and unreadable files are skipped (unreadable ones with a
    warning in ``img.warnings``). ``shadow`` checks that volume shadow copy of the
    NTFS volume instead of its current state.
    """
    for record in img.walk(partition, shadow=shadow):
        if record.type != "file" or record.size == 0 or not record.inode:
            continue
        if not include_deleted and not record.allocated:
            continue
        extension = split_extension(record.name)[1][1:].lower()
        claimed = claimed_types(extension) if extension else []
        try:
            head, tail = _read_ends(img, record, shadow)
        except ForensicsKitError as exc:
            img.warnings.append(f"{record.path}: signature not checked: {exc}")
            continue
        detected = detect(head, tail)
        if detected is None and not claimed:
            continue
        sig = Signature.registry[detected] if detected else None
        expected = sig.extensions if sig else frozenset()
        if extension in expected or (sig is not None and not extension and sig.bare_ok):
            continue
        yield SignatureMismatch(
            record.path, record.inode, record.partition, record.allocated, record.size,
            extension, detected, tuple(sorted(expected)), tuple(claimed),
        )


def _read_ends(img: DiskImage, record: FileRecord, shadow: int | None) -> tuple[bytes, bytes]:
    content = img._open_record(record, shadow)  # noqa: SLF001 - same package
    size = content.size
    head = content.read_at(0, min(HEAD_BYTES, size)) if size else b""
    tail = b""
    if head.startswith(b"PK"):
        want = min(size, ZIP_TAIL_MAX)
        tail = content.read_at(size - want, want)
    return head, tail
