"""Artefact content generators: byte-identical on every run and machine, valid for independent readers,
and usable from recipes (templates filled, unknown options rejected)."""

from __future__ import annotations

import hashlib
import io
import random
import sqlite3
import struct
import zipfile
from typing import Any

import pytest
import yaml

from forensics_kit.builder import build_case, load_recipe, make_content
from forensics_kit.errors import RecipeError

SPECS: dict[str, dict[str, Any]] = {
    "jpeg_exif": {"generate": "jpeg", "exif": {"make": "Canon", "model": "EOS 250D", "taken": "2024-03-05T14:02:11Z",
                                               "utc_offset": "+03:00", "gps": {"lat": 55.7558, "lon": 37.6173}}},
    "png": {"generate": "png", "width": 20, "height": 10, "metadata": {"Author": "Bob"},
            "time": "2024-03-05T10:00:00Z"},
    "pdf": {"generate": "pdf", "author": "Bob", "title": "Plan", "created": "2024-03-01T10:00:00Z", "body": "Hello"},
    "docx": {"generate": "docx", "author": "Bob", "last_modified_by": "Eve", "created": "2024-03-01T10:00:00Z",
             "modified": "2024-03-02T10:00:00Z", "paragraphs": ["one", "two"]},
    "xlsx": {"generate": "xlsx", "author": "Bob", "rows": [["a", 1], ["b", 2]]},
    "firefox": {"generate": "browser_history", "browser": "firefox",
                "visits": [{"url": "https://a.example/", "title": "A", "time": "2024-03-05T10:00:00Z"}] * 3},
    "chrome": {"generate": "browser_history", "browser": "chrome",
               "visits": [{"url": "https://a.example/", "title": "A", "time": "2024-03-05T10:00:00Z"}] * 3},
    "auth_log": {"generate": "auth_log", "events": [{"kind": "failed", "time": "2024-03-05T10:00:00Z", "repeat": 3}]},
    "bash_history": {"generate": "bash_history", "timestamps": True,
                     "commands": [{"time": "2024-03-05T10:00:00Z", "command": "id"}, "ls"]},
}
# sha256 of each spec with seed 1: a change means evidence bytes changed (on purpose, or a library leaked in)
GOLDEN_PREFIX = {
    "auth_log": "059a32b6385fc314",
    "bash_history": "e225efb82035b0ca",
    "chrome": "7762cb4680ecfe33",
    "docx": "9b4e1d01a7d4b131",
    "firefox": "09ba2172fdce811d",
    "jpeg_exif": "fadda865fb62a980",
    "pdf": "50a118c5fc034685",
    "png": "06057d3c59d94138",
    "xlsx": "d472028895eb37e3",
}


def _make(key: str, seed: int = 1) -> bytes:
    return make_content(SPECS[key], random.Random(seed))


@pytest.mark.parametrize("key", sorted(SPECS))
def test_generator_gives_identical_bytes_on_every_run(key):
    assert _make(key) == _make(key)


@pytest.mark.parametrize("key", ["jpeg_exif", "png", "pdf", "docx", "firefox", "auth_log", "bash_history"])
def test_seed_changes_the_seeded_parts(key):
    assert _make(key, 1) != _make(key, 2)


def test_sqlite_header_carries_fixed_version_bytes_and_passes_integrity_check(tmp_path):
    for key in ("firefox", "chrome"):
        data = _make(key)
        assert data[18:20] == b"\x01\x01"  # rollback journal, not WAL
        assert struct.unpack(">I", data[16:18] + b"\0\0")[0] >> 16 == 4096
        assert data[92:96] == data[24:28] and struct.unpack(">I", data[96:100])[0] == 3_040_001
        path = tmp_path / f"{key}.sqlite"
        path.write_bytes(data)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()


def test_jpeg_with_exif_is_a_valid_picture_and_without_exif_keeps_jfif():
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(io.BytesIO(_make("jpeg_exif"))) as picture:
        picture.load()
        assert picture.size == (64, 48) and picture.getexif()[0x010F] == "Canon"
    assert make_content({"generate": "jpeg"}, random.Random(1))[6:10] == b"JFIF"


def test_png_is_valid_with_stored_deflate_and_its_text_chunk():
    image_module = pytest.importorskip("PIL.Image")
    data = _make("png")
    with image_module.open(io.BytesIO(data)) as picture:
        picture.load()
        assert picture.size == (20, 10) and picture.mode == "RGB" and picture.text == {"Author": "Bob"}
    idat = data.index(b"IDAT")
    assert data[idat + 6] == 0x01  # first deflate block: final, stored (uncompressed)


def test_pdf_is_valid_for_pypdf_with_its_text():
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(_make("pdf")), strict=True)
    assert "Hello" in reader.pages[0].extract_text()
    assert reader.metadata.author == "Bob"


@pytest.mark.parametrize("key", ["docx", "xlsx"])
def test_office_files_are_deflated_zips_with_fixed_dates(key):
    with zipfile.ZipFile(io.BytesIO(_make(key))) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}  # as Word and Excel write them
        assert len({i.date_time for i in infos}) == 1
        assert "docProps/core.xml" in archive.namelist()


def test_generator_errors_name_the_option():
    with pytest.raises(ValueError, match=r"exif\.gps\.lat: 123\.0 is outside -90\.\.90"):
        make_content({"generate": "jpeg", "exif": {"gps": {"lat": 123, "lon": 0}}}, random.Random(1))
    with pytest.raises(ValueError, match=r"visits\[0\]\.time"):
        make_content({"generate": "browser_history", "visits": [{"url": "x", "time": "soon"}]}, random.Random(1))


RECIPE = """
case: art-01
title: {en: Artefacts}
seed: 5
window: {start: "2024-03-01T00:00:00Z", end: "2024-04-01T00:00:00Z"}
parameters:
  owner: {type: name}
  t_photo: {type: time, start: "2024-03-05T00:00:00Z", end: "2024-03-06T00:00:00Z"}
  lat: {type: choice, values: [55.7558, -33.8688]}
  attacker: {type: ipv4, network: 198.51.100.0/24}
evidence:
  - id: usb
    type: disk
    file: usb.dd
    size: 4MiB
    filesystem: {type: fat12}
    items:
      - {id: photo, path: /DCIM/IMG_0001.JPG,
         content: {generate: jpeg, exif: {make: Canon, model: "EOS 250D", taken: "{{ t_photo }}",
                                          gps: {lat: "{{ lat }}", lon: 37.6173}}}}
      - {id: png, path: /shot.png, content: {generate: png, metadata: {Author: "{{ owner }}"}}}
      - {id: pdf, path: /report.pdf, content: {generate: pdf, author: "{{ owner }}", created: "{{ t_photo }}"}}
      - {id: doc, path: /plan.docx, content: {generate: docx, author: "{{ owner }}", paragraphs: [Plan]}}
      - {id: xls, path: /money.xlsx, content: {generate: xlsx, author: "{{ owner }}"}}
      - {id: hist, path: /places.sqlite, content: {generate: browser_history, browser: firefox,
         visits: [{url: "https://a.example/", title: A, time: "{{ t_photo }}", type: typed}]}}
      - {id: auth, path: /auth.log, content: {generate: auth_log, host: srv1, year: 2024,
         events: [{kind: failed, time: "{{ t_photo }}", ip: "{{ attacker }}", repeat: 4}]}}
      - {id: bash, path: /.bash_history, content: {generate: bash_history, timestamps: true,
         commands: [{time: "{{ t_photo }}", command: id}, ls]}}
"""


def test_recipe_using_every_generator_builds_and_the_readers_agree_with_its_parameters(tmp_path):
    from forensics_kit.artefacts import login_summary, read_auth_log, read_exif, read_office_properties
    from forensics_kit.disk import open_image

    (tmp_path / "art-01.yaml").write_text(RECIPE)
    result = build_case(tmp_path / "art-01.yaml", tmp_path / "build")
    params = result.truth["parameters"]
    with open_image(result.artefacts["usb"]) as image:
        exif = read_exif(image.read("/DCIM/IMG_0001.JPG"))
        assert exif.gps_lat == pytest.approx(params["lat"], abs=1e-6)
        assert exif.datetime_original == params["t_photo"].rstrip("Z")
        assert read_office_properties(image.read("/plan.docx")).creator == params["owner"]
        (summary,) = login_summary(read_auth_log(image.read("/auth.log"), year=2024))
        assert (summary.source_ip, summary.failures) == (params["attacker"], 4)
    again = build_case(tmp_path / "art-01.yaml", tmp_path / "again")
    assert result.truth["items"] == again.truth["items"]


@pytest.mark.parametrize(("content", "problem"), [
    ("{generate: docx, autor: Bob}", "unknown key 'autor'"),
    ("{generate: browser_history, browser: opera, visits: []}", "unknown value 'opera'"),
    ("{generate: auth_log, events: [{kind: login, time: x}]}", "unknown value 'login'"),
    ("{generate: jpeg, exif: {gps: {lat: 1}}}", "missing key 'lon'"),
])
def test_schema_rejects_bad_generator_options_in_one_line(tmp_path, content, problem):
    data = yaml.safe_load(RECIPE.replace("{generate: png, metadata: {Author: \"{{ owner }}\"}}", content))
    path = tmp_path / "art-01.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RecipeError, match=problem) as caught:
        load_recipe(path)
    assert "\n" not in str(caught.value) and "items[1] (png)" in str(caught.value)


def test_golden_hashes_pin_bytes_across_machines():
    digests = {key: hashlib.sha256(_make(key)).hexdigest()[:16] for key in sorted(SPECS)}
    assert digests == GOLDEN_PREFIX


def test_firefox_history_with_two_pages_of_one_site_in_a_row_shares_one_origin(tmp_path):
    visits = [{"url": "https://a.example/", "time": "2024-03-05T10:00:00Z"},
              {"url": "https://a.example/item/1", "time": "2024-03-05T10:01:00Z"},
              {"url": "https://b.example/", "time": "2024-03-05T10:02:00Z"},
              {"url": "https://a.example/item/2", "time": "2024-03-05T10:03:00Z"}]
    data = make_content({"generate": "browser_history", "browser": "firefox", "visits": visits}, random.Random(1))
    path = tmp_path / "places.sqlite"
    path.write_bytes(data)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        origins = db.execute("SELECT host FROM moz_origins ORDER BY id").fetchall()
        places = db.execute(
            "SELECT p.url, o.host FROM moz_places p JOIN moz_origins o ON o.id = p.origin_id"
        ).fetchall()
    db.close()
    assert origins == [("a.example",), ("b.example",)]
    assert {url: host for url, host in places}["https://a.example/item/2"] == "a.example"


def test_html_page_from_a_recipe_carries_its_body_paragraph(tmp_path):
    content = '{generate: html, title: Orders, body: "Pay to <b>{{ owner }}</b>", paragraphs: 0}'
    data = yaml.safe_load(RECIPE.replace("{generate: png, metadata: {Author: \"{{ owner }}\"}}", content))
    (tmp_path / "art-01.yaml").write_text(yaml.safe_dump(data))
    result = build_case(tmp_path / "art-01.yaml", tmp_path / "build")
    from forensics_kit.disk import open_image

    with open_image(result.artefacts["usb"]) as image:
        page = image.read("/shot.png").decode()
    assert f"<p>Pay to <b>{result.truth['parameters']['owner']}</b></p>" in page and page.count("<p>") == 1
