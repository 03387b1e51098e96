"""The ``set``, ``hash`` and ``ip`` answer types."""

from __future__ import annotations

import pytest

from grader import CheckerConfigError, Outcome, make_checker

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
IPS = ["10.0.0.5", "10.0.0.7", "192.168.1.20", "2001:db8::1"]


def check(type_: str, given: object, expected: object, points: float = 1.0, **options: object):
    return make_checker(type_, options).check(given, expected, points)


# --- set -------------------------------------------------------------------------


def test_set_all_items_in_any_order_and_case_is_correct():
    result = check("set", ["C.txt", "a.txt", "B.TXT"], ["a.txt", "b.txt", "c.txt"], 3)
    assert (result.outcome, result.points) == (Outcome.CORRECT, 3.0)


def test_set_answer_with_missing_items_gets_partial_credit():
    result = check("set", ["a", "b"], ["a", "b", "c", "d"], 4)
    assert (result.outcome, result.points) == (Outcome.PARTIAL, 2.0)
    assert result.reason.render("en") == "2 of 4 items right."


def test_set_misspelled_item_costs_one_item_not_two():
    result = check("set", "a, b, c, x", ["a", "b", "c", "d"], 4)
    assert (result.outcome, result.points) == (Outcome.PARTIAL, 3.0)
    assert result.reason.render("en").startswith("3 of 4 items right. 1 item that should not be there.")


def test_set_extra_items_beyond_the_missing_ones_cost_the_penalty():
    result = check("set", "a, b, c, d, x", ["a", "b", "c", "d"], 4)
    assert (result.outcome, result.points) == (Outcome.PARTIAL, 3.0)
    two_extra = check("set", "a, b, c, x, y", ["a", "b", "c", "d"], 4)
    assert two_extra.points == 2.0  # x in place of d costs d; y costs one right item


def test_set_listing_everything_earns_nothing():
    expected = ["a", "b"]
    result = check("set", ["a", "b", "c", "d", "e"], expected, 2)
    assert (result.outcome, result.points) == (Outcome.WRONG, 0.0)


def test_set_penalty_option_scales_the_cost_of_extra_items():
    result = check("set", ["a", "b", "c", "d", "x", "y"], ["a", "b", "c", "d"], 4, penalty=0.5)
    assert result.points == 3.0
    no_penalty = check("set", ["a", "b", "x"], ["a", "b"], 2, penalty=0)
    assert (no_penalty.outcome, no_penalty.points) == (Outcome.PARTIAL, 2.0)


def test_set_duplicates_count_once_and_never_exceed_max_points():
    result = check("set", ["a", "A", " a ", "b"], ["a", "b"], 2)
    assert (result.outcome, result.points) == (Outcome.CORRECT, 2.0)
    partial = check("set", ["a", "a", "a"], ["a", "b"], 2)
    assert partial.points == 1.0 and "counted once" in partial.reason.render("en")


def test_set_reads_newline_and_semicolon_separated_text():
    assert check("set", "a\nb;c\n", ["a", "b", "c"]).outcome is Outcome.CORRECT


def test_set_of_ips_compares_addresses_by_value():
    given = ["10.0.0.5", "10.0.0.7", "192.168.1.20", "2001:DB8:0:0::1"]
    assert check("set", given, IPS, item_type="ip").outcome is Outcome.CORRECT


def test_set_unreadable_items_count_against_the_answer():
    result = check("set", ["10.0.0.5", "10.0.0.7", "not-an-ip"], IPS, 4, item_type="ip")
    assert result.points == 2.0  # the unreadable item stands in for a missing one
    beyond = check("set", [*IPS, "not-an-ip"], IPS, 4, item_type="ip")
    assert beyond.points == 3.0
    assert "could not be read as an IP address" in result.reason.render("en")
    assert "Не читаются как IP-адрес: 1 элемент." in result.reason.render("ru")


def test_set_of_hashes_and_integers_normalise_items():
    hashes = check("set", [MD5.upper(), "sha1:" + SHA1], [MD5, SHA1], item_type="hash")
    assert hashes.outcome is Outcome.CORRECT
    numbers = check("set", "1 024, 0x10", [16, 1024], item_type="integer")
    assert numbers.outcome is Outcome.CORRECT


def test_set_expected_must_be_a_non_empty_list_of_distinct_valid_items():
    for bad in ([], "a,b", ["a", "A"]):
        with pytest.raises(CheckerConfigError):
            make_checker("set").validate_expected(bad)
    with pytest.raises(CheckerConfigError, match="not a valid ip"):
        make_checker("set", {"item_type": "ip"}).validate_expected(["10.0.0.1", "10.0.0"])


def test_set_of_only_separators_is_missing():
    assert check("set", " , ;\n", ["a"]).outcome is Outcome.MISSING


# --- hash --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [SHA256, SHA256.upper(), f"  {SHA256}\n", "sha256:" + SHA256, "SHA-256: " + SHA256,
     ":".join(SHA256[i : i + 2] for i in range(0, 64, 2)),
     " ".join(SHA256[i : i + 8] for i in range(0, 64, 8))],
)
def test_hash_ignores_case_prefix_and_byte_separators(given):
    assert check("hash", given, SHA256).outcome is Outcome.CORRECT


def test_hash_of_another_algorithm_says_which_one_it_is():
    result = check("hash", SHA1, SHA256)
    assert result.outcome is Outcome.WRONG
    assert result.reason.render("en") == (
        "The hash has 40 hex digits: that is SHA-1, the question asks for SHA-256."
    )
    assert "это SHA-1, а в вопросе нужен SHA-256" in result.reason.render("ru")


def test_hash_of_unusual_length_asks_if_it_was_cut_short():
    result = check("hash", SHA256[:60], SHA256)
    assert result.reason.key == "hash.bad_length" and result.reason.params["digits"] == 60


def test_hash_with_non_hex_characters_is_wrong_with_a_reason():
    assert check("hash", f"{SHA256}  evidence.dd", SHA256).outcome is Outcome.CORRECT  # a sha256sum line
    result = check("hash", "zz" + SHA256[2:], SHA256)
    assert result.reason.key == "hash.not_hex"


def test_hash_same_length_but_different_digits_is_wrong():
    result = check("hash", "0" * 64, SHA256)
    assert result.outcome is Outcome.WRONG and result.reason.key == "hash.wrong"


def test_hash_mapping_accepts_sha256_by_default_and_others_when_listed():
    expected = {"md5": MD5, "sha1": SHA1, "sha256": SHA256}
    assert check("hash", SHA256, expected).outcome is Outcome.CORRECT
    assert check("hash", MD5, expected).reason.key == "hash.wrong_algorithm"
    for given in (MD5, SHA256):
        assert check("hash", given, expected, accept=["md5", "SHA-256"]).outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    ("expected", "options"),
    [("xyz", {}), (SHA256[:50], {}), ({"sha256": MD5}, {}), ({"md5": MD5}, {}),
     (SHA256, {"accept": ["md5"]}), (42, {})],
)
def test_hash_bad_key_is_a_config_error(expected, options):
    with pytest.raises(CheckerConfigError, match="checker 'hash'"):
        make_checker("hash", options).validate_expected(expected)


# --- ip --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("10.0.0.5", "10.0.0.5"), (" 10.0.0.5 ", "10.0.0.5"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
     ("::ffff:10.0.0.5", "10.0.0.5"), ("[2001:db8::1]", "2001:db8::1")],
)
def test_ip_compares_addresses_by_value(given, expected):
    assert check("ip", given, expected).outcome is Outcome.CORRECT


def test_ip_with_leading_zeros_is_refused_as_ambiguous():
    result = check("ip", "010.000.000.005", "10.0.0.5")
    assert result.outcome is Outcome.WRONG and result.reason.key == "ip.leading_zeros"


@pytest.mark.parametrize(
    ("given", "key"),
    [("10.0.0.256", "ip.invalid"), ("10.0.0", "ip.invalid"), ("host.local", "ip.invalid"),
     ("10.0.0.0/24", "ip.network"), ("2001:db8::1", "ip.wrong_version"), ("10.0.0.6", "ip.wrong")],
)
def test_ip_wrong_answers_say_what_is_wrong(given, key):
    assert check("ip", given, "10.0.0.5").reason.key == key


def test_ip_number_is_not_an_address():
    assert check("ip", 167772165, "10.0.0.5").reason.key == "answer.wrong_kind"


def test_ip_invalid_expected_is_a_config_error():
    with pytest.raises(CheckerConfigError):
        make_checker("ip").validate_expected("10.0.0.300")
