"""UDIF (.dmg) images open as images through pymodi: raw, zlib, bzip2 and ADC chunks, zero-fill too.

The test images are written by ``conftest.udif`` from a FAT16 volume, so every
chunk type can be checked against the raw volume it came from (and ``fls`` on
that volume). The corpus's ``hfsplus_zlib.dmg`` is checked in test_corpus.py.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError
from forensics_kit.hashing import hash_chunks, hash_file

from .conftest import UDIF_ADC, UDIF_BZIP2, UDIF_RAW, UDIF_ZERO, UDIF_ZLIB, fls, udif

KINDS = {
    "raw": [UDIF_RAW],
    "zlib": [UDIF_ZLIB, UDIF_ZERO],
    "bzip2": [UDIF_BZIP2, UDIF_ZERO],
    "adc": [UDIF_ADC, UDIF_RAW, UDIF_ZERO],
}


@pytest.fixture(scope="module", params=sorted(KINDS))
def dmg(request, fat16_image, tmp_path_factory):
    path = tmp_path_factory.mktemp("dmg") / f"usb-{request.param}.dmg"
    return udif(fat16_image.path.read_bytes(), KINDS[request.param], path)


@pytest.mark.crosscheck
def test_dmg_media_walk_and_reads_are_the_volume_it_holds(dmg, fat16_image):
    with open_image(dmg) as img:
        assert (img.format, img.size) == ("dmg", fat16_image.path.stat().st_size)
        assert hash_chunks(img.iter_media(), ("md5",))["md5"] == hash_file(fat16_image.path)["md5"]
        assert {(r.path, r.inode, r.allocated) for r in img.walk()} == fls(fat16_image.path)
        for path, content in fat16_image.files.items():
            assert img.read(path) == content


def test_dmg_opens_from_the_cli(dmg):
    result = CliRunner().invoke(cli, ["disk", "cat", str(dmg), "/README.TXT"])
    assert result.exit_code == 0 and result.stdout == "fklab test volume\n"


def test_dmg_mixing_compression_methods_is_one_line_naming_what_libmodi_lacks(fat16_image, tmp_path):
    path = udif(fat16_image.path.read_bytes(), [UDIF_ZLIB, UDIF_BZIP2], tmp_path / "mixed.dmg")
    with pytest.raises(EvidenceError) as caught:
        open_image(path)
    cause = "unable to open handle: mixed compressed block table entry types not supported"
    assert str(caught.value) == f"{path}: cannot open as dmg image: {cause}"
