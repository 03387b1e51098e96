"""TCP stream table and follow: numbered and reassembled exactly like tshark."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.errors import NotFoundError
from forensics_kit.net import follow_stream, tcp_streams
from forensics_kit.net.streams import StreamIndex, follow_text

from .conftest import TcpPeer, handshake
from .expected_tables import TSHARK, run, tshark_fields
from .tcp_conversation import capture, conversation

A, B = "10.1.0.1", "10.1.0.2"
REQUEST = b"GET /index.html HTTP/1.1\r\nHost: b\r\n\r\n"
REPLY = bytes(range(256)) * 12


def messy_frames():
    """A reply sent out of order, retransmitted, with an overlap: the client must still read REPLY."""
    c, s = TcpPeer(A, B, 41000, 80, 10), TcpPeer(B, A, 80, 41000, 900)
    frames = handshake(c, s)
    frames.append(c.packet(payload=REQUEST))
    s.ack = c.seq
    base = s.seq
    cuts = [0, 700, 1500, 2300, len(REPLY)]
    part = [(base + cuts[i], REPLY[cuts[i] : cuts[i + 1]]) for i in range(4)]
    frames.append(s.packet(payload=part[0][1], seq=part[0][0]))
    frames.append(s.packet(payload=part[2][1], seq=part[2][0]))  # early
    frames.append(s.packet(payload=part[1][1], seq=part[1][0]))
    frames.append(s.packet(payload=part[1][1], seq=part[1][0]))  # retransmission
    overlap = REPLY[cuts[3] - 100 : cuts[3] + 50]
    frames.append(s.packet(payload=overlap, seq=base + cuts[3] - 100))  # overlaps part 2
    frames.append(s.packet(payload=REPLY[cuts[3] + 50 :], seq=base + cuts[3] + 50))
    s.seq = base + len(REPLY)
    frames.append(c.packet("FA"))
    s.ack = c.seq
    frames.append(s.packet("FA"))
    return frames


@pytest.fixture(scope="module")
def streams_pcap(tmp_path_factory):
    """Stream 0 messy; 1 simple; 2 same ports as 1 reused with a new ISN; 3 no handshake, server first; 4 IPv6."""
    one = conversation(A, 42000, B, 8080, [("c", b"hello\n"), ("s", b"world\n")])
    again = conversation(A, 42000, B, 8080, [("c", b"second\n")], isn=(77777, 88888))
    mid = conversation(A, 43000, B, 6000, [("s", b"late start"), ("c", b"ok")], syn=False)
    v6 = conversation("2001:db8::1", 44000, "2001:db8::2", 21, [("s", b"220 hi\r\n"), ("c", b"QUIT\r\n")])
    return capture(tmp_path_factory.mktemp("streams") / "streams.pcap", messy_frames(), one, again, mid, v6)


def test_streams_are_numbered_in_order_of_first_packet_and_port_reuse_opens_a_new_one(streams_pcap):
    table = tcp_streams(streams_pcap)
    assert [(s.index, s.client, s.cport, s.server, s.sport) for s in table] == [
        (0, A, 41000, B, 80), (1, A, 42000, B, 8080), (2, A, 42000, B, 8080), (3, B, 6000, A, 43000),
        (4, "2001:db8::1", 44000, "2001:db8::2", 21)]
    assert table[0].bytes_s2c == len(REPLY) + 800 + 100  # the retransmission and the overlap count as sent
    assert table[1].first_frame == 13 and table[1].packets == 8


def test_stream_index_finds_the_latest_stream_of_a_reused_port_pair_that_began_by_the_frame(streams_pcap):
    table = tcp_streams(streams_pcap)
    index = StreamIndex(table)
    first, reused = table[1], table[2]
    assert index.find(A, 42000, B, 8080, first.first_frame) == 1
    assert index.find(A, 42000, B, 8080, reused.first_frame - 1) == 1
    assert index.find(A, 42000, B, 8080, reused.first_frame) == 2
    assert index.find(A, 42000, B, 8080, 10**9) == 2
    assert index.find(A, 42000, B, 8080, first.first_frame - 1) is None  # before any stream of the pair
    assert index.find(B, 8080, A, 42000, reused.first_frame) is None  # the server is not the client
    assert StreamIndex([]).find(A, 1, B, 2, 5) is None


def test_follow_rebuilds_out_of_order_retransmitted_and_overlapping_data(streams_pcap):
    segments = follow_stream(streams_pcap, 0)
    assert b"".join(s.data for s in segments if s.direction == "c2s") == REQUEST
    assert b"".join(s.data for s in segments if s.direction == "s2c") == REPLY
    assert [s.frame for s in segments if s.direction == "s2c"][:2] == [5, 7]  # part 3 delivered by frame 7


def test_follow_of_an_unknown_stream_names_the_count(streams_pcap):
    with pytest.raises(NotFoundError, match="no TCP stream 9 .*has 5"):
        follow_stream(streams_pcap, 9)


def test_follow_text_indents_the_server_side(streams_pcap):
    info = tcp_streams(streams_pcap)[1]
    text = follow_text(info, follow_stream(streams_pcap, 1))
    assert "Node 0: 10.1.0.1:42000" in text and "\n6\nhello\n" in text and "\t6\nworld\n" in text


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")
def test_follow_text_is_laid_out_like_tshark_ascii(streams_pcap):
    ours = follow_text(tcp_streams(streams_pcap)[1], follow_stream(streams_pcap, 1))
    assert ours == run([TSHARK, "-r", str(streams_pcap), "-q", "-z", "follow,tcp,ascii,1"])


def test_cli_stream_table_follow_and_raw_files(streams_pcap, tmp_path):
    runner = CliRunner()
    table = runner.invoke(cli, ["net", "stream", str(streams_pcap), "--json"])
    assert table.exit_code == 0, table.output
    assert table.output.count("\n") == 5
    shown = runner.invoke(cli, ["net", "stream", str(streams_pcap), "2"])
    assert "second" in shown.output
    raw = runner.invoke(cli, ["net", "stream", str(streams_pcap), "0", "--raw", str(tmp_path)])
    assert raw.exit_code == 0, raw.output
    assert (tmp_path / "stream-0-s2c.bin").read_bytes() == REPLY
    assert (tmp_path / "stream-0-c2s.bin").read_bytes() == REQUEST
    missing = runner.invoke(cli, ["net", "stream", str(streams_pcap), "99"])
    assert missing.exit_code == 1 and "Traceback" not in missing.output


tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")


@pytest.mark.crosscheck
@tshark
def test_stream_table_matches_tshark(streams_pcap):
    rows = tshark_fields(streams_pcap, ["tcp.stream", "frame.number", "tcp.len"], "tcp")
    theirs: dict = {}
    for stream, frame, length in rows:
        entry = theirs.setdefault(int(stream), [int(frame), 0, 0, 0])
        entry[1], entry[2], entry[3] = int(frame), entry[2] + 1, entry[3] + int(length)
    ours = {s.index: [s.first_frame, s.last_frame, s.packets, s.bytes_c2s + s.bytes_s2c]
            for s in tcp_streams(streams_pcap)}
    assert ours == theirs


def _tshark_follow(path, index):
    out = run([TSHARK, "-r", str(path), "-q", "-z", f"follow,tcp,raw,{index}"])
    data = {"c2s": b"", "s2c": b""}
    body = out.split("Node 1:", 1)[1].split("\n", 1)[1]
    for line in body.splitlines():
        if line.startswith("====") or not line.strip():
            continue
        data["s2c" if line.startswith("\t") else "c2s"] += bytes.fromhex(line.strip())
    return data


@pytest.mark.crosscheck
@tshark
@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_follow_bytes_match_tshark(streams_pcap, index):
    segments = follow_stream(streams_pcap, index)
    ours = {d: b"".join(s.data for s in segments if s.direction == d) for d in ("c2s", "s2c")}
    assert ours == _tshark_follow(streams_pcap, index)
