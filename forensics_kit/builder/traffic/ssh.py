"""SSH connections as sshd and its clients put them on the wire (RFC 4253), up to the encrypted part.

A connection carries the two version banners, both KEXINIT packets with the
algorithm lists of the real programs, the curve25519 key exchange (the server's
ed25519 host key is the same in every connection to it) and NEWKEYS; after that
every packet is chacha20-poly1305 ciphertext of the size OpenSSH sends for that
step: the service request, one password attempt and its failure (after PAM's
2-second delay) per try, or on success the channel, the shell and the typing of
an interactive session until it ends. tshark dissects it all as SSH.
"""

from __future__ import annotations

import hashlib
import random
import struct

from forensics_kit.builder.traffic.exchange import Message

_KEX_SERVER = ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
               "ecdh-sha2-nistp521", "sntrup761x25519-sha512@openssh.com", "diffie-hellman-group-exchange-sha256",
               "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"]
_HOSTKEYS = ["rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"]
_CIPHERS = ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
            "aes256-gcm@openssh.com"]
_MACS = ["umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
         "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com",
         "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"]
_OPENSSH_CLIENT_KEX = ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
                       "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
                       "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                       "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256", "ext-info-c",
                       "kex-strict-c-v00@openssh.com"]
_LIBSSH_CLIENT_KEX = ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                      "ecdh-sha2-nistp521", "diffie-hellman-group18-sha512", "diffie-hellman-group16-sha512",
                      "diffie-hellman-group-exchange-sha256", "diffie-hellman-group14-sha256", "ext-info-c"]
CLIENT_BANNERS = {"openssh": "SSH-2.0-OpenSSH_9.6p1 Debian-4", "libssh": "SSH-2.0-libssh_0.10.6"}


def _string(data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return struct.pack("!I", len(raw)) + raw


def _packet(payload: bytes, rng: random.Random) -> bytes:
    """An unencrypted binary packet: length, padding length, payload, 4+ random padding bytes (block 8)."""
    pad = 8 - (len(payload) + 5) % 8
    pad += 8 if pad < 4 else 0
    return struct.pack("!IB", len(payload) + pad + 1, pad) + payload + rng.randbytes(pad)


def _kexinit(rng: random.Random, kex: list[str], server: bool) -> bytes:
    lists = [kex, _HOSTKEYS if server else ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"],
             _CIPHERS, _CIPHERS, _MACS, _MACS, ["none", "zlib@openssh.com"], ["none", "zlib@openssh.com"], [], []]
    payload = bytes([20]) + rng.randbytes(16) + b"".join(_string(",".join(names)) for names in lists)
    return _packet(payload + b"\x00" + bytes(4), rng)


def _sealed(rng: random.Random, payload_size: int) -> bytes:
    """A chacha20-poly1305 packet for a payload of ``payload_size``: 4 length bytes, padded body, 16-byte tag."""
    body = payload_size + 1
    body += 8 - body % 8 if body % 8 else 0
    if body - payload_size - 1 < 4:
        body += 8
    return rng.randbytes(4 + body + 16)


def host_key(server_ip: str) -> bytes:
    """The server's ed25519 host key blob: the same in every connection to that address."""
    return _string("ssh-ed25519") + _string(hashlib.sha256(f"hostkey/{server_ip}".encode()).digest())


def ssh_messages(rng: random.Random, *, server_ip: str, server_banner: str, client_banner: str, outcome: str,
                 attempts: int = 1, lasts: float = 0.0, tool: bool = False,
                 auth_after: float | None = None) -> list[Message]:
    """The turns of one SSH connection.

    ``outcome``: ``failed`` (``attempts`` wrong passwords, then the client gives up)
    or ``accepted`` (the last attempt succeeds; an interactive shell runs for
    ``lasts`` seconds after it). ``tool`` makes the client a guessing tool (fast,
    libssh's KEXINIT) rather than a person with OpenSSH. ``auth_after`` (seconds
    from the connection's start) places the first authentication reply, the
    moment sshd logs, so a timeline's log line and packet agree.
    """
    kex = _LIBSSH_CLIENT_KEX if tool else _OPENSSH_CLIENT_KEX
    out = [Message("server", f"{server_banner}\r\n".encode(), 1),
           Message("client", f"{client_banner}\r\n".encode(), 2),
           Message("client", _kexinit(rng, kex, server=False), 1),
           Message("server", _kexinit(rng, _KEX_SERVER + ["kex-strict-s-v00@openssh.com"], server=True), 1),
           Message("client", _packet(bytes([30]) + _string(rng.randbytes(32)), rng), 3),
           Message("server", _packet(bytes([31]) + _string(host_key(server_ip)) + _string(rng.randbytes(32))
                                     + _string(_string("ssh-ed25519") + _string(rng.randbytes(64))), rng)
                   + _packet(bytes([21]), rng), 2),
           Message("client", _packet(bytes([21]), rng) + _sealed(rng, 17), 2),  # NEWKEYS, SERVICE_REQUEST
           Message("server", _sealed(rng, 17), 1)]                               # SERVICE_ACCEPT
    think = (lambda: rng.uniform(5, 40)) if tool else (lambda: rng.uniform(1500, 6000))
    for attempt in range(max(1, attempts)):
        last = attempt == max(1, attempts) - 1
        success = outcome == "accepted" and last
        reply_ms = rng.uniform(20, 120) if success else rng.uniform(2000, 2400)  # PAM's delay on a failure
        typing = think()
        if attempt == 0 and auth_after is not None:
            typing = max(1.0, auth_after * 1000 - sum(m.think_ms for m in out) - reply_ms)
        out.append(Message("client", _sealed(rng, rng.randint(60, 90)), typing))           # USERAUTH_REQUEST
        out.append(Message("server", _sealed(rng, 1 if success else 30), reply_ms))       # SUCCESS / FAILURE
    if outcome == "accepted":
        out += _interactive(rng, lasts)
    return out


def _interactive(rng: random.Random, lasts: float) -> list[Message]:
    """Channel open, pty and shell requests, then bursts of typing and output for ``lasts`` seconds."""
    out = [Message("client", _sealed(rng, 24), 30), Message("server", _sealed(rng, 28), 2),
           Message("client", _sealed(rng, 80) + _sealed(rng, 40), 5), Message("server", _sealed(rng, 600), 40)]
    elapsed, budget = 0.0, max(0.0, lasts - 1.0) * 1000
    while budget - elapsed > 400:
        pause = min(budget - elapsed - 300, rng.uniform(2000, 90_000))
        answer = rng.uniform(5, 300)
        elapsed += pause + answer + 20  # and a few round trips
        out.append(Message("client", b"".join(_sealed(rng, 12) for _ in range(rng.randint(1, 6))), pause))
        out.append(Message("server", _sealed(rng, rng.randint(40, 2400)), answer))
    out.append(Message("client", _sealed(rng, 12) + _sealed(rng, 20), 200))  # exit, channel EOF/close
    out.append(Message("server", _sealed(rng, 40) + _sealed(rng, 20), 3))
    return out
