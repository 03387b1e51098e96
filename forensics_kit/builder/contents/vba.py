"""A VBA project as Office saves it (``vbaProject.bin``): an OLE file with VBA/dir, _VBA_PROJECT, modules, PROJECT.

Written as [MS-OVBA] tells a writer to: ``_VBA_PROJECT`` with version 0xFFFF and
no p-code (performance cache), so every module stream holds only its
OVBA-compressed source from offset 0 and the VBA editor recompiles on opening;
``VBA/dir`` (compressed) with the project information, one reference (stdole)
and a record per module; the ``PROJECT`` text stream with its protection fields
(CMG, DPB, GC) in the specification's data encryption, and ``PROJECTwm``.
A document module (``ThisDocument``, ``ThisWorkbook``, ``Sheet1``) gets the
attribute lines the VBA editor writes above its code.
"""

from __future__ import annotations

import random
import struct
from datetime import datetime

from forensics_kit.builder.contents.cfb import Storage, write_compound_file
from forensics_kit.builder.contents.ovba import compress

_DOCUMENT_MODULES = ("ThisDocument", "ThisWorkbook")
_STDOLE = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


def _is_document(name: str) -> bool:
    return name in _DOCUMENT_MODULES or name.startswith("Sheet")


def module_source(name: str, code: str) -> str:
    """The module text the VBA editor stores: attribute lines, then ``code`` with CRLF line ends."""
    code = code.replace("\r\n", "\n").replace("\n", "\r\n")
    if code.startswith("Attribute VB_Name"):
        return code
    lines = [f'Attribute VB_Name = "{name}"']
    if _is_document(name):
        word = name == "ThisDocument"
        base = "1Normal.ThisDocument" if word else "0{00020819-0000-0000-C000-000000000046}"
        lines += [f'Attribute VB_Base = "{base}"', "Attribute VB_GlobalNameSpace = False",
                  "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = True",
                  "Attribute VB_Exposed = True", f"Attribute VB_TemplateDerived = {word}",
                  "Attribute VB_Customizable = True"]
    return "\r\n".join(lines) + "\r\n" + code


def _record(record: int, value: bytes) -> bytes:
    return struct.pack("<HI", record, len(value)) + value


def _dir_stream(modules: list[str], codepage: int) -> bytes:
    codec = f"cp{codepage}"
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))        # PROJECTSYSKIND: 32-bit Windows
    out += _record(0x0002, struct.pack("<I", 0x0409))   # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", 0x0409))   # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", codepage))  # PROJECTCODEPAGE
    out += _record(0x0004, b"Project")                  # PROJECTNAME
    out += _record(0x0005, b"") + _record(0x0040, b"")  # PROJECTDOCSTRING (MBCS, Unicode)
    out += _record(0x0006, b"") + _record(0x003D, b"")  # PROJECTHELPFILEPATH
    out += _record(0x0007, struct.pack("<I", 0))        # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))        # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 0x5C6A4D5B, 0x0011)  # PROJECTVERSION: reserved 4, major, minor
    out += _record(0x000C, b"") + _record(0x003C, b"")  # PROJECTCONSTANTS
    out += _record(0x0016, b"stdole") + _record(0x003E, "stdole".encode("utf-16-le"))  # REFERENCENAME
    libid = _STDOLE.encode("ascii")
    out += _record(0x000D, struct.pack("<I", len(libid)) + libid + b"\x00" * 6)  # REFERENCEREGISTERED
    out += _record(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _record(0x0013, struct.pack("<H", 0xFFFF))        # PROJECTCOOKIE
    for name in modules:
        mbcs = name.encode(codec)
        out += _record(0x0019, mbcs) + _record(0x0047, name.encode("utf-16-le"))  # MODULENAME(UNICODE)
        out += _record(0x001A, mbcs) + _record(0x0032, name.encode("utf-16-le"))  # MODULESTREAMNAME
        out += _record(0x001C, b"") + _record(0x0048, b"")                        # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))          # MODULEOFFSET: no p-code before the source
        out += _record(0x001E, struct.pack("<I", 0))          # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))     # MODULECOOKIE
        out += _record(0x0022 if _is_document(name) else 0x0021, b"")  # MODULETYPE
        out += _record(0x002B, b"")                           # module terminator
    out += _record(0x0010, b"")                               # dir terminator
    return bytes(out)


def _encrypt(data: bytes, project_id: str, seed: int, rng: random.Random) -> str:
    """[MS-OVBA] 2.4.3.2 data encryption, as hex: how PROJECT's CMG, DPB and GC are written."""
    key = sum(project_id.encode("ascii")) & 0xFF
    version_enc, key_enc = seed ^ 2, seed ^ key
    out = [seed, version_enc, key_enc]
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    for _ in range((seed & 6) // 2):
        temp = rng.randrange(256)
        byte_enc = ((encrypted2 + unencrypted1) & 0xFF) ^ temp
        out.append(byte_enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, temp
    for byte in struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(byte_enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte
    return bytes(out).hex().upper()


def _project_stream(modules: list[str], project_id: str, codepage: int, rng: random.Random) -> bytes:
    lines = [f'ID="{project_id}"']
    lines += [f"Document={m}/&H00000000" if _is_document(m) else f"Module={m}" for m in modules]
    lines += ['Name="Project"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    # protection state 0 (none), no password (one zero byte), visible (0xFF), each encrypted
    lines += [f'{field}="{_encrypt(value, project_id, rng.randrange(256), rng)}"'
              for field, value in (("CMG", bytes(4)), ("DPB", bytes(1)), ("GC", b"\xff"))]
    lines += ["", "[Host Extender Info]", _HOST_EXTENDER, "", "[Workspace]"]
    lines += [f"{m}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(f"cp{codepage}")


def vba_project(macros: dict[str, str], rng: random.Random, *, codepage: int = 1252,
                modified: datetime | None = None) -> bytes:
    """``vbaProject.bin`` holding ``macros`` (module name to code), seeded project id, storages at ``modified``."""
    if not macros:
        raise ValueError("macros: give at least one module (name: code)")
    names = [str(n) for n in macros]
    sources = {name: compress(module_source(name, str(code)).encode(f"cp{codepage}"))
               for name, code in zip(names, macros.values(), strict=True)}
    project_id = "{" + "-".join(f"{rng.getrandbits(b):0{b // 4}X}" for b in (32, 16, 16, 16, 48)) + "}"
    vba = Storage({"dir": compress(_dir_stream(names, codepage)),
                   "_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0), **sources},
                  created=modified, modified=modified)
    wm = b"".join(n.encode(f"cp{codepage}") + b"\x00" + n.encode("utf-16-le") + b"\x00\x00" for n in names)
    root = Storage({"VBA": vba, "PROJECT": _project_stream(names, project_id, codepage, rng),
                    "PROJECTwm": wm + b"\x00\x00"}, modified=modified)
    return write_compound_file(root)
