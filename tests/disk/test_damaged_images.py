"""Short images and damaged E01 sets: opened as TSK opens them, or refused in one line that says why.

A truncated image lists and reads what it holds, with a warning saying how much is
missing (``--strict`` refuses it); an EWF set with a segment missing names the
segment; libyal's long error chains are cut to what failed and why.
"""

from __future__ import annotations

import shutil
import struct

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.disk.containers import ewf_segment_name, one_line
from forensics_kit.errors import EvidenceError

from .conftest import fls, icat, pattern, to_e01

# -- truncated images --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_fat(fat16_image, tmp_path_factory):
    """The first 4 MiB of the 8 MiB FAT16 volume (its files all lie in the first half)."""
    path = tmp_path_factory.mktemp("short") / "short.dd"
    path.write_bytes(fat16_image.path.read_bytes()[: 4 << 20])
    return path


@pytest.mark.crosscheck
def test_truncated_image_lists_what_fls_lists_and_reads_what_icat_reads(short_fat, fat16_image):
    with open_image(short_fat) as img:
        (warning,) = img.warnings
        assert "needs 8388608 bytes but the media has 4194304: 4194304 bytes (50.0%) are missing" in warning
        records = list(img.walk())
        assert {(r.path, r.inode, r.allocated) for r in records} == fls(short_fat)
        readme = next(r for r in records if r.path == "/README.TXT")
        assert img.read(inode=readme.inode) == icat(short_fat, readme.inode) == fat16_image.files["/README.TXT"]


def test_truncated_image_cli_warns_and_strict_refuses_in_one_line(short_fat):
    runner = CliRunner()
    listed = runner.invoke(cli, ["disk", "ls", str(short_fat), "--json"])
    assert listed.exit_code == 0
    assert "/README.TXT" in listed.stdout and "50.0%) are missing" in listed.stderr
    refused = runner.invoke(cli, ["disk", "ls", str(short_fat), "--strict"])
    assert refused.exit_code == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "short.dd: truncated image" in line


def test_image_cut_inside_the_file_data_reads_each_file_as_far_as_the_image_goes(fat16_image, tmp_path):
    data = fat16_image.path.read_bytes()
    docx = fat16_image.files["/Quarterly report 2024.docx"]
    cut = data.index(docx[:512]) + 4096  # the image ends 4 KiB into the file's content
    path = tmp_path / "cut.dd"
    path.write_bytes(data[:cut])
    with open_image(path) as img:
        assert img.read("/README.TXT") == fat16_image.files["/README.TXT"]
        listed = {r.path for r in img.walk()}
        assert "/Quarterly report 2024.docx" in listed
        try:
            partial = img.read("/Quarterly report 2024.docx")
        except EvidenceError as exc:  # a read past the end is one line naming the file
            assert "\n" not in str(exc) and "cut.dd" in str(exc)
        else:
            assert docx.startswith(partial[:4096])


# -- EWF (E01) sets -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def e01_set(tmp_path_factory, fat16_image):
    """The FAT16 volume, with 2 MiB of noise written over its free tail, as an uncompressed 1 MiB-segment E01 set."""
    work = tmp_path_factory.mktemp("e01set")
    raw = work / "disk.dd"
    data = bytearray(fat16_image.path.read_bytes())
    data[-(2 << 20):] = pattern(9, 2 << 20)
    raw.write_bytes(bytes(data))
    to_e01(raw, work / "case", compression="none")
    segments = sorted(work.glob("case.E*"))
    assert len(segments) > 3, segments
    return segments


def _copy_without(segments, tmp_path, *dropped: str):
    for segment in segments:
        if segment.suffix not in dropped:
            shutil.copy(segment, tmp_path / segment.name)
    return tmp_path / "case.E01"


def test_complete_e01_set_opens(e01_set, fat16_image):
    with open_image(e01_set[0]) as img:
        assert img.read("/README.TXT") == fat16_image.files["/README.TXT"]


def test_missing_middle_segment_is_named(e01_set, tmp_path):
    with pytest.raises(EvidenceError) as caught:
        open_image(_copy_without(e01_set, tmp_path, ".E02"))
    assert str(caught.value) == f"{tmp_path / 'case.E01'}: EWF segment case.E02 is missing: case.E01 says another " \
        "segment follows"


def test_missing_last_segment_is_named(e01_set, tmp_path):
    last = e01_set[-1].suffix
    with pytest.raises(EvidenceError, match=f"EWF segment case{last} is missing"):
        open_image(_copy_without(e01_set, tmp_path, last))


def test_e01_with_a_damaged_table_gives_the_cause_in_one_short_line(e01_set, tmp_path):
    path = _copy_without(e01_set, tmp_path)
    data = bytearray(path.read_bytes())
    table = data.index(b"table\0")
    data[table + 76 + 8] ^= 0xFF  # inside the table header, which its checksum covers
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["disk", "ls", str(path)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "libewf_" not in line and len(line) < 200 + len(str(path)), line
    assert "case.E01: cannot open as ewf image: unable to open handle:" in line


def test_libyal_error_chain_is_cut_to_what_failed_and_the_root_cause():
    chain = OSError(
        "pyewf_handle_read_buffer_at_offset: unable to read data. libewf_chunk_table_get_segment_file_chunk_group_by_"
        "offset: missing segment file for offset: 2097152 (0x00200000). libewf_chunk_table_get_chunk_data_by_offset: "
        "unable to retrieve segment file chunk data for offset: 2097152 (0x00200000). libewf_handle_read_buffer_at_"
        "offset: unable to read buffer."
    )
    assert one_line(chain) == "unable to read data: missing segment file for offset: 2097152 (0x00200000)"
    assert one_line(OSError("tsk_fs_dir_open: Error reading directory")) == "Error reading directory"


@pytest.mark.parametrize(("number", "name"), [(1, "case.E01"), (99, "case.E99"), (100, "case.EAA"), (127, "case.EBB")])
def test_ewf_segment_names_follow_libewf(number, name):
    assert ewf_segment_name("case.E01", number) == name
    assert ewf_segment_name("case.e01", number) == name[:5] + name[5:].lower()


def test_segment_number_is_read_from_the_header(e01_set):
    assert [struct.unpack_from("<H", s.read_bytes()[:13], 9)[0] for s in e01_set] == list(range(1, len(e01_set) + 1))


def test_e01_segment_cut_short_opens_with_a_warning_and_strict_refuses(e01_set, fat16_image, tmp_path):
    path = _copy_without(e01_set, tmp_path)
    third = tmp_path / "case.E03"
    whole = third.stat().st_size
    third.write_bytes(third.read_bytes()[: whole // 2])
    with open_image(path) as img:
        (cut, *_rest) = img.warnings
        assert cut.startswith("truncated image: EWF segment case.E03 is cut short (")
        assert img.read("/README.TXT") == fat16_image.files["/README.TXT"]  # stored in case.E01
        list(img.walk())  # what cannot be read is a warning, not an error
        assert all("\n" not in w and "libewf_" not in w for w in img.warnings)
    with pytest.raises(EvidenceError, match="case.E01: truncated image: EWF segment case.E03 is cut short"):
        open_image(path, strict=True)


def test_set_without_its_first_segment_names_it(e01_set, tmp_path):
    _copy_without(e01_set, tmp_path, ".E01")
    with pytest.raises(EvidenceError) as caught:
        open_image(tmp_path / "case.E02")
    expected = "EWF segment case.E01 is missing: this is segment 2 of the set"
    assert str(caught.value) == f"{tmp_path / 'case.E02'}: {expected}"


def test_later_segment_of_a_whole_set_opens_the_set(e01_set, fat16_image):
    with open_image(e01_set[1]) as img:
        assert img.read("/README.TXT") == fat16_image.files["/README.TXT"]


def test_a_file_past_the_end_of_a_truncated_image_is_one_line_saying_so(fat16_image, tmp_path):
    data = fat16_image.path.read_bytes()
    deep = fat16_image.files["/DOCS/SUB/deep archive name.bin"]
    path = tmp_path / "before-deep.dd"
    path.write_bytes(data[: data.index(deep[:512])])  # cut just before the file's first cluster
    with open_image(path) as img, pytest.raises(EvidenceError) as caught:
        img.read("/DOCS/SUB/deep archive name.bin")
    assert "lies past the end of the (truncated) image" in str(caught.value) and "\n" not in str(caught.value)
