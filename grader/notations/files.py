"""Files: file types as ``file``, exiftool, TrID, MIME or a person name them, and file names per file system.

A file type is read into a family (``zip``, ``pe``, ``jpeg``...) from ``file``'s description
(``Zip archive data, at least v2.0 to extract``), exiftool's ``File Type``/``MIME Type``, a MIME
type, an extension or plain words; two answers are the same type when they name one family.

A file name follows its file system: case-insensitive on FAT, exFAT, NTFS, HFS+ and APFS (as
formatted by default), case-sensitive on ext2/3/4, XFS, Btrfs and UFS. NTFS streams are read as
TSK (``name:stream``) and Windows (``name:stream:$DATA``) write them. A deleted FAT directory
entry loses its first byte (0xE5): TSK shows ``_``, other tools ``?``, ``σ`` or ``å``; the key
says whether that character must be recovered (``first_char: counts``) or not (``lost``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from grader.errors import CheckerConfigError, InvalidAnswer
from grader.i18n import Message, msg
from grader.lazy_re import lazy
from grader.notations import Notation, Reading

__all__ = ["CASE_INSENSITIVE_FS", "CASE_SENSITIVE_FS", "FILE_TYPES", "fs_case_sensitive", "fat_like", "file_family"]

CASE_INSENSITIVE_FS = {"fat", "fat12", "fat16", "fat32", "vfat", "exfat", "ntfs", "hfs", "hfs+", "hfsplus", "apfs",
                       "iso9660", "udf", "refs"}
CASE_SENSITIVE_FS = {"ext", "ext2", "ext3", "ext4", "xfs", "btrfs", "ufs", "ffs", "zfs", "f2fs", "jfs", "reiserfs",
                     "apfs-cs", "yaffs2", "squashfs", "linux", "unix"}
LOST_FIRST = "?_σåÕ\u00e5\u03c3!"
_CARRIER = lazy(
    r"(?:STOR|RETR|APPE|STOU|DELE|SIZE|MDTM)\s+(?:.*/)?([^/]+)"
    r"|(?:content-disposition:\s*)?(?:(?:form-data|attachment|inline)\s*;\s*)?(?:name=\"[^\"]*\"\s*;\s*)?"
    r"filename\*?=(?:utf-8'')?\"?([^\";]+)\"?\s*;?",
    re.IGNORECASE,
)

#: Family -> patterns (lower case) of ``file``, exiftool, MIME, TrID and plain words; checked in this order.
FILE_TYPES: tuple[tuple[str, str], ...] = (
    ("docx", r"microsoft word 2007\+|\bdocx\b|wordprocessingml|word document \(ooxml\)|office open xml document"),
    ("xlsx", r"microsoft excel 2007\+|\bxlsx\b|spreadsheetml"),
    ("pptx", r"microsoft powerpoint 2007\+|\bpptx\b|presentationml"),
    ("jar", r"java archive|\bjar\b"),
    ("apk", r"android package|\bapk\b"),
    ("odf", r"opendocument"),
    ("zip", r"\bzip\b|pkzip|zip archive|zip-архив|архив zip|application/(?:x-)?zip|\.zip\b|^pk(?:\\x03\\x04)?$"
            r"|^50 ?4b ?03 ?04\b"),
    ("rar", r"\brar\b|rar archive"),
    ("7z", r"\b7-?zip\b|\b7z\b"),
    ("gzip", r"\bgzip\b|\bgz\b|application/(?:x-)?gzip"),
    ("bzip2", r"\bbzip2\b|\bbz2\b"),
    ("xz", r"\bxz\b"),
    ("tar", r"\btar\b|posix tar"),
    ("cab", r"microsoft cabinet|\bcab\b"),
    ("msi", r"\bmsi\b|windows installer"),
    ("ole", r"composite document file|cdfv2|\bole2?\b|microsoft (?:word|excel|powerpoint) 97|\bdoc\b|\bxls\b|\bppt\b"),
    ("pdf", r"\bpdf\b|portable document|application/pdf|^%pdf|^25 ?50 ?44 ?46\b"),
    ("rtf", r"rich text format|\brtf\b"),
    ("jpeg", r"\bjpe?g\b|jfif|\bexif\b image|image/jpeg|^ff ?d8 ?ff\b"),
    ("png", r"\bpng\b|portable network graphics"),
    ("gif", r"\bgif\b"),
    ("bmp", r"\bbmp\b|pc bitmap|windows bitmap|device independent bitmap"),
    ("tiff", r"\btiff?\b"),
    ("webp", r"\bwebp\b"),
    ("heic", r"\bheic\b|\bheif\b"),
    ("ico", r"\bico\b|ms windows icon"),
    ("lnk", r"windows shortcut|\blnk\b|shell link"),
    ("pe", r"\bpe32\+?\b|\bpe\b|portable executable|ms-dos executable|\bmz\b|\bdll\b|\bexe\b|windows executable"
           r"|^4d ?5a\b"
           r"|application/(?:x-)?(?:msdownload|dosexec|ms-dos-executable|msdos-program)|исполняемый файл windows"),
    ("elf", r"\belf\b"),
    ("macho", r"mach-o"),
    ("sqlite", r"\bsqlite\b"),
    ("evtx", r"event log|\bevtx\b"),
    ("registry", r"registry file|\bregf\b|registry hive|куст реестра"),
    ("pcapng", r"pcapng|pcap-ng|pcap next generation"),
    ("pcap", r"\bpcap\b|tcpdump capture"),
    ("ewf", r"\bewf\b|expert witness|encase image|\be01\b"),
    ("iso9660", r"iso 9660|\biso\b image|\.iso\b"),
    ("mp4", r"\bmp4\b|iso media|mpeg-4"),
    ("mp3", r"\bmp3\b|mpeg adts, layer iii|audio/mpeg"),
    ("wav", r"\bwav(?:e)?\b"),
    ("avi", r"\bavi\b"),
    ("html", r"\bhtml?\b|text/html"),
    ("xml", r"\bxml\b"),
    ("json", r"\bjson\b"),
    ("script", r"shell script|bourne-again|\bsh\b script|python script|perl script|powershell|\bps1\b|batch file"
               r"|\bbat\b|\bcmd\b script|\bvbs\b|javascript|\bjs\b"),
    ("text", r"ascii text|utf-8 (?:unicode )?text|unicode text|plain text|text/plain|\btext\b|\btxt\b|текст"),
)
_COMPILED = tuple((family, lazy(pattern)) for family, pattern in FILE_TYPES)


def file_family(text: str) -> str | None:
    """The family a type description names, or None: ``Zip archive data, at least v2.0`` -> ``zip``."""
    lowered = text.casefold()
    lowered = re.sub(r"^(?:file type|mime type|тип файла)\s*:\s*", "", lowered)
    for family, pattern in _COMPILED:
        if pattern.search(lowered):
            return family
    return None


class FileTypeNotation(Notation):
    """A file type, compared by family (``Zip archive data`` = ``ZIP`` = ``application/zip``)."""

    name = "file_type"
    labels = False

    def read(self, text: str) -> Reading:
        family = file_family(text)
        if family is None:
            raise InvalidAnswer(msg("file_type.unknown"))
        return Reading(family)


def fs_case_sensitive(fs: str) -> bool | None:
    """Whether names on file system ``fs`` are case-sensitive; None if unknown."""
    fs = fs.casefold()
    if fs in CASE_SENSITIVE_FS:
        return True
    if fs in CASE_INSENSITIVE_FS:
        return False
    return None


def fat_like(fs: str) -> bool:
    """FAT marks a deleted entry by overwriting the name's first byte (exFAT keeps the name whole)."""
    return fs.casefold() in {"fat", "fat12", "fat16", "fat32", "vfat"}


def fs_family(fs: str) -> str:
    """A file system name that behaves alike for comparison (``fat16`` -> ``vfat``): sealed keys show only this."""
    if not fs:
        return fs
    if fat_like(fs):
        return "vfat"
    return "ext4" if fs_case_sensitive(fs) else "ntfs"


def check_fs_options(checker_name: str, fs: object, first_char: object) -> None:
    """Key errors for an unknown ``fs`` or ``first_char`` value."""
    if fs and fs_case_sensitive(str(fs)) is None:
        known = ", ".join(sorted(CASE_INSENSITIVE_FS | CASE_SENSITIVE_FS))
        raise CheckerConfigError(f"option 'fs': unknown file system {fs!r} (known: {known})", checker=checker_name)
    if first_char not in ("lost", "counts"):
        raise CheckerConfigError(f"option 'first_char' must be lost or counts, not {first_char!r}",
                                 checker=checker_name)


def stream_form(name: str) -> tuple[str, bool]:
    """``name:stream:$DATA`` -> ``name:stream``; ``name::$DATA`` -> ``name`` (the main stream); and if changed."""
    match = re.fullmatch(r"(.*?):([^:]*):\$data", name, re.IGNORECASE)
    if match:
        return (f"{match.group(1)}:{match.group(2)}" if match.group(2) else match.group(1)), True
    return name, False


def lost_form(value: str, fs: str, first_char: str, given: bool) -> str | None:
    """``value`` with its first character replaced by NUL (never in a name), when the key allows a lost one.

    An answer has this form only when its first character is a placeholder a tool shows for the
    lost byte (``_``, ``?``, ``σ``...); an expected name always has it.
    """
    if len(value) < 2 or not fat_like(fs) or first_char != "lost" or (given and value[0] not in LOST_FIRST):
        return None
    return "\x00" + value[1:]


def lost_first_matches(given: str, expected: str, sensitive: bool) -> bool:
    """A deleted FAT name whose first character is shown as a placeholder, otherwise equal."""
    if len(given) != len(expected) or len(given) < 2 or given[0] not in LOST_FIRST:
        return False
    if sensitive:
        return given[1:] == expected[1:]
    return given[1:].casefold() == expected[1:].casefold()


class FileNameNotation(Notation):
    """A file name (not a path); a path answer is read as its last part and earns ``container_credit``.

    Options:
        fs (text, default ``""``): the file system the name lives on (decides letter case).
        first_char (``lost`` or ``counts``, default lost): whether a deleted FAT name's lost first
            character must be recovered.
        container_credit (number, default 0.5): share of the points for the right name given as a path.
    """

    name = "filename"
    case_sensitive = True
    options = {"fs": "", "first_char": "lost", "container_credit": 0.5}

    def default_case(self) -> bool:
        fs = str(self.settings.get("fs") or "")
        sensitive = fs_case_sensitive(fs) if fs else None
        return True if sensitive is None else sensitive

    def read(self, text: str) -> Reading:
        asked = None
        carried = _CARRIER.fullmatch(text)
        if carried:  # FTP's STOR name, HTTP/MIME Content-Disposition filename="name"
            name = next(g for g in carried.groups() if g)
            return Reading(self.fold(stream_form(name)[0]), msg("name.read_as", value=name))
        if re.search(r"[\\/]", text.rstrip("\\/")):
            text = re.split(r"[\\/]+", text.rstrip("\\/"))[-1]
            asked = msg("asked.file_name")
        name, changed = stream_form(text.rstrip("\\/"))
        if not name or "\x00" in name:
            raise InvalidAnswer(msg("path.invalid"))
        return Reading(self.fold(name), msg("name.read_as", value=name) if changed else None, asked)

    loose_note = "fat.read_lost"

    def loose(self, value: str, given: bool) -> str | None:
        """The name with its first character lost, where the key allows a deleted FAT name to show it so."""
        return lost_form(value, str(self.settings.get("fs") or ""), str(self.settings.get("first_char")), given)

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        if fat_like(str(self.settings.get("fs") or "")) and any(
                lost_first_matches(given.value, e.value, self.sensitive) for e in expected):
            return msg("fat.first_char")
        base = given.value.partition(":")[0]
        if any(base == e.value.partition(":")[0] and given.value != e.value for e in expected):
            return msg("stream.wrong")
        return super().slip(given, expected)
