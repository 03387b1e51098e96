"""HTTP logins: Basic ``Authorization`` headers and form posts, from :func:`http_transactions`.

A form login is a POST whose body (urlencoded or multipart) has a password
field (``pass``, ``password``, ``pwd``...) and usually a user field (``user``,
``username``, ``login``, ``email``...). Success is only claimed from the
status: 401/403 mean refused; for Basic a 2xx/3xx means accepted, for forms
it stays unknown (a 200 page may say "wrong password").
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from urllib.parse import parse_qsl

from forensics_kit.net.http import http_transactions
from forensics_kit.net.http_wire import header
from forensics_kit.net.protocols.base import Credential
from forensics_kit.net.protocols.smtp import b64text
from forensics_kit.net.streams import StreamIndex, StreamInfo

USER_FIELDS = ("username", "user", "login", "email", "user_name", "userid", "uname", "usr", "account", "log",
               "mail", "j_username", "session[username_or_email]")
PASS_FIELDS = ("password", "pass", "pwd", "passwd", "pass_word", "passw", "j_password", "secret",
               "session[password]")


def form_fields(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """The name/value pairs of a urlencoded or multipart/form-data body; [] when neither."""
    ctype = (content_type or "").lower()
    try:
        if ctype.startswith("multipart/form-data"):
            msg = email.message_from_bytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body,
                                           policy=email.policy.default)
            out = []
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and not part.get_filename():
                    out.append((str(name), (part.get_payload(decode=True) or b"").decode("utf-8", "replace")))
            return out
        if ctype.startswith("application/x-www-form-urlencoded") or (not ctype and b"=" in body[:200]):
            return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    except Exception:  # noqa: BLE001 - a malformed body is simply not a form
        return []
    return []


def _pick(fields: list[tuple[str, str]], names: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in reversed(fields)}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def http_credentials(path: str | Path, streams: list[StreamInfo] | None = None,
                     warnings: list[str] | None = None) -> list[Credential]:
    """Basic-auth and form-login credentials of every HTTP request in the capture."""
    found: list[Credential] = []
    index = StreamIndex(streams or [])
    for t in http_transactions(path, warnings):
        refused = t.status in (401, 403, 407)
        stream = index.find(t.src, t.sport, t.dst, t.dport, t.frame)
        if stream is None:
            stream = -1
        auth = header(t.request_headers, "Authorization") or header(t.request_headers, "Proxy-Authorization")
        if auth and auth[:6].lower() == "basic ":
            text = b64text(auth[6:])
            if text is not None:
                user, _, password = text.partition(":")
                ok = False if refused else (True if t.status and t.status < 400 else None)
                found.append(Credential("http", t.src, t.dst, t.dport, user, password, ok, t.frame, stream, "Basic"))
        if t.method.upper() == "POST" and t.request_body:
            fields = form_fields(t.request_body, header(t.request_headers, "Content-Type"))
            password = _pick(fields, PASS_FIELDS)
            if password is None:
                password = next((v for k, v in fields if "pass" in k.lower() or "пароль" in k.lower()), None)
            if password is not None:
                found.append(Credential("http", t.src, t.dst, t.dport, _pick(fields, USER_FIELDS), password,
                                        False if refused else None, t.frame, stream, f"form {t.uri}"))
    return found
