"""Bank numbers that pass their own check digits: IBAN (ISO 13616 mod 97) and card numbers (Luhn).

An examiner validates an IBAN or a card number before writing it in a report
(and search tools such as bulk_extractor drop numbers that fail); a planted one
that fails teaches that the check does not matter.
"""

from __future__ import annotations

import re

from forensics_kit.builder.audit.evidence import open_zip
from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.world.bank_numbers import IBAN_LENGTHS, iban_valid, luhn_valid

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
_CARD = re.compile(r"(?<![\d-])([2-6]\d{3}(?:[ -]\d{4}){3})(?![\d-])")


def _texts(data: bytes) -> list[str]:
    texts = [data.decode("utf-8", errors="ignore")]
    if b"\x00" in data[:4096]:
        texts.append(data.decode("utf-16-le", errors="ignore"))
    return texts


def _searchable(case):
    """Blobs as text search sees them: archives are read through their members, not as raw bytes."""
    for blob in case.blobs():
        if open_zip(blob.data) is None:
            yield blob


class IbanCheckDigits(AuditRule):
    """Every IBAN-shaped string (a registry country and its length) passes the mod-97 check.

    A string of the wrong length is not taken for an IBAN at all: on compressed or
    random bytes the shape alone would give false findings.
    """

    name = "iban-check"
    title = {"en": "IBANs pass their mod-97 check digits", "ru": "IBAN проходят проверку контрольных цифр (mod 97)"}
    messages = {"bad": {"en": "IBAN {iban} fails its check digits (mod 97)",
                        "ru": "IBAN {iban} не проходит проверку контрольных цифр (mod 97)"}}

    def check(self, case):
        for blob in _searchable(case):
            seen = set()
            for text in _texts(blob.data):
                for match in _IBAN.finditer(text):
                    iban = match.group(1).strip()
                    if (IBAN_LENGTHS.get(iban[:2]) == len(iban.replace(" ", "")) and iban not in seen
                            and not iban_valid(iban)):
                        seen.add(iban)
                        yield self.finding(case, blob.evidence, blob.where, "bad", iban=iban)


class CardLuhn(AuditRule):
    """Every card number written in groups of four (``5123 4567 ...``) passes the Luhn check."""

    name = "card-luhn"
    title = {"en": "card numbers pass the Luhn check", "ru": "номера карт проходят проверку Луна"}
    messages = {"bad": {"en": "card number {card} fails the Luhn check",
                        "ru": "номер карты {card} не проходит проверку Луна"}}

    def check(self, case):
        for blob in _searchable(case):
            seen = set()
            for text in _texts(blob.data):
                text = _IBAN.sub(lambda m: " " * len(m.group(0)), text)  # an IBAN's digit groups are no card
                for match in _CARD.finditer(text):
                    card = match.group(1)
                    if card not in seen and not luhn_valid(card):
                        seen.add(card)
                        yield self.finding(case, blob.evidence, blob.where, "bad", card=card)
