"""Volume shadow copies of the corpus NTFS volume (vsstest.qcow2), against vshadowinfo and dfvfs.

TSK lists only the current volume; the two stores show it as it was at 06:35
and 06:37 on 2013-12-03: before ``syslog`` was gzipped and before
``password.txt`` and ``another_file`` were written.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import NotFoundError

from .conftest import CORPUS

VSS = CORPUS / "images" / "dfvfs" / "vsstest.qcow2"
pytestmark = pytest.mark.skipif(not VSS.is_file(), reason=f"shared corpus image not found at {VSS}")


@pytest.fixture(scope="module")
def image():
    with open_image(VSS) as img:
        yield img


def _vshadowinfo_stores(tmp_path: Path) -> list[tuple[str, str]]:
    """(identifier, ISO creation time) per store as vshadowinfo prints them (it reads raw volumes only)."""
    import pyqcow

    raw = tmp_path / "vsstest.raw"
    qcow = pyqcow.file()
    qcow.open(str(VSS))
    size, chunk, zero = qcow.get_media_size(), 1 << 20, bytes(1 << 20)
    with raw.open("wb") as out:  # sparse: the 1 GiB volume is mostly never-written zeros
        out.truncate(size)
        for offset in range(0, size, chunk):
            data = qcow.read_buffer_at_offset(chunk, offset)
            if data != zero:
                out.seek(offset)
                out.write(data)
    qcow.close()
    text = subprocess.run(["vshadowinfo", str(raw)], capture_output=True, text=True, check=True).stdout
    stores = []
    for ident, when, fraction in re.findall(
        r"Identifier\s*: (\S+)\n.*?Creation time\s*: (\w{3} \d\d, \d{4} \d\d:\d\d:\d\d)\.(\d+) UTC", text, re.S
    ):
        base = datetime.strptime(when, "%b %d, %Y %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%S")
        stores.append((ident, f"{base}.{fraction}".rstrip("0") + "Z"))
    return stores


def _dfvfs_stores() -> list[tuple[str, str]]:
    """(identifier, ISO creation time) per store as dfvfs's VSS file system gives them."""
    from dfvfs.lib import definitions
    from dfvfs.path import factory
    from dfvfs.resolver import resolver

    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_OS, location=str(VSS))
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_QCOW, parent=spec)
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_VSHADOW, location="/", parent=spec)
    stores = []
    for entry in resolver.Resolver.OpenFileEntry(spec).sub_file_entries:
        store = entry.GetVShadowStore()
        iso = entry.creation_time.CopyToDateTimeStringISO8601().replace("+00:00", "Z")
        stores.append((str(store.identifier), iso))
    return stores


def test_stores_and_creation_times_match_vshadowinfo(image, tmp_path):
    expected = _vshadowinfo_stores(tmp_path) if shutil.which("vshadowinfo") else _dfvfs_stores()
    ours = [(c.identifier, c.creation_time) for c in image.shadow_copies()]
    assert ours == expected
    assert ours == [
        ("600f0b69-5bdf-11e3-9d6c-005056c00008", "2013-12-03T06:35:09.7363787Z"),
        ("600f0b6d-5bdf-11e3-9d6c-005056c00008", "2013-12-03T06:37:48.9190583Z"),
    ]


def test_stores_match_dfvfs_and_cover_the_whole_volume(image):
    copies = image.shadow_copies()
    assert [(c.identifier, c.creation_time) for c in copies] == _dfvfs_stores()
    assert [c.index for c in copies] == [1, 2]
    assert {c.size for c in copies} == {image.size}


def test_first_store_lists_syslog_before_it_was_gzipped(image):
    live = {r.path: r for r in image.walk()}
    old = {r.path: r for r in image.walk(shadow=1)}
    assert "/syslog" in old and "/syslog" not in live
    assert "/syslog.gz" in live and "/syslog.gz" not in old
    assert old["/syslog"].inode == live["/syslog.gz"].inode == 35  # same MFT entry, renamed
    assert {"/password.txt", "/another_file"} <= live.keys() - old.keys()


def test_second_store_has_another_file_but_not_password_txt(image):
    paths = {r.path for r in image.walk(shadow=2)}
    assert "/another_file" in paths and "/syslog.gz" in paths
    assert "/password.txt" not in paths


def test_file_read_from_a_store_is_the_live_gzip_uncompressed(image):
    old = image.read("/syslog", shadow=1)
    assert len(old) == 1247 and old.startswith(b"Jan 22 07:52:33 myhostname")
    assert gzip.decompress(image.read("/syslog.gz")) == old
    assert image.read(inode=35, shadow=1) == old


def test_file_missing_from_a_store_is_not_found_naming_the_store(image):
    with pytest.raises(NotFoundError, match="shadow copy 2"):
        image.read("/password.txt", shadow=2)


def test_store_number_out_of_range_names_the_valid_ones(image):
    with pytest.raises(NotFoundError, match=r"no shadow copy 3 .*stores: 1-2"):
        list(image.walk(shadow=3))


def test_volume_without_shadow_copies_has_none():
    with open_image(CORPUS / "images" / "dfvfs" / "windows_volume.qcow2") as img:
        assert img.shadow_copies() == []
        with pytest.raises(NotFoundError, match="no volume shadow copies"):
            img.read("/$Volume", shadow=1)


def test_cli_lists_stores_and_reads_and_lists_one():
    runner = CliRunner()
    shadows = runner.invoke(cli, ["disk", "shadows", str(VSS), "--json"])
    assert shadows.exit_code == 0, shadows.output
    assert '"creation_time": "2013-12-03T06:35:09.7363787Z"' in shadows.output
    listing = runner.invoke(cli, ["disk", "ls", str(VSS), "--shadow", "1", "--path", "/syslog*", "--json"])
    assert listing.exit_code == 0, listing.output
    assert '"path": "/syslog"' in listing.output and "syslog.gz" not in listing.output
    cat = runner.invoke(cli, ["disk", "cat", str(VSS), "/syslog", "--shadow", "1"])
    assert cat.exit_code == 0 and cat.stdout_bytes.startswith(b"Jan 22 07:52:33")
    missing = runner.invoke(cli, ["disk", "cat", str(VSS), "/syslog", "--shadow", "9"])
    assert missing.exit_code != 0 and "no shadow copy 9" in missing.output
