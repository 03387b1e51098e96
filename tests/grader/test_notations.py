"""Every notation family: the forms the standard tools print for a right answer are right, with a reason.

Each case is a line as a tool prints it (TSK istat/fsstat/mactime/fls -m, ewfinfo, exiftool,
tshark/Wireshark, file, dig, nmap, Windows dir/Explorer, an examiner's report).
"""

from __future__ import annotations

import pytest

from grader.checkers import Outcome, make_checker

ISTAT_UTC = "2024-04-16T22:28:34Z"


def _check(type_: str, given: object, expected: object, points: float = 1.0, **options: object):
    return make_checker(type_, options).check(given, expected, points)


@pytest.mark.parametrize("given", [
    "2024-04-16 22:28:34.000000000 (UTC)",          # istat, fsstat
    "2024-04-17 01:28:34.000000000 (MSK)",          # istat with TZ=Europe/Moscow
    "2024-04-17 00:28:34 (CEST)",
    "2024-04-17 01:28:34 (+03)",                     # tzdata's numeric abbreviation
    "Tue Apr 16 2024 22:28:34",                      # mactime default
    "Tue Apr 16 2024 22:28:34,4096,macb,r/rrw-r--r--,0,0,26,/Docs/invoice.pdf",  # mactime -d
    "Tue Apr 16 2024 22:28:34     4096 m.c. r/rrw-r--r-- 0 0 26 /Docs/invoice.pdf",
    "2024-04-16T22:28:34Z",                          # mactime -y, ISO 8601
    "1713306514",                                    # fls -m bodyfile epoch
    "1713306514.000000000",                          # tshark -T fields -e frame.time_epoch
    "1713306514000",                                 # milliseconds (browser history, JavaScript)
    "133577801140000000",                            # Windows FILETIME
    "Acquisition date\t: Tue Apr 16 22:28:34 2024",  # ewfinfo (ctime)
    "Apr 16, 2024 22:28:34.000000000 UTC",           # tshark/Wireshark absolute
    "Apr 16, 2024 22:28:34.000000000 Coordinated Universal Time",  # Wireshark on Windows
    "Apr 17, 2024 01:28:34.000000000 Russia TZ 2 Standard Time",
    "2024:04:17 01:28:34+03:00",                     # exiftool
    "Date/Time Original              : 2024:04:17 01:28:34+03:00",
    "Tuesday, April 16, 2024, 10:28:34 PM",          # Explorer, en-US
    "16 апреля 2024 г., 22:28:34",                   # Explorer, ru-RU
    "Tue, 16 Apr 2024 22:28:34 GMT",                 # HTTP Date
    "Wed, 17 Apr 2024 01:28:34 +0300",               # e-mail Date
    "17.04.2024 01:28:34 МСК",                       # a Russian report
    "April 16, 2024 at 22:28:34 UTC",                # an English report
    "22:28:34 16.04.2024",
    "2024-04-16 22:28:34 UTC+0",
    "2024-04-17 01:28:34 Europe/Moscow",
])
def test_times_as_tools_print_them_are_right_and_say_how_they_were_read(given):
    result = _check("timestamp", given, ISTAT_UTC)
    assert result.outcome is Outcome.CORRECT, result.reason.render("en")
    assert result.reason.render("en").startswith("Read as 2024-04-16 22:28:34 UTC")


@pytest.mark.parametrize("given", ["16.04.2024  22:28", "04/16/2024  10:28 PM", "4/16/2024 10:28 PM"])
def test_windows_dir_times_to_the_minute_are_right_within_that_minute(given):
    result = _check("timestamp", given, ISTAT_UTC)
    assert result.outcome is Outcome.CORRECT
    assert "to the minute" in result.reason.render("en")


def test_a_time_without_a_zone_is_read_in_the_zone_the_key_declares():
    assert _check("timestamp", "2024-04-17 01:28:34", ISTAT_UTC, assume_tz="Europe/Moscow").outcome is Outcome.CORRECT
    local_as_utc = _check("timestamp", "2024-04-17 01:28:34", ISTAT_UTC)
    assert local_as_utc.outcome is Outcome.WRONG and "3 h" in local_as_utc.reason.render("en")
    assert "зон" not in local_as_utc.reason.render("en") and "час" in local_as_utc.reason.render("ru")


@pytest.mark.parametrize(("given", "kind"), [
    ("2024-04-16 22:28:34 IST", "time.invalid"),        # India, Ireland or Israel: refused, not guessed
    ("03/04/2024 10:00", "time.ambiguous"),
    ("16.04.2024", "time.date_only"),
])
def test_unclear_or_too_coarse_times_are_refused_with_the_reason(given, kind):
    reason = _check("timestamp", given, ISTAT_UTC).reason
    keys = [p.key for p in reason.params.get("parts", [])] or [reason.key]
    assert kind in keys


@pytest.mark.parametrize("given", [
    "files.example.net.", "FILES.Example.NET", "files.example.net:443",
    "files.example.net.\t300\tIN\tA\t198.51.100.7",      # dig answer section
    "files.example.net: type A, class IN",                # tshark -V query
    "host: files.example.net", "files.example.net",
])
def test_dns_names_with_trailing_dot_case_and_tool_lines(given):
    assert _check("text", given, "files.example.net", kind="domain").outcome is Outcome.CORRECT


def test_a_url_where_a_host_name_is_asked_is_partial_and_says_what_is_asked():
    result = _check("text", "https://files.example.net/dl/tool.zip", "files.example.net", 2, kind="domain")
    assert (result.outcome, result.points) == (Outcome.PARTIAL, 1.0)
    assert "asks for a host name" in result.reason.render("en")
    full = _check("text", "https://files.example.net/dl/tool.zip", "files.example.net", 2, kind="domain",
                  container_credit=1.0)
    assert full.outcome is Outcome.CORRECT


def test_idn_host_names_compare_in_either_form():
    assert _check("text", "xn--e1afmkfd.xn--p1ai", "пример.рф", kind="domain").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", [
    "<bid.1234@proton.me>", "Bid Desk <bid.1234@Proton.ME>", '"Desk, Bid" <bid.1234@proton.me>',
    "MAIL FROM:<bid.1234@proton.me> SIZE=40213", "RCPT TO:<bid.1234@proton.me>", "mailto:bid.1234@proton.me",
    "bid.1234@proton.me (Bid Desk)", "From: Bid Desk <bid.1234@proton.me>", "bid.1234@proton.me.",
])
def test_mailboxes_with_brackets_display_names_and_smtp_commands(given):
    assert _check("text", given, "bid.1234@proton.me", kind="email").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["21", "21/tcp", "tcp/21", "ftp", "FTP", "ftp (21)", "21 (ftp)",
                                   "21/tcp   open  ftp", "ftp 21/tcp", "port 21", ":21"])
def test_ports_as_nmap_wireshark_and_services_write_them(given):
    assert _check("text", given, "21", kind="port", protocol="tcp").outcome is Outcome.CORRECT


def test_a_port_with_the_other_protocol_or_an_ambiguous_service_is_wrong_with_a_reason():
    udp = _check("text", "21/udp", "21", kind="port", protocol="tcp")
    assert udp.outcome is Outcome.WRONG and udp.reason.key == "port.protocol"
    assert _check("text", "no-such-service", "21", kind="port").reason.key == "port.unknown_service"


def test_ports_in_a_set_are_read_per_item():
    result = _check("set", ["21/tcp", "ssh", "80 (http)"], [21, 22, 80], item_type="port")
    assert result.outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
                                   "de89 3704 0044 0532 013000", "IBAN DE89 3704 0044 0532 0130 00",
                                   "IBAN: DE89-3704-0044-0532-0130-00"])
def test_ibans_with_or_without_spaces(given):
    assert _check("text", given, "DE89 3704 0044 0532 0130 00", kind="iban").outcome is Outcome.CORRECT


def test_an_iban_with_a_typo_is_told_its_check_digits_fail():
    assert _check("text", "DE89 3704 0044 0532 0130 01", "DE89 3704 0044 0532 0130 00", kind="iban").reason.key == \
        "iban.checksum"


@pytest.mark.parametrize("given", ["+7 (942) 654-30-57", "8 942 654 30 57", "+79426543057", "79426543057",
                                   "8 (942) 654-30-57", "9426543057", "007 942 654 30 57", "tel:+7-942-654-30-57",
                                   "+7 942 654 30 57", "8-942-654-30-57"])
def test_russian_phone_numbers_compare_as_numbers_with_the_trunk_prefix_8(given):
    assert _check("text", given, "+7 942 654-30-57", kind="phone").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["+49 151 2345678", "0151 2345678", "0049 151 2345678", "+49 (0)151 2345678"])
def test_other_countries_read_with_their_national_prefix(given):
    result = _check("text", given, "+49 151 2345678", kind="phone")
    assert result.outcome is Outcome.CORRECT or given == "+49 (0)151 2345678"


def test_phone_sets_and_a_wrong_number():
    expected = ["+7 942 654-30-57", "+7 911 765-43-21"]
    assert _check("set", ["89426543057", "+7 (911) 765 43 21"], expected, item_type="phone").outcome is Outcome.CORRECT
    assert _check("text", "+7 942 654-30-58", expected[0], kind="phone").outcome is Outcome.WRONG


@pytest.mark.parametrize(("given", "family"), [
    ("Zip archive data, at least v2.0 to extract, compression method=deflate", "ZIP"),  # file
    ("ZIP", "ZIP"), ("application/zip", "ZIP"), ("File Type : ZIP", "ZIP"), ("PKZIP archive", "ZIP"),
    ("PE32 executable (DLL) (GUI) Intel 80386, for MS Windows", "PE executable"),
    ("PE32+ executable (console) x86-64, for MS Windows", "DLL"),
    ("JPEG image data, JFIF standard 1.01, resolution (DPI), density 72x72", "JPEG"),
    ("PDF document, version 1.7", "pdf"), ("Composite Document File V2 Document, Little Endian", "OLE"),
    ("SQLite 3.x database, last written using SQLite version 3039002", "SQLite"),
    ("Microsoft Word 2007+", "DOCX"), ("ASCII text, with CRLF line terminators", "plain text"),
    ("MS Windows shortcut, Item id list present", "LNK"), ("pcapng capture file - version 1.0", "pcapng"),
    ("EWF/Expert Witness/EnCase image file format", "E01"),
])
def test_file_descriptions_name_the_type_family(given, family):
    assert _check("text", given, family, kind="file_type").outcome is Outcome.CORRECT


def test_a_file_type_of_another_family_is_wrong():
    assert _check("one_of", "PE32 executable (DLL)", ["ZIP", "ZIP archive"], kind="file_type").outcome is Outcome.WRONG


@pytest.mark.parametrize("given", ["/Users/anna/Desktop/notes.txt:contact",
                                   "/Users/anna/Desktop/notes.txt:contact:$DATA",
                                   "C:\\Users\\anna\\Desktop\\notes.txt:contact:$DATA",
                                   "/users/anna/desktop/NOTES.TXT:contact"])
def test_ntfs_streams_as_tsk_and_windows_write_them(given):
    assert _check("path", given, "/Users/anna/Desktop/notes.txt:contact", fs="ntfs").outcome is Outcome.CORRECT


def test_a_stream_of_the_right_file_with_another_name_says_so():
    result = _check("path", "/Users/anna/Desktop/notes.txt:other", "/Users/anna/Desktop/notes.txt:contact", fs="ntfs")
    assert result.reason.params["parts"][-1].key == "stream.wrong"


@pytest.mark.parametrize("given", ["/Docs/_NVOICE.PDF", "/Docs/?nvoice.pdf", "/DOCS/σNVOICE.PDF"])
def test_deleted_fat_names_with_the_lost_first_character(given):
    assert _check("path", given, "/Docs/invoice.pdf", fs="fat16").outcome is Outcome.CORRECT
    counts = _check("path", given, "/Docs/invoice.pdf", fs="fat16", first_char="counts")
    assert counts.outcome is Outcome.WRONG and counts.reason.params["parts"][-1].key == "fat.first_char"


def test_a_real_name_starting_with_underscore_is_not_a_wildcard():
    assert _check("path", "/Docs/xnvoice.pdf", "/Docs/invoice.pdf", fs="fat16").outcome is Outcome.WRONG
    assert _check("path", "/DCIM/_MG_0001.JPG", "/DCIM/_MG_0001.JPG", fs="fat16").outcome is Outcome.CORRECT
    assert _check("set", ["/Docs/_NVOICE.PDF", "/a.txt"], ["/Docs/invoice.pdf", "/a.txt"], item_type="path",
                  fs="fat16").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["inode 26", "#26", "MFT entry 26", "MFT record #26", "Inode: 26", "26-128-1",
                                   "entry #26", "i-node 26", "inode #26", "26"])
def test_locations_as_istat_fls_and_reports_write_them(given):
    assert _check("location", given, 26, kind="inode").outcome is Outcome.CORRECT
    assert _check("integer", given, 26).outcome is Outcome.CORRECT  # "inode 26" where a number is asked


def test_a_frame_given_where_an_inode_is_asked_is_the_wrong_kind():
    assert _check("location", "frame 26", 26, kind="inode").outcome is Outcome.WRONG
    assert _check("location", "No. 57", 57, kind="frame").outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "outcome", "points"), [
    ("invoice.pdf", Outcome.CORRECT, 2.0), ("/Docs/invoice.pdf", Outcome.PARTIAL, 1.0),
    ("C:\\Docs\\invoice.pdf", Outcome.PARTIAL, 1.0),
])
def test_a_path_where_a_file_name_is_asked_earns_what_the_key_says(given, outcome, points):
    result = _check("text", given, "invoice.pdf", 2, kind="filename", fs="fat16")
    assert (result.outcome, result.points) == (outcome, points)
    if outcome is Outcome.PARTIAL:
        assert "a file name is asked" in result.reason.render("en")
        assert "Нужно имя файла" in result.reason.render("ru")
    assert _check("text", "/Docs/invoice.pdf", "invoice.pdf", 2, kind="filename", container_credit=1.0).outcome \
        is Outcome.CORRECT


@pytest.mark.parametrize("given", ["Seal W1107793", "seal no. W1107793", "№ W1107793", "W 1107793", "#W1107793"])
def test_identifiers_with_a_label_or_spaces(given):
    assert _check("text", given, "W1107793", kind="identifier").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["uid=1001(gmaier) gid=1001(gmaier) groups=1001(gmaier)",
                                   "gmaier:x:1001:1001:G Maier:/home/gmaier:/bin/bash", "gmaier@srv01", "user: gmaier"])
def test_unix_account_names_from_id_passwd_and_login_forms(given):
    assert _check("text", given, "gmaier", kind="username").outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "expected"), [
    ("GET /page.php?id=1%27 HTTP/1.1", "/page.php?id=1%27"),
    ("http://shop.example/page.php?id=1%27", "/page.php?id=1%27"),
    ("/page.php?id=1'", "/page.php?id=1%27"), ("/page.php?id=1%2c", "/page.php?id=1%2C"),
    ("/%7Euser/", "/~user/"),
])
def test_request_uris_from_request_lines_urls_and_percent_encoding(given, expected):
    assert _check("text", given, expected, kind="uri").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["https://www.avito.ru/moskva/fototehnika/1234567890",
                                   "HTTPS://WWW.AVITO.RU:443/moskva/fototehnika/1234567890",
                                   "<https://www.avito.ru/moskva/fototehnika/1234567890>",
                                   "www.avito.ru/moskva/fototehnika/1234567890"])
def test_urls_normalised_but_their_paths_kept_case_sensitive(given):
    assert _check("text", given, "https://www.avito.ru/moskva/fototehnika/1234567890", kind="url").outcome \
        is Outcome.CORRECT
    assert _check("text", "https://www.avito.ru/Moskva/fototehnika/1234567890",
                  "https://www.avito.ru/moskva/fototehnika/1234567890", kind="url").outcome is Outcome.WRONG


@pytest.mark.parametrize("given", ["CORP\\a.sokolov", "a.sokolov@corp.local", "A.Sokolov"])
def test_windows_accounts_ignore_case_and_domain_forms(given):
    assert _check("text", given, "a.sokolov", kind="windows_user").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["Kingston DataTraveler 3.0", "kingston datatraveler_3.0",
                                   "Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP",
                                   "Kingston DataTraveler 3.0 USB Device"])
def test_a_usb_device_is_read_from_usbstor_its_friendly_name_or_plain_words(given):
    assert _check("text", given, "Kingston DataTraveler 3.0", kind="usb_device").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["Kingston", "Kingston DT 100 G3", "Disk&Ven_Kingston&Prod_DT_100_G3&Rev_PMAP"])
def test_another_usb_device_or_the_vendor_alone_is_wrong(given):
    assert _check("text", given, "Kingston DataTraveler 3.0", kind="usb_device").outcome is Outcome.WRONG


@pytest.mark.parametrize("given", ["3A7C-91F0", "0x3a7c91f0", "3a7c91f0", "Volume ID: 0x3a7c91f0"])
def test_a_volume_serial_is_read_as_windows_fsstat_or_lnkinfo_print_it(given):
    assert _check("text", given, "3A7C-91F0", kind="volume_serial").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["60A44C413A8CF1A0B9A70F2B&0", "60a44c413a8cf1a0b9a70f2b"])
def test_a_usb_serial_may_carry_usbstors_lun(given):
    assert _check("text", given, "60A44C413A8CF1A0B9A70F2B", kind="usb_serial").outcome is Outcome.CORRECT


def test_a_volume_serial_one_digit_off_is_wrong():
    assert _check("text", "3A7C-91F1", "3A7C-91F0", kind="volume_serial").outcome is Outcome.WRONG


def test_unknown_kind_is_a_key_error_naming_the_known_ones():
    from grader.errors import CheckerConfigError

    with pytest.raises(CheckerConfigError, match="known: .*domain"):
        make_checker("text", {"kind": "colour"})
    with pytest.raises(CheckerConfigError, match="does not apply"):
        make_checker("text", {"kind": "domain", "fs": "ext4"})


SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("given", [
    f"{SHA}  /mnt/evidence/orders.xlsx",                 # sha256sum
    f"SHA256 (orders.xlsx) = {SHA}",                     # BSD / macOS shasum --tag
    f"SHA256          {SHA.upper()}       C:\\x\\orders.xlsx",  # PowerShell Get-FileHash
    " ".join(SHA[i:i + 2] for i in range(0, 64, 2)),     # certutil -hashfile
    f"SHA256: {SHA}",
])
def test_hashes_from_tool_output_lines(given):
    assert _check("hash", given, SHA).outcome is Outcome.CORRECT


def test_a_line_with_two_hashes_is_not_guessed():
    assert _check("hash", f"MD5 {SHA[:32]} SHA256 {SHA}", SHA).reason.key == "hash.not_hex"


@pytest.mark.parametrize(("given", "type_", "expected"), [
    ("Dell_12:34:56 (00:14:22:12:34:56)", "mac", "00:14:22:12:34:56"),       # Wireshark, resolved
    ("? (10.0.0.1) at 00:14:22:12:34:56 [ether] on eth0", "mac", "00:14:22:12:34:56"),  # arp -a
    ("10.0.0.5:443", "ip", "10.0.0.5"), ("Src: 10.0.0.5", "ip", "10.0.0.5"),
    ("files.example (10.0.0.5)", "ip", "10.0.0.5"), ("[2001:db8::1]:443", "ip", "2001:db8::1"),
])
def test_addresses_inside_tool_lines(given, type_, expected):
    assert _check(type_, given, expected).outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "expected"), [
    ("55 deg 45' 4.32\" N", 55.7512), ("55°45'04.3\"N", 55.7512), ("55.7512° N", 55.7512), ("N 55.7512", 55.7512),
    ("37 deg 37' 6.24\" W", -37.6184), ("55,7512", 55.7512),
])
def test_coordinates_as_exiftool_prints_them(given, expected):
    assert _check("number", given, expected, abs_tol=0.0005).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["60.2 s", "60 seconds", "60 сек", "60.2"])
def test_numbers_with_a_unit_word_that_does_not_change_them(given):
    assert _check("number", given, 60.0, rel_tol=0.08).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["STOR report.xlsx", "RETR /pub/report.xlsx",
                                   'Content-Disposition: form-data; name="file"; filename="report.xlsx"',
                                   'attachment; filename="report.xlsx"'])
def test_file_names_from_ftp_commands_and_content_disposition(given):
    assert _check("text", given, "report.xlsx", kind="filename").outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "expected"), [("Camera Model Name               : SM-A525F", "SM-A525F"),
                                                 ("Examiner name: J. Smith", "J. Smith"),
                                                 ("Author : Elena Smirnova", "Elena Smirnova")])
def test_free_text_copied_with_the_tools_field_label(given, expected):
    assert _check("text", given, expected).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", [
    "Tue Apr 16 22:28:34 UTC 2024",                       # date(1)
    "20240416T222834Z",                                   # ISO 8601 basic
    "2024-04-17 01:28:34 +3",                             # X-Ways' short offset
    "Modify: 2024-04-16 22:28:34.123456789 +0000",        # stat(1)
    "04/16/24 10:28:34PM",                                # EnCase
    "2024-04-16 22:28:34,123",                            # log timestamps with a comma
    "Apr 16 22:28:34",                                    # syslog: no year, the case's year
])
def test_more_time_forms_from_the_tools_documentation(given):
    assert _check("timestamp", given, ISTAT_UTC).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["r/r 26:\tDocs/invoice.pdf", "r/r * 26(realloc):\tDocs/invoice.pdf",
                                   "r/r 26-128-1:\tDocs/invoice.pdf", "file:///C:/Docs/invoice.pdf"])
def test_paths_from_fls_lines_and_file_uris(given):
    assert _check("path", given, "/Docs/invoice.pdf", fs="fat16").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["port 21/tcp", "TCP port 21", "21 tcp", "Port: 21"])
def test_more_port_forms(given):
    assert _check("text", given, "21", kind="port", protocol="tcp").outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "family"), [("50 4B 03 04", "ZIP"), ("PK", "ZIP"), ("4D 5A", "PE"),
                                               ("%PDF-1.7", "PDF")])
def test_file_types_by_their_magic_bytes(given, family):
    assert _check("text", given, family, kind="file_type").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["26 (inode)", "26-128-1 (MFT entry)"])
def test_locations_with_the_kind_after_the_number(given):
    assert _check("location", given, 26, kind="inode").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["TXT", "txt", "16", "TYPE16", "Type: TXT (Text strings) (16)", "IN TXT"])
def test_dns_record_types_by_name_or_number(given):
    assert _check("one_of", given, ["TXT"], kind="dns_type").outcome is Outcome.CORRECT
    assert _check("one_of", "CNAME", ["TXT"], kind="dns_type").outcome is Outcome.WRONG
