"""The realism audit: each rule fires on a deliberately broken build, and a sound build is clean."""

from __future__ import annotations

import copy
import json
import random
import struct
from pathlib import Path

import pytest
import yaml
from builder_paths import DATASETS, REPO, SHIPPED
from test_recipe_errors import BASE

from forensics_kit.builder import build_case, load_recipe
from forensics_kit.builder.audit import AuditRule, audit_build, audit_cases, rules
from forensics_kit.errors import BuildError

_DOCM = {
    "[Content_Types].xml": {"text": "<?xml version=\"1.0\"?><Types/>"},
    "word/document.xml": {"text": "<w:document/>"},
    "word/vbaProject.bin": {"text": "Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\nEnd Sub\r\n"},
}


def _recipe(**extra_items) -> dict:
    recipe = copy.deepcopy(BASE)
    # the resolver is the office router: Internet hosts are seen behind its MAC, it forwards from outside
    recipe["evidence"][1]["hosts"]["dns"]["mac"] = "00:1a:2b:00:00:01"
    recipe["evidence"][1]["hosts"]["web"] = {"ip": "203.0.113.9", "os": "ubuntu-22.04", "mac": "00:1a:2b:00:00:01"}
    recipe["evidence"][1]["sessions"].append(
        {"id": "page", "type": "http_get", "client": "ws", "server": "web", "host": "a.example", "uri": "/",
         "user_agent": "curl/8.5.0", "content": {"text": "hello"}, "content_type": "text/plain", "at": 2})
    for item_id, (path, content) in extra_items.items():
        recipe["evidence"][0]["items"].append(
            {"id": item_id, "path": path, "content": content, "times": {"modified": "2024-03-01T10:00:00Z"}})
    return recipe


def _build(tmp_path: Path, recipe: dict, lab: dict | None = None, key: dict | None = None):
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    result = build_case(path, tmp_path / "build")
    if lab is not None:
        (tmp_path / "labs" / "bad-01").mkdir(parents=True)
        (tmp_path / "labs" / "bad-01" / "lab.yaml").write_text(yaml.safe_dump(lab), encoding="utf-8")
        (tmp_path / "solutions" / "bad-01").mkdir(parents=True)
        (tmp_path / "solutions" / "bad-01" / "key.yaml").write_text(yaml.safe_dump(key), encoding="utf-8")
    return load_recipe(path), result


def _rules_fired(findings) -> set[str]:
    return {f.rule for f in findings if not f.accepted}


def _patch_ttls(pcap: Path, src_ip: str, ttl: int, only_first: bool = False) -> None:
    """Rewrite the TTL (and IPv4 header checksum) of the packets ``src_ip`` sent."""
    data = bytearray(pcap.read_bytes())
    offset, source = 24, bytes(map(int, src_ip.split(".")))
    while offset < len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        ip = offset + 16 + 14
        if data[ip - 2:ip] == b"\x08\x00" and data[ip + 12:ip + 16] == source:
            data[ip + 8] = ttl
            data[ip + 10:ip + 12] = b"\0\0"
            total = sum(struct.unpack_from("!10H", data, ip))
            total = (total & 0xFFFF) + (total >> 16)
            data[ip + 10:ip + 12] = struct.pack("!H", ~((total & 0xFFFF) + (total >> 16)) & 0xFFFF)
            if only_first:
                break
        offset += 16 + caplen
    pcap.write_bytes(bytes(data))


def test_a_sound_build_is_clean(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    assert audit_build(recipe, result.directory) == []


def test_every_rule_has_a_bilingual_title_and_messages():
    for rule in rules():
        assert set(rule.title) == {"en", "ru"} and rule.messages, rule.name
        assert all(set(m) == {"en", "ru"} for m in rule.messages.values()), rule.name
    assert {"unrendered-template", "ttl-constant", "ttl-hops", "ooxml-deflated", "vba-compressed",
            "iban-check", "card-luhn", "question-zone"} <= set(AuditRule.names())


def test_template_text_written_into_an_image_is_found_with_its_path(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    note = result.truth["items"]["note"]
    image = result.artefacts["usb"]
    data = bytearray(image.read_bytes())
    data[note["content"]["image_offset"]:note["content"]["image_offset"] + 8] = b"{{ ib }}"
    image.write_bytes(bytes(data))
    findings = audit_build(recipe, result.directory, only=["unrendered-template"])
    assert [(f.evidence, f.where) for f in findings] == [("usb", "/note.txt")]
    assert "{{ ib }}" in findings[0].line() and findings[0].line().startswith("bad-01 default usb /note.txt: ")


def test_a_stored_docm_with_plain_vba_breaks_the_office_rules(tmp_path):
    recipe, result = _build(tmp_path, _recipe(doc=("/Letter.docm", {"generate": "zip", "files": _DOCM})))
    findings = audit_build(recipe, result.directory)
    assert _rules_fired(findings) == {"ooxml-deflated", "vba-compressed"}
    assert {f.where for f in findings} == {"/Letter.docm", "/Letter.docm!word/vbaProject.bin"}


def test_generated_office_documents_are_deflated(tmp_path):
    recipe, result = _build(tmp_path, _recipe(
        doc=("/Plan.docx", {"generate": "docx", "paragraphs": ["IBAN DE89 3704 0044 0532 0130 00"]}),
        sheet=("/Book.xlsx", {"generate": "xlsx"})))
    assert audit_build(recipe, result.directory) == []


def test_a_generated_docm_is_deflated_with_a_readable_compressed_vba_project(tmp_path):
    macro = {"generate": "docm", "macros": {"ThisDocument": "Sub AutoOpen()\r\n    Shell \"calc\"\r\nEnd Sub\r\n"}}
    recipe, result = _build(tmp_path, _recipe(doc=("/Letter.docm", macro)))
    assert audit_build(recipe, result.directory, only=["ooxml-deflated", "vba-compressed"]) == []


def test_an_ole_vba_project_whose_module_is_not_ovba_breaks_the_vba_rule(tmp_path, monkeypatch):
    from forensics_kit.builder.contents import vba

    real = vba.compress
    # the dir stream (first record PROJECTSYSKIND, 01 00) stays compressed; the module gets a bad chunk header
    monkeypatch.setattr(vba, "compress", lambda data: real(data) if data.startswith(b"\x01\x00") else b"\x01\xff\x0f")
    macro = {"generate": "docm", "macros": {"ThisDocument": "Sub AutoOpen()\r\nEnd Sub\r\n"}}
    recipe, result = _build(tmp_path, _recipe(doc=("/Letter.docm", macro)))
    (finding,) = audit_build(recipe, result.directory, only=["ooxml-deflated", "vba-compressed"])
    assert (finding.rule, finding.where) == ("vba-compressed", "/Letter.docm!word/vbaProject.bin")
    assert "VBA/ThisDocument: bad chunk signature" in finding.line()


def test_document_times_off_the_hosts_zone_or_after_the_file_break_document_zone(tmp_path):
    recipe = _recipe(
        utc_pdf=("/utc.pdf", {"generate": "pdf", "created": "2024-03-01T09:00:00Z"}),
        local_pdf=("/local.pdf", {"generate": "pdf", "created": "2024-03-01T09:00:00Z", "utc_offset": "+03:00"}),
        late_pdf=("/late.pdf", {"generate": "pdf", "created": "2024-03-01T09:00:00Z",
                                "modified": "2024-03-02T09:00:00Z", "utc_offset": "+03:00"}),
        xmp_pdf=("/xmp.pdf", {"text": "%PDF-1.4\n<< /CreationDate (D:20240301120000+03'00') >>\n"
                                      "<x:xmpmeta><rdf:Description xmp:CreateDate=\"2024-03-01T12:00:00Z\"/>\n"}),
        berlin_photo=("/berlin.jpg", {"generate": "jpeg", "exif": {"taken": "2024-03-01T09:00:00Z",
                                                                    "utc_offset": "+01:00"}}),
        moscow_photo=("/moscow.jpg", {"generate": "jpeg", "exif": {
            "taken": "2024-03-01T09:00:00Z", "utc_offset": "+03:00", "gps": {"lat": 55, "lon": 37}}}))
    recipe["evidence"][0]["tz"] = "Europe/Moscow"
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["document-zone"])
    lines = sorted((f.where, f.text["en"]) for f in findings)
    assert lines == [
        ("/berlin.jpg", "OffsetTimeOriginal is written with offset +01:00, but the host's clock in Europe/Moscow "
                        "was at +03:00"),
        ("/late.pdf", "ModDate 2024-03-02 09:00:00 UTC is after the file's mtime 2024-03-01 10:00:00: "
                      "a file is written when saved"),
        ("/utc.pdf", "CreationDate is written with offset Z, but the host's clock in Europe/Moscow was at +03:00"),
        ("/xmp.pdf", "XMP xmp:CreateDate and Info CreationDate are different instants "
                     "(2024-03-01 12:00:00 and 2024-03-01 09:00:00 UTC)"),
    ]


def test_a_photo_whose_gps_stamp_is_another_instant_breaks_document_zone():
    from types import SimpleNamespace

    from forensics_kit.builder import make_content
    from forensics_kit.builder.audit.rules.documents import DocumentZone

    exif = {"taken": "2024-03-01T09:00:00Z", "utc_offset": "+03:00", "gps": {"lat": 55, "lon": 37}}
    photo = bytearray(make_content({"generate": "jpeg", "exif": exif}, random.Random(1)))
    stamp = struct.pack("<6I", 9, 1, 0, 1, 0, 1)  # GPSTimeStamp 09:00:00 UTC (little-endian TIFF), as the camera says
    at = bytes(photo).index(stamp)
    photo[at:at + 4] = struct.pack("<I", 7)  # the GPS fix two hours off
    case = SimpleNamespace(case="bad-01", variant=None)
    (finding,) = DocumentZone()._photo(case, "usb", "/IMG.JPG", bytes(photo), None, None)
    assert finding.text["en"] == ("EXIF DateTimeOriginal less its offset is 2024-03-01 09:00:00 UTC, "
                                  "the GPS stamp says 2024-03-01 07:00:00 UTC")


def test_browser_visits_in_whole_seconds_break_browser_visit_precision(tmp_path):
    visits = [{"url": "https://a.example/", "time": "2024-03-01T09:00:00Z"},
              {"url": "https://b.example/", "time": "2024-03-01T09:05:00Z"}]
    recipe, result = _build(tmp_path, _recipe(
        whole=("/whole.sqlite", {"generate": "browser_history", "visits": visits}),
        fine=("/fine.sqlite", {"generate": "browser_history", "visits": visits, "subsecond": True})))
    (finding,) = audit_build(recipe, result.directory, only=["browser-visit-precision"])
    assert (finding.where, finding.text["en"]) == (
        "/whole.sqlite", "all 2 Firefox visit times are whole seconds (a browser's clock gives microseconds)")


def test_an_accepted_finding_carries_the_recipe_reason_and_does_not_fail(tmp_path):
    recipe = _recipe(doc=("/Letter.docm", {"generate": "zip", "files": _DOCM}))
    why = "lab teaches raw YARA"
    recipe["audit"] = {"accept": [{"rule": "ooxml-deflated", "where": "/*.docm", "reason": why},
                                  {"rule": "vba-compressed", "where": "*vbaProject.bin", "reason": why}]}
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory)
    assert findings and all(f.accepted == "lab teaches raw YARA" for f in findings)


def test_an_accept_naming_an_unknown_rule_is_an_error(tmp_path):
    recipe = _recipe()
    recipe["audit"] = {"accept": [{"rule": "ttl-magic", "where": "*", "reason": "no such rule here"}]}
    loaded, result = _build(tmp_path, recipe)
    with pytest.raises(BuildError, match="unknown rule 'ttl-magic'"):
        audit_build(loaded, result.directory)


def test_bank_numbers_that_fail_their_check_digits_are_found(tmp_path):
    text = "Pay to IBAN DE00 3704 0044 0532 0130 00 or card 4111 1111 1111 1112.\nOK: DE89 3704 0044 0532 0130 00\n"
    recipe, result = _build(tmp_path, _recipe(pay=("/pay.txt", {"text": text})))
    findings = audit_build(recipe, result.directory)
    assert sorted((f.rule, f.where) for f in findings) == [("card-luhn", "/pay.txt"), ("iban-check", "/pay.txt")]
    assert "DE00 3704" in findings[0].message() + findings[1].message()


def test_iban_and_card_parameters_draw_valid_numbers(tmp_path):
    recipe = _recipe()
    recipe["parameters"].update(iban={"type": "iban", "country": "DE"}, card={"type": "card", "prefix": "2202"})
    recipe["evidence"][0]["items"][0]["content"]["text"] = "{{ iban }} / {{ card }}"
    loaded, result = _build(tmp_path, recipe)
    assert result.truth["parameters"]["card"].startswith("2202 ")
    assert audit_build(loaded, result.directory) == []


def test_a_ttl_that_changes_within_one_host_is_found(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    _patch_ttls(result.artefacts["net"], "203.0.113.9", 60, only_first=True)
    findings = audit_build(recipe, result.directory, only=["ttl-constant"])
    assert [f.where.split()[1] for f in findings] == ["203.0.113.9"]


def test_an_internet_host_arriving_with_its_initial_ttl_is_found(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    _patch_ttls(result.artefacts["net"], "203.0.113.9", 64)
    findings = audit_build(recipe, result.directory, only=["ttl-hops"])
    assert len(findings) == 1
    assert "is on the Internet but arrives with TTL 64" in findings[0].message()


def test_a_declared_os_and_hops_fix_the_expected_ttl(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["web"]["hops"] = 9
    loaded, result = _build(tmp_path, recipe)
    assert result.truth["hosts"]["web"]["ttl"] == 64 - 9
    _patch_ttls(result.artefacts["net"], "203.0.113.9", 128 - 9)
    findings = audit_build(loaded, result.directory, only=["ttl-hops"])
    assert "runs ubuntu-22.04 (initial TTL 64) and is 9 hops away, so TTL 55, not 119" in findings[0].message()


def test_a_lan_host_sending_a_decremented_ttl_is_found(tmp_path):
    recipe, result = _build(tmp_path, _recipe())
    _patch_ttls(result.artefacts["net"], str(result.truth["hosts"]["ws"]["ip"]), 61)
    findings = audit_build(recipe, result.directory, only=["ttl-hops"])
    assert len(findings) == 1 and "on the capture's LAN but arrives with TTL 61" in findings[0].message()


def test_a_question_on_a_fat_time_must_state_the_zone(tmp_path):
    lab = {"id": "bad-01", "evidence": [{"dataset": "bad-01", "artefact": "usb"}],
           "questions": [{"id": "when", "type": "timestamp",
                          "text": {"en": "When was note.txt modified (UTC)?", "ru": "Когда изменён note.txt (UTC)?"}},
                         {"id": "zoned", "type": "timestamp",
                          "text": {"en": "When (UTC)? The PC's clock ran in UTC+3.",
                                   "ru": "Когда (UTC)? Часы ПК шли по UTC+3."}}]}
    key = {"lab": "bad-01", "answers": {"when": {"expected": {"truth": "items.note.mtime"}},
                                        "zoned": {"expected": {"truth": "items.note.mtime"}}}}
    recipe, result = _build(tmp_path, _recipe(), lab, key)
    findings = audit_build(recipe, result.directory, course_root=tmp_path, only=["question-zone"])
    assert [(f.evidence, f.where, f.message().split("(")[-1]) for f in findings] == [
        ("labs/bad-01", "question when", "en text)"), ("labs/bad-01", "question when", "ru text)")]


def test_audit_cases_builds_the_default_and_variants(tmp_path):
    findings = audit_cases([DATASETS / "net-01.yaml"], variants=1, course_root=REPO, build_root=tmp_path)
    assert findings == []
    assert sorted(p.name for p in (tmp_path / "net-01").iterdir()) == ["audit-1", "default"]


@pytest.mark.parametrize("case", SHIPPED)
def test_shipped_default_builds_pass_the_audit(case, built):
    findings = audit_build(load_recipe(DATASETS / f"{case}.yaml"), built[case].directory, course_root=REPO)
    assert [f.line() for f in findings if not f.accepted] == []


def test_cli_prints_one_line_per_finding_and_exits_1_then_0_when_fixed(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from forensics_kit.builder.scaffold import scaffold_case
    from forensics_kit.cli.main import cli

    for folder in ("labs", "datasets", "solutions"):
        (tmp_path / folder).mkdir()
    scaffold_case(tmp_path, "case-07")
    recipe = tmp_path / "datasets" / "case-07.yaml"
    clean = recipe.read_text(encoding="utf-8")
    monkeypatch.setenv("FKLAB_HOME", str(tmp_path))
    runner = CliRunner()
    done = runner.invoke(cli, ["datasets", "audit", "case-07", "--variants", "1"])
    assert done.exit_code == 0, done.output
    assert "no findings in 1 case(s) x 2 build(s)" in done.output
    data = yaml.safe_load(clean)
    data["evidence"][0]["partitions"][0]["items"][0]["content"] = {"text": "card 4111 1111 1111 1112\n"}
    recipe.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    broken = runner.invoke(cli, ["datasets", "audit", "case-07", "--variants", "0", "--json"])
    assert broken.exit_code == 1
    assert [json.loads(line)["rule"] for line in broken.output.splitlines()] == ["card-luhn"]
    russian = runner.invoke(cli, ["--lang", "ru", "datasets", "audit", "case-07", "--variants", "0"])
    assert russian.exit_code == 1 and "не проходит проверку Луна" in russian.output


def _fat_recipe(tz: str | None, **item) -> dict:
    recipe = _recipe()
    if tz:
        recipe["evidence"][0]["tz"] = tz
    recipe["evidence"][0]["items"][0].update(item)
    return recipe


def test_fat_keeps_the_disk_clocks_local_time_and_truth_keeps_utc(tmp_path):
    times = {"created": "2024-03-01T09:59:58Z", "modified": "2024-03-01T10:00:01Z", "accessed": "2024-03-01T22:30:00Z"}
    recipe, result = _build(tmp_path, _fat_recipe("Europe/Moscow", times=times))
    from forensics_kit.disk import open_image

    with open_image(result.artefacts["usb"]) as image:  # read as fls does with TZ=UTC: the stored wall clock
        note = next(r for r in image.walk() if r.path == "/note.txt")
    assert note.mtime == "2024-03-01T13:00:00Z"  # UTC+3, 2 s steps
    assert note.crtime.startswith("2024-03-01T12:59:58.") and note.crtime != "2024-03-01T12:59:58Z"  # 10 ms
    assert note.atime == "2024-03-02T00:00:00Z"  # a date only, on the local calendar
    assert result.truth["items"]["note"]["mtime"] == "2024-03-01T10:00:00Z"
    assert audit_build(recipe, result.directory, only=["fat-local-time"]) == []


def test_a_fat_volume_written_in_utc_by_a_clock_declared_in_moscow_is_found(tmp_path):
    recipe = _fat_recipe(None)
    _, result = _build(tmp_path, recipe)
    declared = tmp_path / "declared" / "bad-01.yaml"
    declared.parent.mkdir()
    recipe["evidence"][0]["tz"] = "Europe/Moscow"
    declared.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    findings = audit_build(load_recipe(declared), result.directory, only=["fat-local-time"])
    assert [(f.where, f.message()) for f in findings] == [
        ("/note.txt", "mtime stored as 2024-03-01 10:00:00, but 2024-03-01 10:00:00 UTC on a clock in "
                      "Europe/Moscow reads 2024-03-01 13:00:00")]


def test_a_photo_whose_exif_and_fat_clocks_disagree_is_found(tmp_path):
    photo = {"generate": "jpeg", "exif": {"make": "samsung", "model": "SM-A525F", "taken": "2024-03-01T10:00:00Z",
                                          "utc_offset": "+03:00"}}
    recipe, result = _build(tmp_path, _fat_recipe(None, path="/DCIM/IMG_0001.JPG", content=photo))
    findings = audit_build(recipe, result.directory, only=["fat-local-time"])
    assert [f.where for f in findings] == ["/DCIM/IMG_0001.JPG"] and "differ by -3 h" in findings[0].message()
    (tmp_path / "zoned").mkdir()
    recipe, result = _build(tmp_path / "zoned", _fat_recipe("Europe/Moscow", path="/DCIM/IMG_0001.JPG", content=photo))
    assert audit_build(recipe, result.directory, only=["fat-local-time"]) == []


def test_a_question_on_a_fat_time_must_name_the_disks_zone(tmp_path):
    lab = {"id": "bad-01", "evidence": [{"dataset": "bad-01", "artefact": "usb"}],
           "questions": [{"id": "when", "type": "timestamp",
                          "text": {"en": "When (UTC)? FAT keeps local time; the PC's clock ran in UTC.",
                                   "ru": "Когда (UTC)? FAT хранит местное время; часы ПК шли по UTC+3."}}]}
    key = {"lab": "bad-01", "answers": {"when": {"expected": {"truth": "items.note.mtime"}}}}
    tmp_path.joinpath("case").mkdir()
    recipe, result = _build(tmp_path / "case", _fat_recipe("Europe/Moscow"), lab, key)
    findings = audit_build(recipe, result.directory, course_root=tmp_path / "case", only=["fat-local-time"])
    assert [(f.where, f.message()) for f in findings] == [
        ("question when", "asks for a FAT time on a clock in Europe/Moscow but does not name UTC+3 (en text)")]


def test_an_unknown_clock_zone_is_a_recipe_error(tmp_path):
    from forensics_kit.errors import RecipeError

    with pytest.raises(RecipeError, match=r"evidence\[0\] \(usb\): tz: unknown time zone 'Mars/Olympus'"):
        _build(tmp_path, _fat_recipe("Mars/Olympus"))


def _lookup(recipe: dict, sid: str, qname: str, answer: str, at: float, **extra) -> dict:
    recipe["evidence"][1]["sessions"].append({"id": sid, "type": "dns", "client": "ws", "server": "dns",
                                              "qname": qname, "answers": [answer], "at": at, **extra})
    return recipe


def test_dns_answers_outside_the_names_real_owner_are_found(tmp_path):
    recipe = _lookup(_recipe(), "g", "www.google.com", "13.107.4.50", 3)
    _lookup(recipe, "g2", "www.google.com", "142.250.74.36", 4)  # Google's own
    _lookup(recipe, "f", "files.example.net", "37.1.2.3", 5)  # an invented name on a real public address
    _lookup(recipe, "d", "drop.example.net", "198.51.100.7", 6)  # invented, in a documentation range
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["dns-owner"])
    assert [f.message() for f in findings] == [
        "www.google.com answered with 13.107.4.50, which is not Google's (nor a documentation range)",
        "files.example.net is a reserved example name but answered with the public address 37.1.2.3"]


def test_a_lan_resolver_that_never_asks_upstream_is_found_and_one_that_forwards_is_clean(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["dns"]["mac"] = "02:00:00:00:00:53"  # a DNS server, not the router
    _lookup(recipe, "n1", "news.example.org", "192.0.2.80", 3)
    (tmp_path / "silent").mkdir()
    loaded, result = _build(tmp_path / "silent", copy.deepcopy(recipe))
    findings = audit_build(loaded, result.directory, only=["dns-upstream"])
    assert [f.message() for f in findings] == [
        "the LAN DNS server 10.0.0.1 answers 2 public name(s) without asking any server first: a.example, "
        "news.example.org"]
    recipe["evidence"][1]["hosts"]["isp"] = {"ip": "77.88.8.8", "mac": "00:1a:2b:00:00:01", "os": "linux"}
    recipe["evidence"][1]["hosts"]["dns"]["forwards_dns_to"] = "isp"  # the recipe says it forwards
    for session in recipe["evidence"][1]["sessions"]:
        if session["type"] == "dns":
            session["upstream"] = "isp"
    _lookup(recipe, "n2", "news.example.org", "192.0.2.80", 4, upstream="isp")  # from the cache: not asked again
    (tmp_path / "forwards").mkdir()
    loaded, result = _build(tmp_path / "forwards", recipe)
    assert audit_build(loaded, result.directory, only=["dns-upstream"]) == []
    assert [s["server"] for s in result.truth["sessions"].values() if s.get("type") == "dns"] == ["10.0.0.1"] * 3


_WEBKIT_UPLOAD = ("POST /upload.php HTTP/1.1\r\nHost: files.example.net\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
                  "Connection: keep-alive\r\nContent-Length: 0\r\n"
                  "Content-Type: multipart/form-data; boundary=----WebKitFormBoundaryd1c4f5318c5680bb\r\n\r\n")


def test_a_curl_request_written_like_a_browser_is_found_and_the_builders_own_curl_is_clean(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["sessions"] += [
        {"id": "up", "type": "http_post", "client": "ws", "server": "web", "host": "files.example.net",
         "uri": "/upload.php", "user_agent": "curl/7.81.0", "at": 3,
         "upload": {"name": "a.csv", "content": {"text": "a,b\n"}}},
        {"id": "fake", "type": "tcp", "client": "ws", "server": "web", "port": 8080, "at": 4,
         "messages": [{"side": "client", "text": _WEBKIT_UPLOAD}]}]
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["http-client"])
    first, last = result.truth["sessions"]["fake"]["frames"]
    assert len({f.where for f in findings}) == 1 and first <= int(findings[0].where.split()[1]) <= last
    assert sorted(f.message().split(" ", 1)[1][:20] for f in findings) == [
        "sends 'Connection: k", "writes the multipart"]


def test_a_user_agent_naming_another_os_than_its_hosts_is_found(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["ws"]["os"] = "debian-12"
    recipe["evidence"][1]["sessions"].append(
        {"id": "win", "type": "http_get", "client": "ws", "server": "web", "host": "a.example", "uri": "/x", "at": 3,
         "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
         "content": {"text": "hi"}, "content_type": "text/plain"})
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["user-agent-os"])
    assert [f.message().split(" but ")[0] for f in findings] == [f"{result.truth['hosts']['ws']['ip']} runs debian-12"]


def test_an_smtp_server_greeting_as_the_recipients_domain_is_found_and_the_builders_own_is_clean(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["mx"] = {"ip": "198.51.100.25", "mac": "00:1a:2b:00:00:01", "os": "debian-12"}
    recipe["evidence"][1]["sessions"] += [
        {"id": "fake", "type": "tcp", "client": "ws", "server": "web", "port": 587, "at": 3, "messages": [
            {"side": "server", "text": "220 mail.buyer.example ESMTP Postfix (Debian/GNU)\r\n"},
            {"side": "client", "text": "EHLO pc\r\nAUTH LOGIN\r\nMAIL FROM:<me@postbox.example>\r\n"
                                       "RCPT TO:<boss@buyer.example>\r\n"}]},
        {"id": "mx_lookup", "type": "dns", "client": "ws", "server": "dns", "qname": "smtp.postbox.example.net",
         "answers": ["198.51.100.25"], "at": 4},  # the builder's server greets with this name
        {"id": "mail", "type": "smtp", "client": "ws", "server": "mx", "port": 587, "at": 4.5, "helo": "pc",
         "user": "me@postbox.example.net", "password": "pw",
         "mail": {"from": "me@postbox.example.net", "to": ["boss@buyer.example"], "subject": "hi", "body": "hi"}}]
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["smtp-greeting"])
    assert [f.message() for f in findings] == [
        "203.0.113.9 takes the sender's login but greets as mail.buyer.example, the recipient's domain"]


@pytest.mark.parametrize(("implant", "found"), [("apt", 1), ("go", 0)])
def test_an_implant_with_apts_ja3_is_found(tmp_path, implant, found):
    recipe = _recipe()
    recipe["evidence"][1]["sessions"] += [
        {"id": "upd", "type": "tls", "client": "ws", "server": "web", "sni": "deb.debian.org", "software": "apt",
         "at": 3},
        {"id": "c2", "type": "tls", "client": "ws", "server": "web", "sni": "cdn-7.orbit.example.net",
         "software": implant, "at": 5}]
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["ja3-updater"])
    assert len(findings) == found
    assert all("cdn-7.orbit.example.net has JA3" in f.message() for f in findings)
    assert (result.truth["sessions"]["c2"]["ja3_md5"] == result.truth["sessions"]["upd"]["ja3_md5"]) == bool(found)


def test_a_2024_office_browsing_only_plain_http_is_found_and_tls_noise_fixes_it(tmp_path):
    recipe = _recipe()
    for n in (1, 2):
        page = copy.deepcopy(recipe["evidence"][1]["sessions"][-1])
        recipe["evidence"][1]["sessions"].append({**page, "id": f"page{n}", "at": 2 + n})
    (tmp_path / "plain").mkdir()
    loaded, result = _build(tmp_path / "plain", copy.deepcopy(recipe))
    findings = audit_build(loaded, result.directory, only=["tls-background"])
    assert [f.message() for f in findings] == [
        "3 plain-HTTP connections from the LAN to the Internet and no TLS at all, in a 2024 capture"]
    recipe["evidence"][1]["sessions"].append(
        {"id": "bg", "type": "noise", "kinds": ["tls"], "hosts": ["ws"], "resolver": "dns", "extra_hosts": 1,
         "rate": 1, "duration": 5, "at": 0})
    (tmp_path / "noise").mkdir()
    loaded, result = _build(tmp_path / "noise", recipe)
    assert audit_build(loaded, result.directory) == []
    assert result.truth["sessions"]["bg"]["counts"] == {"tls": 5}


def _ext_recipe(mode: str | None) -> dict:
    tool = {"id": "tool", "path": "/tmp/.tool", "owner": "1000", "deleted": True, "content": {"text": "ELF"},
            "times": {"created": "2024-03-01T10:00:00Z", "modified": "2024-03-01T10:00:00Z",
                      "changed": "2024-03-01T10:00:30Z", "deleted": "2024-03-01T10:05:00Z"}}
    if mode:
        tool["mode"] = mode
    history = {"id": "history", "path": "/home/u/.bash_history", "owner": "1000",
               "content": {"text": "#1709287230\nchmod +x /tmp/.tool\n#1709287500\nrm -f /tmp/.tool\n"},
               "times": {"modified": "2024-03-01T10:06:00Z"}}
    passwd = {"id": "passwd", "path": "/etc/passwd", "content": {"text": "root:x:0:0::/root:/bin/bash\n"
                                                                         "u:x:1000:1000::/home/u:/bin/bash\n"},
              "times": {"modified": "2024-02-01T10:00:00Z"}}
    return {"case": "bad-01", "title": {"en": "ext"}, "seed": 3,
            "window": {"start": "2024-02-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"},
            "evidence": [{"id": "disk", "type": "disk", "file": "disk.dd", "size": "8MiB", "scheme": "none",
                          "filesystem": {"type": "ext4", "subsecond": True}, "items": [passwd, history, tool]}]}


def test_a_chmod_in_the_history_needs_an_executable_mode(tmp_path):
    (tmp_path / "plain").mkdir()
    recipe, result = _build(tmp_path / "plain", _ext_recipe(None))
    assert [f.message() for f in audit_build(recipe, result.directory, only=["mode-after-chmod"])] == [
        "history runs 'chmod +x' on it at 2024-03-01T10:00:30Z, but its mode is 644"]
    (tmp_path / "x").mkdir()
    recipe, result = _build(tmp_path / "x", _ext_recipe("0755"))
    assert audit_build(recipe, result.directory) == []  # ctime = dtime, /tmp moved with the unlink


def test_a_deleted_inode_whose_ctime_stayed_put_is_found(tmp_path):
    from forensics_kit.builder.audit.rules.ext_semantics import inode_offsets

    recipe, result = _build(tmp_path, _ext_recipe("0755"))
    image, inode = result.artefacts["disk"], result.truth["items"]["tool"]["inode"]
    place = inode_offsets(image, 0, [inode])[inode]
    data = bytearray(image.read_bytes())
    data[place + 12:place + 16] = struct.pack("<I", 1709287230)  # ctime back to the chmod, before the unlink
    image.write_bytes(bytes(data))
    findings = audit_build(recipe, result.directory, only=["ctime-semantics"])
    assert [f.message() for f in findings] == [
        f"deleted inode {inode} was unlinked at 2024-03-01T10:05:00Z but its ctime stayed 2024-03-01T10:00:30Z"]


def test_a_history_database_older_than_its_last_visit_is_found_and_visits_have_microseconds(tmp_path):
    import sqlite3

    recipe = _ext_recipe("0755")
    visits = [{"url": "https://lenta.ru/", "time": "2024-03-02T10:00:00Z", "type": "typed"},
              {"url": "https://lenta.ru/a", "time": "2024-03-02T10:00:00Z", "type": "link"}]
    recipe["evidence"][0]["items"].append(
        {"id": "places", "path": "/home/u/.mozilla/firefox/ab12.default-release/places.sqlite", "owner": "1000",
         "content": {"generate": "browser_history", "browser": "firefox", "subsecond": True, "visits": visits},
         "times": {"modified": "2024-03-01T10:10:00Z"}})
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["mtime-after-content"])
    assert [f.message() for f in findings] == [
        "modified 2024-03-01T10:10:00Z, before the Firefox visit it holds at 2024-03-02T10:00:00Z"]
    db = sqlite3.connect(":memory:")
    db.deserialize(_places(result))
    stamps = [row[0] for row in db.execute("SELECT visit_date FROM moz_historyvisits ORDER BY id")]
    assert all(s % 1_000_000 for s in stamps) and stamps == sorted(stamps)  # microseconds, listed order kept


def _places(result) -> bytes:
    from forensics_kit.disk import open_image

    with open_image(result.artefacts["disk"]) as image:
        return image.read(inode=result.truth["items"]["places"]["inode"])


def test_ntfs_file_names_carry_fractions_and_sizes_and_a_zeroed_one_is_found(tmp_path):
    from forensics_kit.builder import ntfs_mft

    items = [{"id": f"doc{n}", "path": f"/Users/anna/doc{n}.txt", "content": {"text": "report " * (n * 400 + 1)},
              "times": {"created": "2024-03-01T10:00:00Z", "modified": f"2024-03-0{n + 1}T10:00:00Z"}}
             for n in range(3)]
    recipe = {"case": "bad-01", "title": {"en": "ntfs"}, "seed": 3,
              "window": {"start": "2024-02-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"},
              "evidence": [{"id": "disk", "type": "disk", "file": "disk.dd", "size": "8MiB", "scheme": "none",
                            "filesystem": {"type": "ntfs", "subsecond": True}, "items": items}]}
    loaded, result = _build(tmp_path, recipe)
    assert audit_build(loaded, result.directory) == []
    image, inode = result.artefacts["disk"], result.truth["items"]["doc2"]["inode"]
    record = ntfs_mft.read_record(image, inode)
    for content in record.attributes(ntfs_mft.FILE_NAME):  # as ntfs-3g leaves it: whole seconds, no sizes
        struct.pack_into("<Q", record.data, content + 8, ntfs_mft.filetime(1709287200))
        struct.pack_into("<QQ", record.data, content + 40, 0, 0)
    ntfs_mft.write_record(image, record)
    findings = audit_build(loaded, result.directory, only=["ntfs-filename"])
    assert [(f.where, f.message()[:40]) for f in findings] == [
        ("/Users/anna/doc2.txt", "$FILE_NAME creation time is a whole seco"),
        ("/Users/anna/doc2.txt", "$FILE_NAME gives real size 0 for a file ")]


def test_an_sd_card_without_a_partition_table_is_found(tmp_path):
    recipe = _recipe()
    recipe["evidence"][0]["file"] = "sdcard.dd"
    (tmp_path / "bare").mkdir()
    loaded, result = _build(tmp_path / "bare", copy.deepcopy(recipe))
    assert [f.message() for f in audit_build(loaded, result.directory, only=["sd-card-mbr"])] == [
        "an SD card (its file name says so) whose file system starts at sector 0, with no partition table"]
    usb = recipe["evidence"][0]
    usb["scheme"] = "mbr"
    usb["partitions"] = [{"id": "card", "start": "1MiB", "size": "14MiB", "filesystem": usb.pop("filesystem"),
                          "items": usb.pop("items")}]
    (tmp_path / "mbr").mkdir()
    loaded, result = _build(tmp_path / "mbr", recipe)
    assert audit_build(loaded, result.directory, only=["sd-card-mbr"]) == []


def test_names_that_mix_genders_are_found_and_drawn_names_agree(tmp_path):
    text = "Paid by Daniel Ivanova.\nПолучатель: Иванов Галина Петровна\nOK: Olga Petrova, Иванова Нина Ивановна\n"
    recipe = _recipe(names=("/names.txt", {"text": text, "encoding": "cp1251"}))
    recipe["parameters"].update(ru={"type": "name", "lang": "ru", "gender": "female"},
                                he={"type": "name", "lang": "ru", "gender": "male"}, en={"type": "name"})
    recipe["evidence"][0]["items"][0]["content"]["text"] = "{{ ru }}; {{ he }}; {{ en }}"
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["name-gender"])
    assert sorted(f.message().split("'")[1] for f in findings) == ["Daniel Ivanova", "Иванов Галина Петровна"]
    she, he = result.truth["parameters"]["ru"].split(), result.truth["parameters"]["he"].split()
    assert she[0].endswith("а") and she[2].endswith("вна") and he[2].endswith("вич") and not he[0].endswith("а")


def test_text_content_is_written_in_the_encoding_a_program_saves(tmp_path):
    from forensics_kit.builder.content import make_content

    assert make_content({"text": "Пенсионер\n", "encoding": "cp1251"}, None) == "Пенсионер\r\n".encode("cp1251")
    assert make_content({"text": "Итоги\n", "encoding": "utf-16le"}, None) == b"\xff\xfe" + "Итоги\r\n".encode(
        "utf-16-le")
    assert make_content({"text": "é"}, None) == "é".encode()


def test_a_banner_of_another_os_than_its_servers_is_found_and_a_windows_web_server_answers_as_iis(tmp_path):
    recipe = _recipe()
    recipe["evidence"][1]["hosts"]["iis"] = {"ip": "203.0.113.80", "os": "windows-2019", "mac": "00:1a:2b:00:00:01"}
    recipe["evidence"][1]["sessions"] += [
        {"id": "ftp", "type": "tcp", "client": "ws", "server": "web", "port": 21, "at": 3,
         "messages": [{"side": "server", "text": "220 Microsoft FTP Service\r\n"}]},
        {"id": "site", "type": "http_get", "client": "ws", "server": "iis", "host": "www.example.net", "uri": "/",
         "user_agent": "curl/8.5.0", "content": {"text": "hi"}, "content_type": "text/plain", "at": 4}]
    loaded, result = _build(tmp_path, recipe)
    findings = audit_build(loaded, result.directory, only=["banner-os"])
    assert [f.message() for f in findings] == [
        "203.0.113.9 runs ubuntu-22.04 but its banner says 'Microsoft FTP Service' (windows software)"]
