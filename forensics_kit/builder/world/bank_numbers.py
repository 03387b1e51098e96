"""Bank numbers as banks make them: IBAN check digits (ISO 13616, mod 97) and card Luhn digits.

Shared by the parameter types that draw them and the audit rules that check them.
"""

from __future__ import annotations

# IBAN lengths of the SWIFT registry, for the countries a case may plausibly use.
IBAN_LENGTHS = {
    "AT": 20, "AZ": 28, "AE": 23, "BE": 16, "BG": 22, "BY": 28, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GE": 22, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IT": 27, "KZ": 20, "LT": 20, "LU": 20, "LV": 21, "MT": 31, "NL": 18, "NO": 15,
    "PL": 28, "PT": 25, "RO": 24, "RS": 22, "SE": 24, "SI": 19, "SK": 24, "TR": 26, "UA": 29,
}


def _as_digits(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text))


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits that make ``country`` + digits + ``bban`` a valid IBAN."""
    return f"{98 - _as_digits(bban + country + '00') % 97:02d}"


def iban_valid(iban: str) -> bool:
    """True when ``iban`` (spaces allowed) has its registry length and mod-97 remainder 1."""
    compact = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    return _as_digits(compact[4:] + compact[:4]) % 97 == 1


def print_format(compact: str) -> str:
    """An IBAN or card number in groups of four, as printed on paper (``DE89 3704 0044 ...``)."""
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def luhn_digit(partial: str) -> str:
    """The Luhn check digit to append to the digits of ``partial``."""
    digits = [int(d) for d in partial if d.isdigit()]
    total = sum(d * 2 - 9 if i % 2 == 0 and d > 4 else d * 2 if i % 2 == 0 else d
                for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` pass the Luhn check."""
    digits = [d for d in number if d.isdigit()]
    return bool(digits) and luhn_digit("".join(digits[:-1])) == digits[-1]
