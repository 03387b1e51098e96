"""EXIF reader: round trip with the jpeg generator, Pillow- and exiftool-checked, safe on damaged EXIF."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import read_exif
from forensics_kit.errors import EvidenceError

PHOTO = {"make": "Canon", "model": "EOS 250D", "taken": "2024-03-05T14:02:11Z", "utc_offset": "+03:00",
         "gps": {"lat": 55.7558, "lon": 37.6173, "alt": 151.3}, "software": "Firmware 1.0.1",
         "artist": "Ivan Petrov", "comment": "дача"}


def _app1(jpeg: bytes) -> tuple[int, bytes]:
    assert jpeg[2:4] == b"\xff\xe1"
    (length,) = struct.unpack(">H", jpeg[4:6])
    return length, jpeg[6 : 4 + length]


def _with_payload(jpeg: bytes, payload: bytes) -> bytes:
    length, _ = _app1(jpeg)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[4 + length :]


def test_generated_photo_reads_back_camera_time_zone_and_position():
    info = read_exif(generated("jpeg", exif=PHOTO))
    assert (info.make, info.model, info.software, info.artist) == ("Canon", "EOS 250D", "Firmware 1.0.1", "Ivan Petrov")
    assert info.datetime_original == "2024-03-05T17:02:11+03:00"
    assert info.datetime_original_utc == "2024-03-05T14:02:11Z"
    assert info.gps_lat == pytest.approx(55.7558, abs=1e-6)
    assert info.gps_lon == pytest.approx(37.6173, abs=1e-6)
    assert info.gps_alt == 151.3
    assert info.comment == "дача"
    assert info.warnings == []
    assert info.raw["GPS.GPSLatitudeRef"] == "N"
    json.dumps(info.to_dict())


def test_southern_and_western_coordinates_are_negative():
    info = read_exif(generated("jpeg", exif={"gps": {"lat": -33.8688, "lon": -70.6693, "alt": -12}}))
    assert info.gps_lat == pytest.approx(-33.8688, abs=1e-6)
    assert info.gps_lon == pytest.approx(-70.6693, abs=1e-6)
    assert info.gps_alt == -12
    assert info.raw["GPS.GPSLongitudeRef"] == "W"


def test_photo_without_offset_gives_zone_less_local_time_and_no_utc():
    info = read_exif(generated("jpeg", exif={"make": "Apple", "taken": "2024-03-05T14:02:11Z"}))
    assert info.datetime_original == "2024-03-05T14:02:11"
    assert info.offset_time_original is None and info.datetime_original_utc is None


def test_offset_of_the_recipe_time_is_kept_when_no_utc_offset_given():
    info = read_exif(generated("jpeg", exif={"taken": "2024-03-05T10:00:00-05:00"}))
    assert info.datetime_original == "2024-03-05T10:00:00-05:00"
    assert info.datetime_original_utc == "2024-03-05T15:00:00Z"


def test_jpeg_without_exif_gives_empty_info_with_a_warning():
    info = read_exif(generated("jpeg"))
    assert info.make is None and info.warnings == ["no EXIF segment"]


def test_not_a_picture_is_an_evidence_error_naming_the_file():
    with pytest.raises(EvidenceError, match=r"^notes\.txt: not a JPEG"):
        read_exif(b"just some text", name="notes.txt")


def test_local_path_is_read(tmp_path):
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(generated("jpeg", exif=PHOTO))
    assert read_exif(path).model == "EOS 250D"
    assert read_exif(str(path)).model == "EOS 250D"


def test_pillow_made_exif_is_read_like_pillow_wrote_it():
    image_module = pytest.importorskip("PIL.Image")
    exif = image_module.Exif()
    exif[0x010F], exif[0x0110] = "NIKON CORPORATION", "NIKON D750"
    exif.get_ifd(0x8769)[0x9003] = "2023:12:31 23:59:59"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (33.0, 52.0, 7.68), "E", (151.0, 12.0, 36.0)
    buffer = io.BytesIO()
    image_module.new("RGB", (16, 16), "red").save(buffer, "JPEG", exif=exif)
    info = read_exif(buffer.getvalue())
    assert (info.make, info.model) == ("NIKON CORPORATION", "NIKON D750")
    assert info.datetime_original == "2023-12-31T23:59:59"
    assert info.gps_lat == pytest.approx(-(33 + 52 / 60 + 7.68 / 3600), abs=1e-6)
    assert info.gps_lon == pytest.approx(151.21, abs=1e-6)


@pytest.mark.crosscheck
@pytest.mark.skipif(not shutil.which("exiftool"), reason="exiftool not installed (Debian: libimage-exiftool-perl)")
def test_exiftool_reads_the_same_values_from_the_generated_photo(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(generated("jpeg", exif=PHOTO))
    out = subprocess.run(["exiftool", "-j", "-n", "-Make", "-Model", "-DateTimeOriginal", "-OffsetTimeOriginal",
                          "-GPSLatitude", "-GPSLongitude", "-GPSAltitude", "-Artist", "-Software", str(path)],
                         capture_output=True, text=True, check=True)
    tool = json.loads(out.stdout)[0]
    ours = read_exif(path.read_bytes())
    assert (tool["Make"], tool["Model"], tool["Artist"], tool["Software"]) == (
        ours.make, ours.model, ours.artist, ours.software)
    assert tool["DateTimeOriginal"].replace(":", "-", 2).replace(" ", "T") + tool["OffsetTimeOriginal"] == (
        ours.datetime_original)
    assert tool["GPSLatitude"] == pytest.approx(ours.gps_lat, abs=1e-6)
    assert tool["GPSLongitude"] == pytest.approx(ours.gps_lon, abs=1e-6)
    assert tool["GPSAltitude"] == pytest.approx(ours.gps_alt, abs=1e-6)
    warnings = subprocess.run(["exiftool", "-validate", "-warning", "-a", "-s", str(path)],
                              capture_output=True, text=True, check=True).stdout
    assert "Error" not in warnings


def test_every_truncation_of_the_exif_gives_info_or_evidence_error():
    photo = generated("jpeg", exif=PHOTO)
    _, payload = _app1(photo)
    for cut in range(6, len(payload), 3):
        try:
            read_exif(_with_payload(photo, payload[:cut]))
        except EvidenceError:
            pass


def test_exif_ifd_pointing_at_itself_does_not_loop():
    entries = [(0x010F, 2, 4, b"Sony"), (0x8769, 4, 1, struct.pack("<I", 8)), (0x8825, 4, 1, struct.pack("<I", 8))]
    tiff = b"II*\0" + struct.pack("<IH", 8, len(entries))
    tiff += b"".join(struct.pack("<HHI", t, k, c) + v for t, k, c, v in entries) + struct.pack("<I", 8)
    info = read_exif(_with_payload(generated("jpeg", exif={"make": "x"}), b"Exif\0\0" + tiff))
    assert info.make == "Sony"


def test_value_offsets_past_the_end_give_warnings_not_crashes():
    entries = [(0x010F, 2, 40, struct.pack("<I", 0xFFFFFF00)), (0x0110, 2, 3, b"A7\0\0")]
    tiff = b"II*\0" + struct.pack("<IH", 8, len(entries))
    tiff += b"".join(struct.pack("<HHI", t, k, c) + v for t, k, c, v in entries) + struct.pack("<I", 0)
    info = read_exif(_with_payload(generated("jpeg", exif={"make": "x"}), b"Exif\0\0" + tiff))
    assert info.model == "A7" and info.make is None
    assert info.warnings


def test_bad_tiff_header_is_an_evidence_error():
    with pytest.raises(EvidenceError, match="unreadable EXIF"):
        read_exif(_with_payload(generated("jpeg", exif={"make": "x"}), b"Exif\0\0XX*\0\0\0\0\x08"))


def test_segment_length_below_two_is_an_evidence_error():
    with pytest.raises(EvidenceError, match="damaged JPEG"):
        read_exif(b"\xff\xd8\xff\xe1\x00\x01rest")
