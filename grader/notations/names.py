"""Names: free text, passwords, account names, host names, mailboxes, URLs and request URIs.

Letter case follows the system the value comes from: passwords, Unix account names and URL
paths are case-sensitive; DNS names, e-mail domains and Windows accounts are not (RFC 4343,
RFC 5321 section 2.4, RFC 3986 section 6.2.2.1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from grader.errors import InvalidAnswer
from grader.i18n import Message, msg
from grader.notations import Notation, Reading

if TYPE_CHECKING:
    from urllib.parse import SplitResult

__all__ = ["canonical_host"]


def urlsplit(text: str) -> SplitResult:
    """urllib.parse.urlsplit, imported on first use (with ipaddress, ~2 ms of ``lab check`` start-up)."""
    from urllib.parse import urlsplit as split

    return split(text)


def unquote(text: str) -> str:
    """urllib.parse.unquote, imported on first use."""
    from urllib.parse import unquote as plain

    return plain(text)


_HOST_CHARS = re.compile(r"[\w*-]+(?:\.[\w*-]+)*", re.UNICODE)
_DIG = re.compile(r"^(\S+?)\.?\s+\d+\s+(?:IN|CH|HS)\s+[A-Z0-9]+(?:\s.*)?$", re.IGNORECASE)
_TSHARK_QUERY = re.compile(r"^(\S+?):\s+type\s+\w+.*$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_UNRESERVED = "-._~"
_REQUEST_LINE = re.compile(r"(?:GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|PROPFIND|CONNECT)\s+(\S+)"
                           r"(?:\s+HTTP/\d(?:\.\d)?)?", re.IGNORECASE)


class TextNotation(Notation):
    """Free text (a program, a model, an encoding): whitespace collapsed, case ignored unless the key says."""

    name = "text"
    labels = "field"  # exiftool's "Camera Model Name : SM-A525F", ewfinfo's "Examiner name: ..."

    def read(self, text: str) -> Reading:
        return Reading(self.fold(text))


class IdentifierNotation(Notation):
    """A number or code written on something (seal, case, contract): a label before it and spaces inside are ignored."""

    name = "identifier"

    def read(self, text: str) -> Reading:
        return Reading(self.fold(re.sub(r"[\s]+", "", text)))


class PasswordNotation(Notation):
    """A password: every character counts, case too; only surrounding quotes or a label are dropped."""

    name = "password"
    case_sensitive = True

    def read(self, text: str) -> Reading:
        return Reading(self.fold(text))


class UsernameNotation(Notation):
    """A Unix account name (case-sensitive), also read from ``id`` output, a passwd line, ``user@host`` or ``~user``."""

    name = "username"
    case_sensitive = True
    options = {"container_credit": 0.5}

    def read(self, text: str) -> Reading:
        match = re.fullmatch(r"uid=\d+\(([^)\s]+)\).*", text)
        if match:
            return Reading(self.fold(match.group(1)), msg("name.read_as", value=match.group(1)))
        match = re.fullmatch(r"([^:\s]+):[^:]*:\d+:\d+:.*", text)
        if match:
            return Reading(self.fold(match.group(1)), msg("name.read_as", value=match.group(1)))
        match = re.fullmatch(r"([A-Za-z0-9._-]+)@[A-Za-z0-9.-]+", text)
        if match:
            return Reading(self.fold(match.group(1)), msg("name.read_as", value=match.group(1)))
        match = re.fullmatch(r"/home/([^/\s]+)/?", text)
        if match:
            return Reading(self.fold(match.group(1)), asked=msg("asked.user_name"))
        if text.startswith("~") and len(text) > 1 and "/" not in text:
            return Reading(self.fold(text[1:]))
        return Reading(self.fold(text))


class WindowsUserNotation(Notation):
    """A Windows account: case-insensitive; ``DOMAIN\\user`` and ``user@domain`` are read as the user."""

    name = "windows_user"

    def read(self, text: str) -> Reading:
        match = re.fullmatch(r"[^\\\s]+\\([^\\]+)", text) or re.fullmatch(r"([^@\s]+)@[\w.-]+", text)
        if match:
            return Reading(self.fold(match.group(1)), msg("name.read_as", value=match.group(1)))
        return Reading(self.fold(text))


class UsbDeviceNotation(Notation):
    """A USB storage device as Windows names it: vendor and product, case and underscores ignored.

    USBSTOR's key ``Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP``, its FriendlyName
    ``Kingston DataTraveler 3.0 USB Device`` and ``Kingston DataTraveler 3.0`` are one device.
    """

    name = "usb_device"

    def read(self, text: str) -> Reading:
        parts = {k.lower(): v for k, v in re.findall(r"(Ven|Prod)_([^&#\\]*)", text, flags=re.IGNORECASE)}
        note = None
        if "ven" in parts and "prod" in parts:
            text = f"{parts['ven']} {parts['prod']}"
            note = msg("name.read_as", value=re.sub(r"[\s_]+", " ", text).strip())
        else:
            text = re.sub(r"\s+USB\s+Device$", "", text, flags=re.IGNORECASE)
        return Reading(self.fold(re.sub(r"[\s_]+", " ", text).strip()), note)


class UsbSerialNotation(Notation):
    """A USB device's serial number: USBSTOR's instance ``<serial>&0`` (the LUN appended) is the serial; any case."""

    name = "usb_serial"

    def read(self, text: str) -> Reading:
        match = re.fullmatch(r"(\S+)&\d", text.strip())
        if match:
            return Reading(self.fold(match[1]), msg("name.read_as", value=match[1]))
        return Reading(self.fold(text.strip()))


class VolumeSerialNotation(Notation):
    """A volume serial number: ``3A7C-91F0`` as Windows prints it, ``0x3a7c91f0`` (fsstat, lnkinfo), ``3A7C91F0``."""

    name = "volume_serial"

    def read(self, text: str) -> Reading:
        digits = re.sub(r"^0x", "", text.strip().replace("-", "").replace(" ", ""), flags=re.IGNORECASE)
        if not re.fullmatch(r"[0-9A-Fa-f]{8}", digits):
            return Reading(self.fold(text.strip()))
        return Reading(f"{digits[:4]}-{digits[4:]}".upper())


def canonical_host(text: str) -> str | None:
    """A DNS name in lower case, without the root's trailing dot, IDNA decoded; None if not a host name."""
    text = text.strip().rstrip(".")
    if not text or not _HOST_CHARS.fullmatch(text):
        return None
    labels = []
    for label in text.split("."):
        if label.lower().startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label.casefold())
    return ".".join(labels)


class DomainNotation(Notation):
    """A host or domain name: case and the trailing dot ignored; read from a URL, ``host:port``, dig or tshark lines."""

    name = "domain"
    options = {"container_credit": 0.5}

    def read(self, text: str) -> Reading:
        host = canonical_host(text)
        if host is not None:
            return Reading(host)
        for pattern in (_DIG, _TSHARK_QUERY):
            match = pattern.fullmatch(text)
            if match and canonical_host(match.group(1)):
                value = canonical_host(match.group(1)) or ""
                return Reading(value, msg("name.read_as", value=value))
        if _SCHEME.match(text) or text.startswith("//"):
            try:
                parts = urlsplit(text if not text.startswith("//") else "http:" + text)
                hostname = parts.hostname
            except ValueError:
                hostname = None
            host = canonical_host(hostname or "")
            if host:
                only_host = parts.path in ("", "/") and not parts.query
                return Reading(host, msg("name.read_as", value=host),
                               asked=None if only_host else msg("asked.host_name"))
        match = re.fullmatch(r"(\S+?):(\d{1,5})", text)
        if match and canonical_host(match.group(1)):
            value = canonical_host(match.group(1)) or ""
            return Reading(value, msg("name.read_as", value=value))
        raise InvalidAnswer(msg("domain.invalid"))


class EmailNotation(Notation):
    """A mailbox: ``Name <a@b>``, ``<a@b>``, ``MAIL FROM:<a@b> SIZE=..``, ``mailto:``; the domain's case never counts.

    Options:
        local_case_sensitive (bool, default true): letter case of the part before ``@`` counts
            (RFC 5321 leaves it to the receiving server; most ignore it).
    """

    name = "email"
    options = {"local_case_sensitive": True}

    def default_case(self) -> bool:
        return bool(self.settings.get("local_case_sensitive", True))

    def read(self, text: str) -> Reading:
        original = text
        text = re.sub(r"^(?:mail\s+from|rcpt\s+to|from|to|cc|bcc|reply-to|sender|return-path)\s*:\s*", "", text,
                      flags=re.IGNORECASE)
        match = re.search(r"<([^<>]*)>", text)
        if match:
            text = match.group(1).strip()
        text = re.sub(r"^mailto:", "", text, flags=re.IGNORECASE)
        text = re.sub(r"\s*\([^()]*\)\s*$", "", text)  # a@b (Name): an RFC 5322 comment
        text = text.strip().strip(",;")
        if text.count("@") != 1 or " " in text:
            raise InvalidAnswer(msg("email.invalid"))
        local, _, domain = text.rpartition("@")
        host = canonical_host(domain)
        if not local or host is None:
            raise InvalidAnswer(msg("email.invalid"))
        value = f"{self.fold(local)}@{host}"
        note = msg("name.read_as", value=f"{local}@{host}") if text != original else None
        return Reading(value, note)

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        if self.sensitive and any(given.value.casefold() == e.value.casefold() for e in expected):
            return msg("email.case_differs")
        g_local, _, g_domain = given.value.rpartition("@")
        for e in expected:
            e_local, _, e_domain = e.value.rpartition("@")
            if g_local == e_local and g_domain != e_domain:
                return msg("email.wrong_domain")
            if g_domain == e_domain and g_local != e_local:
                return msg("email.wrong_local")
        return None


def _normal_percent(text: str) -> str:
    """RFC 3986 6.2.2: percent escapes in upper case, unreserved characters decoded."""
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char.isalnum() and char.isascii() or char in _UNRESERVED else "%" + match.group(1).upper()
    return re.sub(r"%([0-9A-Fa-f]{2})", fix, text)


class UrlNotation(Notation):
    """A full URL: scheme and host case-insensitive, default port and empty path normalised, path case-sensitive."""

    name = "url"
    case_sensitive = True

    def read(self, text: str) -> Reading:
        text = text.strip("<>")
        note = None
        if not _SCHEME.match(text):
            if re.match(r"[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]|$)", text):
                text, note = "schemeless://" + text, msg("url.no_scheme")
            else:
                raise InvalidAnswer(msg("url.invalid"))
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise InvalidAnswer(msg("url.invalid")) from None
        host = canonical_host(parts.hostname or "")
        if host is None:
            raise InvalidAnswer(msg("url.invalid"))
        scheme = parts.scheme.lower()
        if scheme == "schemeless":
            port = None if port in _DEFAULT_PORTS.values() else port
        netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        path = _normal_percent(parts.path or "/")
        value = f"{scheme}://{netloc}{self.fold(path)}"
        if parts.query:
            value += "?" + self.fold(_normal_percent(parts.query))
        if parts.fragment:
            value += "#" + self.fold(_normal_percent(parts.fragment))
        return Reading(value, note)

    loose_note = "url.no_scheme"

    def loose(self, value: str, given: bool) -> str | None:
        """Without the scheme: an address-bar copy (``www.x.ru/...``) names the same page."""
        scheme, _, rest = value.partition("://")
        return rest if (scheme == "schemeless" or not given) else None

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        for e in expected:
            g_rest, e_rest = given.value.split("://", 1)[-1], e.value.split("://", 1)[-1]
            if g_rest == e_rest:
                return msg("url.scheme")
            if g_rest.split("/", 1)[0] == e_rest.split("/", 1)[0] and g_rest.casefold() == e_rest.casefold():
                return msg("url.case_differs")
        return super().slip(given, expected)


class UriNotation(Notation):
    """An HTTP request target (path and query, as in ``GET /x?y HTTP/1.1``): case-sensitive, percent escapes normalised.

    A full URL is read as its path and query. ``%27`` and ``'`` are the same request target
    to the server, so escapes are compared decoded as well (the reason says so).
    """

    name = "uri"
    case_sensitive = True
    options = {"container_credit": 1.0}

    def read(self, text: str) -> Reading:
        note = asked = None
        match = _REQUEST_LINE.fullmatch(text)
        if match:
            text, note = match.group(1), msg("uri.request_line")
        if _SCHEME.match(text):
            try:
                parts = urlsplit(text)
            except ValueError:
                raise InvalidAnswer(msg("url.invalid")) from None
            text = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            asked = msg("asked.uri")
        if not text.startswith("/") and text != "*":
            raise InvalidAnswer(msg("uri.invalid"))
        return Reading(self.fold(_normal_percent(text)), note, asked)

    loose_note = "uri.decoded"

    def loose(self, value: str, given: bool) -> str | None:
        """The target with every escape decoded, for a second comparison (``%27`` is ``'``)."""
        return unquote(value)

    def slip(self, given: Reading, expected: Sequence[Reading]) -> Message | None:
        for e in expected:
            g_path, e_path = given.value.partition("?")[0], e.value.partition("?")[0]
            if g_path == e_path and given.value != e.value:
                return msg("uri.query_differs")
        return super().slip(given, expected)
