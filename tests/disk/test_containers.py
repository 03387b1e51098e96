"""Container formats built by code: an E01 must read exactly like the raw image inside it."""

from __future__ import annotations

from forensics_kit.disk import open_image
from forensics_kit.hashing import hash_chunks, hash_file

from .conftest import to_e01


def _listing_and_content(path):
    with open_image(path) as img:
        records = [r.to_dict() for r in img.walk()]
        content = {
            (r["partition"], r["inode"]): img.read(inode=r["inode"], partition=r["partition"])
            for r in records
            if r["type"] == "file" and r["inode"] and not r["path"].startswith("/$")
        }
        media = hash_chunks(img.iter_media(), ("sha256",))
        return img.format, records, content, media


def test_compressed_e01_of_an_mbr_disk_reads_like_the_raw_disk(mbr_image, tmp_path):
    e01 = to_e01(mbr_image.path, tmp_path / "disk")
    fmt, records, content, media = _listing_and_content(e01)
    raw_fmt, raw_records, raw_content, raw_media = _listing_and_content(mbr_image.path)
    assert (fmt, raw_fmt) == ("ewf", "raw")
    assert records == raw_records and content == raw_content
    assert media == raw_media == hash_file(mbr_image.path, ("sha256",))


def test_split_e01_opens_from_its_first_segment(fat12_image, tmp_path):
    e01 = to_e01(fat12_image.path, tmp_path / "floppy", compression="none")
    assert (tmp_path / "floppy.E02").exists()
    with open_image(e01) as img:
        assert img.size == fat12_image.path.stat().st_size
        assert img.read("/DOCS/_ld.txt") == fat12_image.deleted["/DOCS/_ld.txt"]
