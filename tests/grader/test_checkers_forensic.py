"""Forensic answer types: ordered, cidr, mac, path, offset, location, datetime_range."""

from __future__ import annotations

import pytest

from grader import CheckerConfigError, Outcome, make_checker
from grader.checkers.ordered import kendall_distance


def check(type_: str, given: object, expected: object, points: float = 1.0, **options: object):
    return make_checker(type_, options).check(given, expected, points)


def reason(result, lang: str = "en") -> str:
    return result.reason.render(lang)


# --- ordered -----------------------------------------------------------------

EVENTS = ["usb inserted", "file copied", "file deleted", "usb removed"]


def test_ordered_exact_order_is_correct_in_any_case_and_spacing():
    spelled = ["USB inserted", " file copied", "file deleted", "usb removed"]
    assert check("ordered", spelled, EVENTS).outcome is Outcome.CORRECT
    assert check("ordered", "usb inserted; file copied; file deleted; usb removed", EVENTS).outcome is Outcome.CORRECT


def test_ordered_one_swap_of_neighbours_in_four_events_is_chance_corrected():
    result = check("ordered", ["file copied", "usb inserted", "file deleted", "usb removed"], EVENTS, 6)
    tau = 1 - 2 * 1 / 6
    assert result.outcome is Outcome.PARTIAL and result.points == pytest.approx(6 * ((tau - 0.2) / 0.8) ** 2, abs=1e-5)
    assert "5 of 6 pairs" in reason(result)


def test_ordered_reversed_timeline_earns_nothing():
    assert check("ordered", list(reversed(EVENTS)), EVENTS, 6).points == 0


def test_ordered_missing_and_extra_events_cost_credit():
    missing = check("ordered", EVENTS[:3], EVENTS, 6)  # 3 pairs in order, 3 pairs with the absent event: half each
    assert missing.points == pytest.approx(6 * ((0.5 - 0.2) / 0.8) ** 2) and "1 event is missing" in reason(missing)
    extra = check("ordered", [*EVENTS, "printer used"], EVENTS, 4)
    assert extra.outcome is Outcome.PARTIAL and extra.points == pytest.approx(3.0)


def test_ordered_kendall_distance_counts_discordant_and_absent_pairs():
    assert kendall_distance([0, 1, 2], 3) == 0
    assert kendall_distance([2, 1, 0], 3) == 3
    assert kendall_distance([0, 2], 3) == 1.0  # two of three pairs hold the absent event: half each


def test_ordered_key_needs_two_distinct_items():
    for expected in (["a"], ["a", "A"], "a,b"):
        with pytest.raises(CheckerConfigError):
            make_checker("ordered").validate_expected(expected)


# --- cidr ----------------------------------------------------------------------


@pytest.mark.parametrize("given", ["10.1.0.0/16", " 10.1.0.0/255.255.0.0 ", "10.1.7.9/16"])
def test_cidr_reads_prefix_netmask_and_loose_host_bits(given):
    assert check("cidr", given, "10.1.0.0/16").outcome is Outcome.CORRECT


def test_cidr_loose_host_bits_are_named_in_the_reason():
    assert "10.1.0.0/16" in reason(check("cidr", "10.1.7.9/16", "10.1.0.0/16"))


@pytest.mark.parametrize(("given", "why"), [("10.1.0.0", "single address"), ("10.1.0.0/33", "not a network"),
                                            ("10.1.0.0/24", "prefix length"), ("10.2.0.0/16", "Not the expected"),
                                            ("fd00::/16", "IPv6")])
def test_cidr_wrong_answers_say_what_is_wrong(given, why):
    result = check("cidr", given, "10.1.0.0/16")
    assert result.outcome is Outcome.WRONG and why in reason(result)


# --- mac -----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e", "001A2B3C4D5E"])
def test_mac_any_common_notation_is_the_same_address(given):
    assert check("mac", given, "00:1A:2B:3C:4D:5E").outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["00:1a:2b:3c:4d", "00:1a-2b:3c:4d:5e", "00:1a:2b:3c:4d:5g", "001a2b3c4d5e6f"])
def test_mac_malformed_is_wrong_with_the_expected_form(given):
    result = check("mac", given, "00:1a:2b:3c:4d:5e")
    assert result.outcome is Outcome.WRONG and "12 hex digits" in reason(result)


# --- path --------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["/Docs/Invoice.pdf", "\\docs\\invoice.PDF", "C:\\Docs\\invoice.pdf",
                                   "p2:/Docs//invoice.pdf", "/dev/sda1/Docs/invoice.pdf", "Docs/./invoice.pdf/"])
def test_path_separators_prefix_case_and_slashes_do_not_matter_on_fat(given):
    assert check("path", given, "/Docs/invoice.pdf").outcome is Outcome.CORRECT


def test_path_case_matters_when_the_file_system_is_case_sensitive():
    result = check("path", "/home/Alice/notes.txt", "/home/alice/notes.txt", case_sensitive=True)
    assert result.outcome is Outcome.WRONG and "letter case" in reason(result)
    assert check("path", "/home/alice//notes.txt", "/home/alice/notes.txt", case_sensitive=True).points == 1


@pytest.mark.parametrize(("given", "why"), [("/Other/invoice.pdf", "file name is right"),
                                            ("/Docs/receipt.pdf", "folder is right"),
                                            ("/Docs/../Docs/invoice.pdf", "'..'"), ("/x", "Not the expected")])
def test_path_wrong_answers_point_at_the_part_that_is_wrong(given, why):
    assert why in reason(check("path", given, "/Docs/invoice.pdf"))


# --- offset ----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1048576", "0x100000", "1 048 576 bytes", "2048 sectors", "2048 s", "2048 секторов"])
def test_offset_reads_bytes_sectors_and_hex(given):
    assert check("offset", given, 1048576).outcome is Outcome.CORRECT


def test_offset_key_in_sectors_and_sector_size_option():
    assert check("offset", "2048", 2048, unit="sectors").points == 1
    assert check("offset", "256 sectors", 1048576, sector_size=4096).points == 1


def test_offset_unit_slip_is_named_and_reason_says_how_it_was_read():
    result = check("offset", "2048", 1048576)
    assert result.outcome is Outcome.WRONG and "other unit" in reason(result)
    assert "2048 bytes" in reason(result)


@pytest.mark.parametrize("given", ["-5", "2048 blocks", "lots", "0x"])
def test_offset_unreadable_is_wrong(given):
    assert check("offset", given, 512).outcome is Outcome.WRONG


# --- location -------------------------------------------------------------------


@pytest.mark.parametrize(("given", "kind"), [("57", "frame"), ("frame 57", "frame"), ("#57", "frame"),
                                             ("Frame: 57", "frame"), ("inode 57", "inode"), ("57-128-1", "mft"),
                                             ("MFT entry 57", "inode"), ("offset 0x39", "offset")])
def test_location_reads_its_kind_and_number(given, kind):
    assert check("location", given, 57, kind=kind).outcome is Outcome.CORRECT


def test_location_of_another_kind_is_wrong_and_the_reason_says_what_was_understood():
    result = check("location", "inode 57", 57, kind="frame")
    assert result.outcome is Outcome.WRONG
    assert "Read as inode 57" in reason(result) and "frame" in reason(result)
    assert "инод" in reason(result, "ru")


def test_location_copied_from_another_variant_is_wrong():
    assert check("location", "frame 61", 57, kind="frame").outcome is Outcome.WRONG


# --- datetime_range -----------------------------------------------------------------

SPAN = {"from": "2024-03-01T10:00:00Z", "to": "2024-03-01T11:30:00Z"}


@pytest.mark.parametrize("given", [["2024-03-01 10:00", "2024-03-01 11:30"], "2024-03-01 10:00 - 2024-03-01 11:30",
                                   "2024-03-01T10:00Z/2024-03-01T11:30Z",
                                   "from 2024-03-01 13:00+03:00 to 2024-03-01 11:30Z",
                                   "01.03.2024 10:00:30 – 01.03.2024 11:29:40"])
def test_range_reads_common_forms_within_the_tolerance(given):
    assert check("datetime_range", given, SPAN).outcome is Outcome.CORRECT


def test_range_partial_credit_is_the_overlap_share():
    result = check("datetime_range", ["2024-03-01 10:00", "2024-03-01 11:00"], SPAN, 3)
    assert result.outcome is Outcome.PARTIAL and result.points == pytest.approx(2.0)
    assert check("datetime_range", ["2024-03-01 12:00", "2024-03-01 13:00"], SPAN).points == 0


def test_range_reversed_or_single_time_is_wrong_with_a_reason():
    assert "ends before" in reason(check("datetime_range", ["2024-03-01 12:00", "2024-03-01 10:00"], SPAN))
    assert "two times" in reason(check("datetime_range", "2024-03-01 10:00", SPAN))
