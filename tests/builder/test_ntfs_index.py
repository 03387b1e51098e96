"""A planted NTFS file's entry in its parent's $I30 index holds its own $FILE_NAME times and sizes, as Windows."""

from __future__ import annotations

import struct

import pytsk3
from disk_helpers import build, needs_fuse

from forensics_kit.builder import ntfs_index
from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.audit.rules.filesystem import _mft_file_name

# enough files in one folder that its index outgrows $INDEX_ROOT into INDX records
NAMES = [f"/Reports/report_{n:02d}_quarterly_summary.txt" for n in range(24)]


def _disk(subsecond: bool = True) -> list[dict]:
    items = [{"id": f"r{n}", "path": path, "content": {"text": f"report {n}\n" * (40 * n + 1)},
              "times": {"created": "2024-03-01T09:00:00Z", "modified": f"2024-03-0{2 + n % 7}T10:00:00Z"}}
             for n, path in enumerate(NAMES)]
    items.append({"id": "top", "path": "/readme.txt", "content": {"text": "hello\n"},
                  "times": {"modified": "2024-03-01T10:00:00Z"}})
    return [{"id": "usb", "type": "disk", "file": "usb.dd", "size": "16MiB", "scheme": "none",
             "filesystem": {"type": "ntfs", "label": "DATA", "subsecond": subsecond}, "items": items}]


def _entries(image, directory: int):
    return ntfs_index.read_index(image, directory)


@needs_fuse
def test_every_index_entry_of_a_file_equals_its_file_name_in_root_and_indx_records(tmp_path):
    result = build(tmp_path, _disk())
    image = result.directory / "usb.dd"
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    folder = int(fs.open("/Reports").info.meta.addr)
    entries = [e for e in _entries(image, folder) if e.namespace != 2]
    assert {e.name for e in entries} == {p.rsplit("/", 1)[1] for p in NAMES}
    assert any(e.where.startswith("INDX") for e in entries)  # the B+ tree has left the root
    for entry in [*entries, *(e for e in _entries(image, 5) if e.name == "readme.txt")]:
        mft = _mft_file_name(fs, entry.inode, entry.name, entry.namespace)
        assert (*entry.times, entry.allocated, entry.size) == mft
        assert entry.times[0] % 10_000_000  # Windows' 100 ns fraction, not ntfs-3g's whole second
    sizes = {e.name: e.size for e in entries}
    assert sizes["report_03_quarterly_summary.txt"] == len("report 3\n" * 121)


@needs_fuse
def test_an_index_entry_left_as_ntfs3g_synced_it_breaks_ntfs_index_filename(tmp_path):
    from forensics_kit.builder import load_recipe
    from forensics_kit.builder.ntfs_mft import read_record

    result = build(tmp_path, _disk())
    image = result.directory / "usb.dd"
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    inode = int(fs.open("/readme.txt").info.meta.addr)
    record = read_record(image, inode)
    names = {}
    for content in record.attributes(0x30):
        length, namespace = record.data[content + 64], record.data[content + 65]
        name = bytes(record.data[content + 66:content + 66 + 2 * length]).decode("utf-16-le")
        values = bytearray(record.data[content + 8:content + 56])
        struct.pack_into("<Q", values, 8, struct.unpack_from("<Q", values, 8)[0] + 86_400 * 10_000_000)  # a day on
        names[(name, namespace)] = bytes(values)
    ntfs_index._patch_parent(image, 5, inode, names)  # noqa: SLF001 - break one entry as ntfs-3g leaves it
    findings = audit_build(load_recipe(tmp_path / "t-disk.yaml"), result.directory, only=["ntfs-index-filename"])
    assert [f.where for f in findings] == ["/readme.txt"]
    assert findings[0].text["en"].startswith("the $I30 entry in / (INDX vcn 0) gives modified 2024-03-02T10:00:00.")
    assert "the file's $FILE_NAME modified 2024-03-01T10:00:00." in findings[0].text["en"]
