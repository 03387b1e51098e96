"""A telnet login as a Linux telnetd shows it: option negotiation, then keystrokes one per segment.

Like a real client in character mode, every typed character is its own
segment and the server echoes it back, except the password; so trainees must
reassemble credentials from many tiny packets (Follow TCP Stream does it).
"""

from __future__ import annotations

from forensics_kit.builder.traffic.dialogue import Dialogue
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.errors import RecipeError

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA, TTYPE, TSPEED, NAWS, XDISPLOC, NEW_ENVIRON = 1, 3, 24, 32, 31, 35, 39


def _opts(*pairs: tuple[int, int]) -> bytes:
    return b"".join(bytes((IAC, verb, option)) for verb, option in pairs)


def _negotiate(conv: Dialogue) -> None:
    """The usual telnetd/netkit-telnet exchange: terminal type, window size, echo and SGA."""
    conv.say(False, _opts((DO, TTYPE), (DO, TSPEED), (DO, XDISPLOC), (DO, NEW_ENVIRON)), think_ms=2)
    conv.say(True, _opts((WILL, TTYPE), (WONT, TSPEED), (WONT, XDISPLOC), (WONT, NEW_ENVIRON)), think_ms=0.3)
    conv.say(False, bytes((IAC, SB, TTYPE, 1, IAC, SE)), think_ms=0.3)
    conv.say(True, bytes((IAC, SB, TTYPE, 0)) + b"XTERM-256COLOR" + bytes((IAC, SE)), think_ms=0.3)
    conv.say(False, _opts((WILL, SGA), (DO, NAWS), (WILL, ECHO)), think_ms=0.3)
    conv.say(True, _opts((DO, SGA), (WILL, NAWS)) + bytes((IAC, SB, NAWS, 0, 120, 0, 32, IAC, SE))
             + _opts((DO, ECHO)), think_ms=0.3)


def _type(conv: Dialogue, text: str, *, echo: bool, rng, mark: str | None = None) -> None:
    """Keystrokes of ``text`` then Enter (CR LF); echoed by the server unless ``echo`` is False."""
    for char in text:
        conv.say(True, char.encode("utf-8"), think_ms=rng.uniform(80, 320))
        if echo:
            conv.say(False, char.encode("utf-8"), think_ms=0.2)
    conv.say(True, b"\r\n", think_ms=rng.uniform(120, 500), mark=mark)
    conv.say(False, b"\r\n", think_ms=0.2)


def telnet_session(sid: str, path: Path, t0: int, *, user: str, password: str, hostname: str,
                   commands: list[tuple[str, str]], login_ok: bool = True, retransmit: bool = False) -> Session:
    """Negotiation, ``login:`` and ``Password:``, then ``commands`` as (command line, its output)."""
    item = f"session {sid}"
    for value in (user, password, hostname, *(c for c, _ in commands)):
        if not value.isprintable() or not value:
            raise RecipeError("traffic", item, f"telnet text {value!r} must be printable and not empty")
    rng = path.rng
    conv = Dialogue(path.client, path.server, t0, rng=path.rng, rtt_us=path.rtt_us, mbps=path.mbps,
                    retransmit=retransmit)
    _negotiate(conv)
    conv.say(False, f"Ubuntu 22.04.4 LTS\r\n{hostname} login: ".encode(), think_ms=2)
    _type(conv, user, echo=True, rng=rng, mark="user")
    conv.say(False, b"Password: ", think_ms=0.5)
    _type(conv, password, echo=False, rng=rng, mark="pass")
    prompt = f"{user}@{hostname}:~$ ".encode()
    facts: dict = {"user": user, "password": password, "hostname": hostname,
                   "login": "success" if login_ok else "failed", "commands": []}
    if not login_ok:
        conv.say(False, f"\r\nLogin incorrect\r\n{hostname} login: ".encode(), think_ms=rng.uniform(2000, 3000),
                 mark="login_reply")
        conv.close(True, after_ms=rng.uniform(800, 3000))
    else:
        motd = ("Welcome to Ubuntu 22.04.4 LTS (GNU/Linux 5.15.0-97-generic x86_64)\r\n\r\n"
                f"Last login: Thu Feb 29 17:02:11 2024 from {path.client.ip}\r\n")
        conv.say(False, motd.encode() + prompt, think_ms=rng.uniform(30, 200), mark="login_reply")
        for number, (command, output) in enumerate(commands, 1):
            conv.wait(rng.uniform(500, 4000))
            _type(conv, command, echo=True, rng=rng, mark=f"cmd{number}")
            text = output.replace("\r\n", "\n").replace("\n", "\r\n")
            if text and not text.endswith("\r\n"):
                text += "\r\n"
            conv.say(False, text.encode("utf-8") + prompt, think_ms=rng.uniform(2, 60))
            facts["commands"].append(command)
        conv.wait(rng.uniform(500, 3000))
        _type(conv, "exit", echo=True, rng=rng)
        conv.say(False, b"logout\r\n", think_ms=1)
        conv.close(False, after_ms=0.5)
    finished = conv.end()
    session = Session(sid, "telnet", True, finished.packets, finished.marks)

    def describe(frames: Frames) -> dict:
        out = dict(session.facts)
        out.update(facts, tcp_stream=frames.streams["main"], frames=frames.span(), time=frames.time(0))
        out["typed"] = [*facts["commands"], "exit"] if login_ok else []  # as fklab net telnet lists them
        out["user_frame"] = frames.number(finished.marks["user"])
        out["pass_frame"] = frames.number(finished.marks["pass"])
        out["login_reply_frame"] = frames.number(finished.marks["login_reply"])
        out["command_frames"] = [frames.number(finished.marks[f"cmd{n}"]) for n in range(1, len(commands) + 1)
                                 if f"cmd{n}" in finished.marks]
        return out

    session.describe = describe
    return session
