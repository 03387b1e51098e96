"""Property tests for the forensic answer types: normalising is idempotent, wrong values never pass."""

from __future__ import annotations

import ipaddress

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader import Outcome, make_checker  # noqa: E402

FAST = settings(max_examples=80, deadline=None)
HEX = "0123456789abcdef"
MACS = st.text(HEX, min_size=12, max_size=12)
NAMES = st.text("abcdefghijXYZ_-.0123456789", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
PATHS = st.lists(NAMES, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


def _mac_forms(digits: str) -> list[str]:
    pairs = [digits[i:i + 2] for i in range(0, 12, 2)]
    return [":".join(pairs), "-".join(pairs).upper(), f"{digits[:4]}.{digits[4:8]}.{digits[8:]}", digits.upper()]


@FAST
@given(digits=MACS, other=MACS)
def test_mac_normalising_is_idempotent_and_another_address_never_passes(digits, other):
    checker = make_checker("mac")
    for form in _mac_forms(digits):
        once = checker.normalize(form)
        assert checker.normalize(once) == once
        assert checker.check(form, digits, 1).outcome is Outcome.CORRECT
    assume(other != digits)
    assert checker.check(other, digits, 1).outcome is not Outcome.CORRECT


@FAST
@given(path=PATHS, other=PATHS, backslash=st.booleans(), prefix=st.sampled_from(["", "C:", "p2:", "/dev/sda1"]))
def test_path_normalising_is_idempotent_and_another_path_never_passes(path, other, backslash, prefix):
    checker = make_checker("path")
    written = prefix + (path.replace("/", "\\") if backslash else path)
    once = checker.normalize(written)
    assert checker.normalize(once) == once
    assert checker.check(written, path, 1).outcome is Outcome.CORRECT
    assume(other.casefold() != path.casefold())
    assert checker.check(other, path, 1).outcome is not Outcome.CORRECT


@FAST
@given(address=st.integers(0, 2**32 - 1), prefix=st.integers(0, 32), other=st.integers(0, 2**32 - 1))
def test_cidr_normalising_is_idempotent_and_another_network_never_passes(address, prefix, other):
    checker = make_checker("cidr")
    network = ipaddress.ip_network(f"{ipaddress.ip_address(address)}/{prefix}", strict=False)
    once = checker.normalize(f"{ipaddress.ip_address(address)}/{prefix}")
    assert once == network and checker.normalize(str(once)) == once
    wrong = ipaddress.ip_network(f"{ipaddress.ip_address(other)}/{prefix}", strict=False)
    assume(wrong != network)
    assert checker.check(str(wrong), str(network), 1).outcome is not Outcome.CORRECT


@FAST
@given(number=st.integers(0, 2**40), unit=st.sampled_from(["bytes", "sectors"]), delta=st.integers(1, 10**6))
def test_offset_normalising_is_idempotent_and_other_offsets_never_pass(number, unit, delta):
    checker = make_checker("offset", {"unit": unit})
    once = checker.normalize(str(number))
    assert checker.normalize(once) == once
    assert checker.check(hex(number), number, 1).outcome is Outcome.CORRECT
    assert checker.check(str(number + delta), number, 1).outcome is not Outcome.CORRECT


@FAST
@given(number=st.integers(0, 10**7), kind=st.sampled_from(["inode", "mft", "offset", "frame"]),
       delta=st.integers(1, 99))
def test_location_normalising_is_idempotent_and_other_locations_never_pass(number, kind, delta):
    checker = make_checker("location", {"kind": kind})
    once = checker.normalize(f"{kind} {number}")
    assert checker.normalize(once) == once == f"{kind}:{number}"
    assert checker.check(number + delta, number, 1).outcome is not Outcome.CORRECT


@FAST
@given(order=st.permutations(list(range(6))))
def test_ordered_credit_is_bounded_and_full_only_for_the_right_order(order):
    expected = [f"e{i}" for i in range(6)]
    answer = [f"e{i}" for i in order]
    checker = make_checker("ordered")
    assert checker.normalize(checker.normalize(answer)) == checker.normalize(answer)
    result = checker.check(answer, expected, 3)
    assert 0 <= result.points <= 3
    assert (result.outcome is Outcome.CORRECT) == (answer == expected)


@FAST
@given(start=st.integers(0, 10**6), length=st.integers(0, 10**5), shift=st.integers(-(10**5), 10**5))
def test_range_credit_is_bounded_and_normalising_idempotent(start, length, shift):
    checker = make_checker("datetime_range", {"tolerance": 0})
    base = 1_700_000_000
    expected = [base + start, base + start + length]
    answer = [str(base + start + shift), str(base + start + length + shift)]
    once = checker.normalize(answer)
    assert checker.normalize(once) == once
    result = checker.check(answer, [_iso(x) for x in expected], 1)
    assert 0 <= result.points <= 1
    assert (result.outcome is Outcome.CORRECT) == (shift == 0)


def _iso(epoch: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat()


KEYS = {"ordered": ["a", "b", "c"], "cidr": "10.0.0.0/8", "mac": "aa:bb:cc:dd:ee:ff", "path": "/a/b",
        "offset": 512, "location": 12, "datetime_range": ["2024-03-01T10:00Z", "2024-03-01T11:00Z"]}
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@FAST
@given(type_=st.sampled_from(sorted(KEYS)), answer=JSONISH)
def test_any_answer_to_a_forensic_type_gives_a_bounded_result_and_never_raises(type_, answer):
    result = make_checker(type_).check(answer, KEYS[type_], 2)
    assert 0.0 <= result.points <= result.max_points == 2.0
    assert (result.points == 2.0) == (result.outcome is Outcome.CORRECT)
    assert result.reason.render("en") and result.reason.render("ru")
