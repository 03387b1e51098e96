"""Hash answers (``hash``): MD5, SHA-1, SHA-256 or SHA-512 as hex digits.

Tools print hashes in many ways (upper case, ``sha256:`` prefixes, bytes split
by colons or spaces); all are read as the same digits. The length tells the
algorithm, so a trainee who hashed with the wrong one is told which they used.
"""

from __future__ import annotations

import re

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["HashChecker"]

#: Hex digits per algorithm, and the name a trainee knows it by.
ALGORITHMS: dict[str, tuple[int, str]] = {
    "md5": (32, "MD5"),
    "sha1": (40, "SHA-1"),
    "sha256": (64, "SHA-256"),
    "sha512": (128, "SHA-512"),
}
_BY_LENGTH = {digits: algo for algo, (digits, _) in ALGORITHMS.items()}
_PREFIX = re.compile(r"(?i)^(md5|sha-?1|sha-?256|sha-?512)\s*[:=]?\s*")
_SEPARATORS = re.compile(r"[\s:]")
_HEX = re.compile(r"[0-9a-f]+")
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,128}(?![0-9A-Za-z])")
_SPACED_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{2}(?:[ :][0-9A-Fa-f]{2}){15,63}(?![0-9A-Za-z])")  # certutil


class HashChecker(Checker):
    """A hash; ``expected`` is hex text, or a mapping ``{md5: ..., sha1: ..., sha256: ...}``.

    Options:
        accept (list of algorithm names, default: the algorithm of an expected
            string, or ``[sha256]`` for a mapping): which algorithms earn marks.
    """

    name = "hash"
    options = {"accept": None}

    def normalize(self, value: object) -> str:
        """Lower-case hex digits without prefix or separators (length not checked).

        A whole line as a tool prints it is read too when it holds exactly one hash:
        ``md5sum``/``sha256sum`` (``<hash>  file``), BSD (``SHA256 (file) = <hash>``),
        ``ewfinfo``/``ewfverify`` (``MD5: <hash>``), PowerShell ``Get-FileHash`` and ``certutil``.
        """
        raw = as_text(value, "kind.hash", numbers=False)
        if len(raw) > 4096:
            raise InvalidAnswer(msg("answer.too_long", limit=4096))
        text = _PREFIX.sub("", raw)
        digits = _SEPARATORS.sub("", text).lower()
        if _HEX.fullmatch(digits):
            return digits
        runs = [r.lower() for r in _HEX_RUN.findall(raw) if len(r) in _BY_LENGTH]
        spaced = [_SEPARATORS.sub("", r).lower() for r in _SPACED_RUN.findall(raw)]
        found = set(runs) | {r for r in spaced if len(r) in _BY_LENGTH}
        if len(found) == 1:
            return found.pop()
        raise InvalidAnswer(msg("hash.not_hex"))

    def prepare_expected(self, expected: object) -> dict[str, str]:
        if isinstance(expected, dict):
            hashes = {
                _algorithm_name(self, str(k)): self._expected_hex(v) for k, v in expected.items()
            }
            for algo, digits in hashes.items():
                if _BY_LENGTH.get(len(digits)) != algo:
                    raise self._config_error(
                        f"expected {algo} has {len(digits)} hex digits, not {ALGORITHMS[algo][0]}"
                    )
            default_accept = ["sha256"]
        else:
            digits = self._expected_hex(expected)
            if len(digits) not in _BY_LENGTH:
                raise self._config_error(f"expected hash has {len(digits)} hex digits, "
                                         "not the length of MD5, SHA-1, SHA-256 or SHA-512")
            hashes = {_BY_LENGTH[len(digits)]: digits}
            default_accept = list(hashes)
        accept = self._accept() or default_accept
        missing = [algo for algo in accept if algo not in hashes]
        if missing:
            have = ", ".join(sorted(hashes)) or "none"
            raise self._config_error(f"accept lists '{missing[0]}' but the key has only {have}")
        return {algo: hashes[algo] for algo in accept}

    def score(self, given: object, expected: dict[str, str], max_points: float) -> CheckResult:
        digits = self.normalize(given)
        algo = _BY_LENGTH.get(len(digits))
        if algo is None:
            return wrong(max_points, msg("hash.bad_length", digits=len(digits)))
        if algo not in expected:
            wanted = [ALGORITHMS[a][1] for a in expected]
            return wrong(max_points, msg("hash.wrong_algorithm", digits=len(digits),
                                         algorithm=ALGORITHMS[algo][1], wanted=wanted))
        if digits == expected[algo]:
            return correct(max_points)
        return wrong(max_points, msg("hash.wrong"))

    def _check_options(self) -> None:
        accept = self.settings["accept"]
        if accept is None:
            return
        if isinstance(accept, str):
            accept = [accept]
        if not isinstance(accept, list) or not accept:
            raise self._config_error(f"option 'accept' must list algorithms, not {accept!r}")
        self.settings["accept"] = [_algorithm_name(self, str(a)) for a in accept]

    def _accept(self) -> list[str] | None:
        return self.settings["accept"]  # type: ignore[return-value]

    def _expected_hex(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._config_error(f"expected hash must be hex text, not {value!r}")
        try:
            return self.normalize(value)
        except InvalidAnswer:
            raise self._config_error(f"expected hash {value!r} is not hex") from None


def _algorithm_name(checker: Checker, name: str) -> str:
    """``SHA-256``/``sha_256``/``sha256`` -> ``sha256``; unknown names are key errors."""
    key = re.sub(r"[-_\s]", "", name).lower()
    if key not in ALGORITHMS:
        known = ", ".join(ALGORITHMS)
        raise checker._config_error(f"unknown hash algorithm '{name}' (known: {known})")
    return key
