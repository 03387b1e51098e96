"""An FTP session as vsftpd serves it: login, commands, files over passive or active data connections.

The control connection carries every command in clear text, so trainees can
read the USER/PASS pair; each LIST/RETR/STOR opens a data connection of its
own (passive: the client connects to the port in the 227 reply; active: the
server connects from port 20 to the port the client named in PORT), which
tshark shows as ``ftp-data`` and exports byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from forensics_kit.builder.traffic.dialogue import Dialogue, join
from forensics_kit.builder.traffic.sessions import Frames, Path, Session
from forensics_kit.builder.world.os_profile import ftp_greeting
from forensics_kit.builder.world.tcp_stack import tcp_stack
from forensics_kit.errors import RecipeError
from forensics_kit.hashing import hash_bytes

_SIMPLE = {
    "PWD": lambda state, arg: f'257 "{state["cwd"]}" is the current directory',
    "CWD": lambda state, arg: "250 Directory successfully changed.",
    "SYST": lambda state, arg: "215 UNIX Type: L8",
    "NOOP": lambda state, arg: "200 NOOP ok.",
    "TYPE": lambda state, arg: "200 Switching to Binary mode.",
    "DELE": lambda state, arg: "250 Delete operation successful.",
    "MKD": lambda state, arg: f'257 "{arg}" created',
}
DATA_COMMANDS = ("LIST", "RETR", "STOR")


@dataclass
class FtpCommand:
    """One command of the session: ``name`` (PWD, CWD, LIST, RETR, STOR ...), its argument, file data."""

    name: str
    arg: str = ""
    data: bytes = b""


def _listing(files: dict[str, bytes], when: str) -> bytes:
    lines = [f"-rw-r--r--    1 1000     1000     {len(data):>8} {when} {name}\r\n"
             for name, data in sorted(files.items())]
    return "".join(lines).encode("utf-8")


def _check(item: str, commands: list[FtpCommand]) -> None:
    for command in commands:
        known = (*_SIMPLE, *DATA_COMMANDS)
        if command.name not in known:
            raise RecipeError("traffic", item, f"unknown FTP command {command.name!r} "
                              f"(known: {', '.join(known)})")
        if any(c in command.arg for c in "\r\n"):
            raise RecipeError("traffic", item, f"FTP argument {command.arg!r} must be one line")
        if command.name in ("RETR", "STOR", "CWD", "DELE", "MKD") and not command.arg:
            raise RecipeError("traffic", item, f"FTP {command.name} needs a file or folder name")


def ftp_session(sid: str, path: Path, t0: int, *, user: str, password: str, login_ok: bool,
                commands: list[FtpCommand], passive: bool = True,
                moments: dict[str, float] | None = None) -> Session:
    """Control connection at ``t0``; data connections opened as the commands need them.

    ``moments`` (seconds after ``t0``) fix when the client sends ``user``, ``pass``,
    ``cmd<N>`` (TYPE I or PASV before a transfer), opens ``data<N>`` and sends ``quit``:
    a timeline plans them so the server's log falls in the same seconds.
    """
    item = f"session {sid}"
    _check(item, commands)
    rng = path.rng
    ctl = Dialogue(path.client, path.server, t0, rng=rng, rtt_us=path.rtt_us, mbps=path.mbps)

    def think(step: str, drawn_ms: float) -> float:
        """The client's pause before ``step``: until its planned moment, else as drawn."""
        if moments is None or step not in moments:
            return drawn_ms
        return max(0.2, (t0 + round(moments[step] * 1e6) - ctl.t) / 1000)

    ctl.say(False, ftp_greeting(path.server.os), think_ms=rng.uniform(0.5, 3))
    ctl.say(True, f"USER {user}\r\n".encode(), think_ms=think("user", rng.uniform(300, 1500)), mark="user")
    ctl.say(False, b"331 Please specify the password.\r\n", think_ms=0.3)
    ctl.say(True, f"PASS {password}\r\n".encode(), think_ms=think("pass", rng.uniform(800, 3000)), mark="pass")
    reply = b"230 Login successful.\r\n" if login_ok else b"530 Login incorrect.\r\n"
    ctl.say(False, reply, think_ms=rng.uniform(1, 30) if login_ok else rng.uniform(2000, 3500),
            mark="login_reply")
    data_conns: dict[str, Dialogue] = {}
    transfers = []
    state = {"cwd": f"/home/{user}", "files": {c.arg: c.data for c in commands if c.name == "RETR"}}
    for number, command in enumerate(commands if login_ok else [], 1):
        line = f"{command.name} {command.arg}".rstrip()
        pause = think(f"cmd{number}", rng.uniform(400, 4000))
        if command.name not in DATA_COMMANDS:
            ctl.say(True, f"{line}\r\n".encode(), think_ms=pause, mark=f"cmd{number}")
            if command.name == "CWD":
                state["cwd"] = command.arg if command.arg.startswith("/") else \
                    f"{state['cwd'].rstrip('/')}/{command.arg}"
            ctl.say(False, f"{_SIMPLE[command.name](state, command.arg)}\r\n".encode(), think_ms=0.4)
            continue
        if command.name != "LIST":
            ctl.say(True, b"TYPE I\r\n", think_ms=pause)
            ctl.say(False, b"200 Switching to Binary mode.\r\n", think_ms=0.3)
            pause = rng.uniform(1, 20)
        data_path, setup = _open_data(ctl, path, passive, pause, rng)
        if moments is not None and f"data{number}" in moments:
            setup = max(setup, t0 + round(moments[f"data{number}"] * 1e6) - ctl.t)
        name = f"data{number}"
        if not passive:  # the server connects once it has the command
            ctl.say(True, f"{line}\r\n".encode(), think_ms=rng.uniform(0.2, 2), mark=f"cmd{number}")
        conn = Dialogue(data_path.client, data_path.server, ctl.t + setup, rng=rng,
                        rtt_us=path.rtt_us, mbps=path.mbps)
        data_conns[name] = conn
        ctl.sync(conn.t)
        if passive:
            ctl.say(True, f"{line}\r\n".encode(), think_ms=rng.uniform(0.2, 2), mark=f"cmd{number}")
        if command.name == "LIST":
            payload = _listing(state["files"], "Mar 01 09:12")
            opening = b"150 Here comes the directory listing.\r\n"
            done = b"226 Directory send OK.\r\n"
        elif command.name == "RETR":
            payload = command.data
            opening = f"150 Opening BINARY mode data connection for {command.arg} " \
                      f"({len(payload)} bytes).\r\n".encode()
            done = b"226 Transfer complete.\r\n"
        else:
            payload = command.data
            state["files"][command.arg] = payload
            opening = b"150 Ok to send data.\r\n"
            done = b"226 Transfer complete.\r\n"
        ctl.say(False, opening, think_ms=rng.uniform(0.3, 2))
        conn.sync(ctl.t)
        from_server = command.name != "STOR"
        sender_is_initiator = from_server != passive  # passive: the client opened the connection
        if payload:
            conn.say(sender_is_initiator, payload, think_ms=0.3, mark=f"{name}_last")
        conn.close(sender_is_initiator, after_ms=0.3)
        ctl.sync(conn.t)
        ctl.say(False, done, think_ms=0.5, mark=f"{name}_done")
        if command.name != "LIST":
            hashes = hash_bytes(payload)
            transfers.append({"command": command.name, "file": command.arg, "connection": name,
                              "direction": "download" if from_server else "upload",
                              "size": len(payload), "sha256": hashes["sha256"], "md5": hashes["md5"],
                              "data_port": data_path.server.port, "number": number})
    ctl.say(True, b"QUIT\r\n", think_ms=think("quit", rng.uniform(300, 2000)), mark="quit")
    ctl.say(False, b"221 Goodbye.\r\n", think_ms=0.3)
    ctl.close(False, after_ms=0.2)
    joined = join({"control": ctl.end(), **{n: c.end() for n, c in data_conns.items()}})
    session = Session(sid, "ftp", True, joined.packets, joined.marks, streams=joined.streams)
    facts = {"user": user, "password": password, "login": "success" if login_ok else "failed",
             "mode": "passive" if passive else "active",
             "commands": [f"{c.name} {c.arg}".rstrip() for c in commands] if login_ok else []}

    def describe(frames: Frames) -> dict:
        marks = joined.marks
        out = dict(session.facts)
        out.update(facts)
        out.update(tcp_stream=frames.streams["control"], frames=frames.span(),
                   user_frame=frames.number(marks["user"]), pass_frame=frames.number(marks["pass"]),
                   login_reply_frame=frames.number(marks["login_reply"]), time=frames.time(0))
        out["transfers"] = []
        for transfer in transfers:
            name = transfer["connection"]
            first, last = joined.bounds[name]
            entry = {k: v for k, v in transfer.items() if k not in ("connection", "number")}
            entry.update(tcp_stream=frames.streams[name],
                         frames=[frames.number(first), frames.number(last)],
                         command_frame=frames.number(marks[f"cmd{transfer['number']}"]),
                         done_frame=frames.number(marks[f"{name}_done"]))
            out["transfers"].append(entry)
        return out

    session.describe = describe
    return session


def _open_data(ctl: Dialogue, path: Path, passive: bool, think_ms: float, rng) -> tuple[Path, int]:
    """Send PASV or PORT and read the reply; returns the data path and the delay before its SYN."""
    ipv6 = path.client.ip.version == 6
    if passive:
        port = rng.randint(40000, 50000)
        ctl.say(True, b"EPSV\r\n" if ipv6 else b"PASV\r\n", think_ms=think_ms)
        if ipv6:
            reply = f"229 Entering Extended Passive Mode (|||{port}|)\r\n"
        else:
            numbers = ",".join(str(path.server.ip).split("."))
            reply = f"227 Entering Passive Mode ({numbers},{port >> 8},{port & 255}).\r\n"
        ctl.say(False, reply.encode(), think_ms=0.3)
        return path.connect(True, None, port), rng.randint(200, 900)
    port = rng.randint(*tcp_stack(path.client.os or None, path.client.ttl).ephemeral)
    if ipv6:
        line = f"EPRT |2|{path.client.ip}|{port}|\r\n"
    else:
        line = f"PORT {','.join(str(path.client.ip).split('.'))},{port >> 8},{port & 255}\r\n"
    ctl.say(True, line.encode(), think_ms=think_ms)
    ctl.say(False, b"200 PORT command successful. Consider using PASV.\r\n", think_ms=0.3)
    return path.connect(False, 20, port), path.rtt_us // 2 + rng.randint(200, 900)
