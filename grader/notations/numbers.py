"""Numbers with a notation of their own: ports, IBANs and telephone numbers.

* Ports as nmap (``21/tcp open ftp``), Wireshark (``ftp (21)``), ``/etc/services`` (``ftp 21/tcp``)
  and people (``tcp/21``, ``port 21``, ``ftp``) write them; a service name counts only where it
  names one port (IANA registry).
* IBANs in print form (groups of four) or electronic form (ISO 13616), with the check digits verified.
* Telephone numbers compared as E.164 numbers: ``+7 (942) 654-30-57``, ``8 942 654 30 57``
  (Russia's trunk prefix 8), ``+79426543057``, ``007 942...``, ``tel:+7-942-654-30-57``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from grader.errors import InvalidAnswer
from grader.i18n import Message, msg
from grader.notations import Notation, Reading

__all__ = ["SERVICES", "iban_valid", "phone_e164"]

#: Service names of the IANA registry (as nmap and Wireshark print them) that name exactly one port.
SERVICES: dict[str, int] = {
    "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "time": 37, "whois": 43, "nicname": 43,
    "domain": 53, "dns": 53, "tftp": 69, "gopher": 70, "finger": 79, "http": 80, "www": 80, "www-http": 80,
    "kerberos": 88, "kerberos-sec": 88, "pop2": 109, "pop3": 110, "pop": 110, "sunrpc": 111, "rpcbind": 111,
    "ident": 113, "auth": 113, "nntp": 119, "ntp": 123, "msrpc": 135, "epmap": 135, "loc-srv": 135,
    "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161,
    "snmptrap": 162, "bgp": 179, "irc": 194, "ldap": 389, "https": 443, "microsoft-ds": 445, "smb": 445,
    "kpasswd": 464, "isakmp": 500, "submissions": 465, "smtps": 465, "urd": 465, "exec": 512, "rexec": 512,
    "login": 513, "shell": 514, "syslog": 514, "printer": 515, "lpd": 515, "submission": 587, "ipp": 631,
    "ldaps": 636, "rsync": 873, "ftps": 990, "imaps": 993, "pop3s": 995, "socks": 1080, "openvpn": 1194,
    "ms-sql-s": 1433, "mssql": 1433, "oracle": 1521, "pptp": 1723, "radius": 1812, "nfs": 2049,
    "mysql": 3306, "ms-wbt-server": 3389, "rdp": 3389, "svn": 3690, "sip": 5060, "sips": 5061,
    "postgresql": 5432, "postgres": 5432, "amqp": 5672, "vnc": 5900, "x11": 6000, "irc-alt": 6667,
    "http-proxy": 8080, "http-alt": 8080, "https-alt": 8443, "redis": 6379, "mongodb": 27017, "mongod": 27017,
    "elasticsearch": 9200, "memcache": 11211, "memcached": 11211, "git": 9418, "xmpp-client": 5222,
    "jabber": 5222, "xmpp-server": 5269, "mqtt": 1883, "ms-term-serv": 3389, "domain-s": 853, "dot": 853,
}
_PROTOCOLS = ("tcp", "udp", "sctp")
_PORT_FORMS = (
    re.compile(r"(?P<port>\d{1,5})\s*/\s*(?P<proto>tcp|udp|sctp)(?:\s+(?:open|filtered|closed|open\|filtered)\b.*)?"),
    re.compile(r"(?P<proto>tcp|udp|sctp)\s*[/: ]\s*(?P<port>\d{1,5})"),
    re.compile(r"(?:port\s*|порт\s*)?:?(?P<port>\d{1,5})(?:\s*\((?P<svc>[\w-]+)\))?"),
    re.compile(r"(?P<svc>[a-z][\w-]*)\s*\(\s*(?P<port>\d{1,5})(?:\s*/\s*(?P<proto>tcp|udp|sctp))?\s*\)"),
    re.compile(r"(?P<svc>[a-z][\w-]*)\s+(?P<port>\d{1,5})\s*/\s*(?P<proto>tcp|udp|sctp)"),  # /etc/services
    re.compile(r"(?P<svc>[a-z][\w-]*)(?:\s*/\s*(?P<proto>tcp|udp|sctp))?"),
)


class PortNotation(Notation):
    """A TCP/UDP port; the canonical form is the number.

    Options:
        protocol (text, default ``""``: any): ``tcp`` or ``udp``; an answer naming the other one is wrong.
    """

    name = "port"
    options = {"protocol": ""}
    labels = False

    def read(self, text: str) -> Reading:
        lowered = " ".join(re.sub(r"\b(?:port|порт)\b\s*(?:no\.?|number|номер)?", " ", text.casefold()).split())
        lowered = re.sub(r"^(tcp|udp|sctp)\s+(\d)", r"\1 \2", lowered)
        lowered = re.sub(r"^(\d{1,5})\s+(tcp|udp|sctp)$", r"\1/\2", lowered).lstrip(": ")  # "21 tcp", "Port: 21"
        for pattern in _PORT_FORMS:
            match = pattern.fullmatch(lowered)
            if not match:
                continue
            groups = match.groupdict()
            number = groups.get("port")
            service = groups.get("svc")
            if number is None:
                if service not in SERVICES:
                    raise InvalidAnswer(msg("port.unknown_service"))
                number = str(SERVICES[service])
            port = int(number)
            if not 0 <= port <= 65535:
                raise InvalidAnswer(msg("port.invalid"))
            if service and number and service in SERVICES and SERVICES[service] != port:
                raise InvalidAnswer(msg("port.invalid"))
            protocol = groups.get("proto") or ""
            note = msg("port.read", port=port) if str(port) != lowered else None
            return Reading(str(port), note, extra=(("protocol", protocol),))
        raise InvalidAnswer(msg("port.invalid"))

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        return None

    def protocol_slip(self, given: Reading) -> Message | None:
        """A reason when the answer names a protocol other than the key's."""
        want = str(self.settings.get("protocol") or "")
        got = given.get("protocol") or ""
        if want and got and got != want:
            return msg("port.protocol", want=want.upper())
        return None


def iban_valid(iban: str) -> bool:
    """ISO 7064 MOD 97-10 check of an IBAN in electronic form."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


class IbanNotation(Notation):
    """An IBAN: spaces, dashes, an ``IBAN`` prefix and letter case do not count (ISO 13616 print form)."""

    name = "iban"

    def read(self, text: str) -> Reading:
        compact = re.sub(r"[\s\-.]", "", text).upper()
        compact = re.sub(r"^IBAN:?", "", compact)
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
            raise InvalidAnswer(msg("iban.invalid"))
        return Reading(compact)

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        if not iban_valid(given.value):
            return msg("iban.checksum")
        if all(len(given.value) != len(e.value) for e in expected):
            return msg("iban.length")
        return None


#: Country calling codes of one and two digits (ITU E.164 assignments); others have three.
_SHORT_CODES = {"1", "7"} | {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
    "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
    "86", "90", "91", "92", "93", "94", "95", "98",
}
#: Trunk (national) prefixes dialled before a national number; most countries use 0.
_TRUNK = {"7": ("8",), "1": ("1",), "39": (), "34": (), "45": (), "47": (), "30": (), "351": (), "352": (),
          "372": (), "371": ("8",), "375": ("8",), "380": ("0",), "36": ("06",), "52": ("01",)}
#: International call prefixes besides 00 (Russia's former 8-10, the US 011).
_INTERNATIONAL = ("00", "810", "011")


def split_e164(number: str) -> tuple[str, str]:
    """``+79426543057`` -> (``7``, ``9426543057``)."""
    digits = number.lstrip("+")
    for size in (1, 2, 3):
        if digits[:size] in _SHORT_CODES or size == 3:
            return digits[:size], digits[size:]
    return digits[:3], digits[3:]


def phone_e164(text: str, country: str, national_length: int | None) -> str | None:
    """``text`` as ``+<digits>``, reading national forms for ``country``; None if it cannot be one."""
    text = re.sub(r"^(?:tel|phone|тел|телефон)\.?:?\s*", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s*(?:ext\.?|доб\.?|x)\s*\d+$", "", text, flags=re.IGNORECASE)
    if not re.fullmatch(r"\+?[\d\s().\-/]{6,}", text):
        return None
    plus = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if plus:
        return "+" + digits
    for prefix in _INTERNATIONAL:
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 8:
            rest = digits[len(prefix):]
            if not country or rest.startswith(country) or prefix == "00":
                return "+" + rest
    if country:
        if national_length is not None and len(digits) == national_length:
            return f"+{country}{digits}"
        for trunk in _TRUNK.get(country, ("0",)):
            if digits.startswith(trunk) and (national_length is None or len(digits) - len(trunk) == national_length):
                return f"+{country}{digits[len(trunk):]}"
        if digits.startswith(country) and (national_length is None or len(digits) - len(country) == national_length):
            return "+" + digits
    return "+" + digits if len(digits) >= 10 else None


class PhoneNotation(Notation):
    """A telephone number compared as an E.164 number, whatever its grouping or national prefix.

    Options:
        country (text, default ``""``: that of the expected number): calling code for national forms.
    """

    name = "phone"
    options = {"country": ""}
    labels = False

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.country = str(self.settings.get("country") or "").lstrip("+")
        self.national: int | None = None

    def expect(self, text: str) -> Reading:
        """Read an expected number (international form) and learn its country and length."""
        value = phone_e164(text, str(self.settings.get("country") or "").lstrip("+"), None)
        if value is None or not text.strip().startswith(("+", "00")) and not self.settings.get("country"):
            raise InvalidAnswer(msg("phone.invalid"))
        code, national = split_e164(value)
        # The key's country if it names one, else the expected number's (learnt anew for each expected value).
        self.country = str(self.settings.get("country") or "").lstrip("+") or code
        self.national = len(national)
        return Reading(value)

    def read(self, text: str) -> Reading:
        value = phone_e164(text, self.country, self.national)
        if value is None:
            raise InvalidAnswer(msg("phone.invalid"))
        note = msg("phone.read", number=value) if re.sub(r"[^\d+]", "", text) != value else None
        return Reading(value, note)

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        for e in expected:
            if given.value[-len(split_e164(e.value)[1]):] == split_e164(e.value)[1]:
                return msg("phone.country")
        return None


#: DNS resource record types (IANA registry): mnemonic -> number.
DNS_TYPES: dict[str, int] = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MB": 7, "MG": 8, "MR": 9, "NULL": 10, "WKS": 11, "PTR": 12,
    "HINFO": 13, "MINFO": 14, "MX": 15, "TXT": 16, "RP": 17, "AFSDB": 18, "SIG": 24, "KEY": 25, "AAAA": 28,
    "LOC": 29, "SRV": 33, "NAPTR": 35, "KX": 36, "CERT": 37, "DNAME": 39, "OPT": 41, "APL": 42, "DS": 43,
    "SSHFP": 44, "IPSECKEY": 45, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "DHCID": 49, "NSEC3": 50,
    "NSEC3PARAM": 51, "TLSA": 52, "SMIMEA": 53, "HIP": 55, "CDS": 59, "CDNSKEY": 60, "OPENPGPKEY": 61,
    "CSYNC": 62, "ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "SPF": 99, "TKEY": 249, "TSIG": 250, "IXFR": 251,
    "AXFR": 252, "ANY": 255, "URI": 256, "CAA": 257,
}
_DNS_NAMES = {number: name for name, number in DNS_TYPES.items()}


class DnsTypeNotation(Notation):
    """A DNS record type by mnemonic or number: ``TXT``, ``16``, ``TYPE16`` (RFC 3597), tshark's
    ``Type: TXT (Text strings) (16)``, dig's ``IN TXT``."""

    name = "dns_type"
    labels = False

    def read(self, text: str) -> Reading:
        upper = re.sub(r"^(?:TYPE|RR TYPE|RECORD TYPE|ТИП)\s*:\s*", "", text.strip().upper())
        upper = re.sub(r"^IN\s+", "", upper)
        match = re.fullmatch(r"([A-Z][A-Z0-9]*)(?:\s*\([^()]*\))?(?:\s*\((\d+)\))?(?:\s+RECORDS?)?", upper)
        if match and match.group(1) in DNS_TYPES:
            number = DNS_TYPES[match.group(1)]
            if match.group(2) and int(match.group(2)) != number:
                raise InvalidAnswer(msg("dns_type.invalid"))
            return Reading(str(number))
        match = re.fullmatch(r"(?:TYPE)?(\d{1,5})", upper)
        if match and int(match.group(1)) < 65536:
            return Reading(str(int(match.group(1))))
        raise InvalidAnswer(msg("dns_type.invalid"))
