"""HTTP client programs as they write requests: header order, Connection, form boundary.

The capture writer and the audit share this: a request whose User-Agent names curl
is written the way curl writes it (no ``Connection``, no ``Accept-Encoding``, its
``------------------------`` + hex boundary), a browser's the way that browser does,
and the audit checks exactly that.
"""

from __future__ import annotations

import random
import re
import string

_ALNUM = string.ascii_letters + string.digits
_FIREFOX_VERSION = re.compile(r"Firefox/(\d+)")


def client_family(user_agent: str) -> str | None:
    """``curl``, ``wget``, ``python-requests``, ``firefox``, ``webkit`` (Chrome, Edge, Safari) or None."""
    for prefix, family in (("curl/", "curl"), ("Wget/", "wget"), ("python-requests/", "python-requests")):
        if user_agent.startswith(prefix):
            return family
    if "Firefox/" in user_agent:
        return "firefox"
    if "AppleWebKit/" in user_agent:
        return "webkit"
    return None


BROWSERS = ("chrome", "edge", "firefox")


def browser_of(value: str) -> str:
    """``chrome``, ``edge`` or ``firefox``: a browser's name, or the one a User-Agent names.

    Raises:
        ValueError: for a User-Agent of no known browser (curl, Safari, ...) or another name.
    """
    text = str(value).strip()
    if text.lower() in BROWSERS:
        return text.lower()
    if " Edg/" in text:
        return "edge"
    family = client_family(text)
    if family == "webkit" and "Chrome/" in text:
        return "chrome"
    if family == "firefox":
        return "firefox"
    raise ValueError(f"browser {text!r}: name chrome, edge or firefox, or give a User-Agent of one of them")


def form_boundary(user_agent: str, rng: random.Random) -> str:
    """The multipart/form-data boundary the client named by ``user_agent`` writes.

    curl: 24 dashes and 16 hex digits; Firefox 126+: ``----geckoformboundary`` and 32 hex
    digits, older Firefox 27 dashes and 27 digits; python-requests: 32 hex digits (a UUID);
    Chrome, Edge, Safari and anything else: ``----WebKitFormBoundary`` and 16 letters or digits.
    """
    family = client_family(user_agent)
    if family == "curl":
        return "-" * 24 + f"{rng.getrandbits(64):016x}"
    if family == "firefox":
        version = _FIREFOX_VERSION.search(user_agent)
        if version and int(version.group(1)) >= 126:
            return f"----geckoformboundary{rng.getrandbits(128):032x}"
        return "-" * 27 + "".join(rng.choice(string.digits) for _ in range(27))
    if family == "python-requests":
        return f"{rng.getrandbits(128):032x}"
    return "----WebKitFormBoundary" + "".join(rng.choice(_ALNUM) for _ in range(16))


def request_headers(user_agent: str, host: str, body: tuple[str, int] | None) -> list[tuple[str, str]]:
    """Headers the client named by ``user_agent`` sends, in its order; ``body`` is (content type, length)."""
    family = client_family(user_agent)
    typed = [("Content-Type", body[0]), ("Content-Length", str(body[1]))] if body else []
    if family == "curl":  # no Accept-Encoding without --compressed, no Connection header at all
        return [("Host", host), ("User-Agent", user_agent), ("Accept", "*/*"), *typed[::-1]]
    if family == "wget":
        return [("User-Agent", user_agent), ("Accept", "*/*"), ("Accept-Encoding", "identity"), ("Host", host),
                ("Connection", "Keep-Alive"), *typed]
    if family == "firefox":
        accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        return [("Host", host), ("User-Agent", user_agent), ("Accept", accept),
                ("Accept-Language", "en-US,en;q=0.5"), ("Accept-Encoding", "gzip, deflate"), *typed,
                ("Connection", "keep-alive"), ("Upgrade-Insecure-Requests", "1")]
    if family == "webkit":
        accept = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
                  "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
        return [("Host", host), ("Connection", "keep-alive"), *typed[::-1], ("Upgrade-Insecure-Requests", "1"),
                ("User-Agent", user_agent), ("Accept", accept), ("Accept-Encoding", "gzip, deflate"),
                ("Accept-Language", "en-US,en;q=0.9")]
    return [("Host", host), ("User-Agent", user_agent), ("Accept", "*/*"), ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "keep-alive"), *typed]
