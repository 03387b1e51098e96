"""Fast-path decoding of link, IP and TCP/UDP headers from raw frame bytes.

One function, :func:`decode`, turns a frame into a flat tuple; analyses call
it once per packet, so it avoids objects and keeps to ``struct`` and
slicing. Anything malformed ends the decoding at the last good layer instead
of raising: a damaged IP header gives ``proto == -1``, a damaged TCP/UDP
header gives ports of ``None``.

The tuple (see :data:`Decoded`) is
``(ipver, proto, src, dst, sport, dport, start, end, seq, flags, fragment)``:

- ``ipver``: 4 or 6, or 0 for a non-IP frame (then ``proto`` is the
  EtherType, or -1 when unknown);
- ``src``/``dst``: raw address bytes (4 or 16); turn them into text with
  :func:`addr_text` only when needed;
- ``start``/``end``: the slice of ``data`` holding the transport payload
  (TCP/UDP) or the IP payload (other protocols);
- ``seq``/``flags``: TCP sequence number and flag bits (0 otherwise);
- ``fragment``: True for an IPv4/IPv6 fragment that is not the first
  (no transport header in it).

A frame carried in a tunnel (GRE, VXLAN, IP in IP) decodes to its innermost
IP packet, and the tuple has a 12th element: the tuples of the layers around
it (each a plain 11-tuple), innermost first, so a caller that wants the
tunnel (a summary of protocols, the tunnel endpoints) still has it.
"""

from __future__ import annotations

import socket
import struct

_U16 = struct.Struct("!H").unpack_from
_IPV4 = struct.Struct("!BxHxxHxB").unpack_from  # ver/ihl, total length, flags/frag, proto
_IPV6 = struct.Struct("!HB").unpack_from  # payload length, next header (at offset 4)
_PORTS = struct.Struct("!HH").unpack_from
_TCP = struct.Struct("!HHI4xB").unpack_from  # ports, seq, (skip ack), data offset
_UDP_LEN = struct.Struct("!H").unpack_from

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
_VLAN_TYPES = frozenset((0x8100, 0x88A8, 0x9100, 0x9200))
_IPV6_EXT = frozenset((0, 43, 60, 135, 139, 140))

PROTO_NAMES = {
    1: "icmp",
    2: "igmp",
    4: "ipip",
    6: "tcp",
    17: "udp",
    41: "ipv6",
    47: "gre",
    50: "esp",
    51: "ah",
    58: "icmpv6",
    89: "ospf",
    103: "pim",
    112: "vrrp",
    132: "sctp",
}

ETHERTYPE_NAMES = {
    0x0806: "arp",
    0x8035: "rarp",
    0x88CC: "lldp",
    0x888E: "eapol",
    0x8863: "pppoe-discovery",
    0x8864: "pppoe",
    0x8847: "mpls",
    0x88F7: "ptp",
    0x9000: "loopback",
}

Decoded = tuple  # (ipver, proto, src, dst, sport, dport, start, end, seq, flags, fragment)
SUPPORTED_LINKTYPES = frozenset((0, 1, 9, 12, 14, 50, 101, 105, 108, 113, 127, 192, 228, 229, 276))


def link_warnings(linktypes: set[int] | dict[int, int]) -> list[str]:
    """One warning per link type among ``linktypes`` that :func:`decode` cannot read.

    Given packet counts (:attr:`CaptureReader.link_counts`), the warning says
    how many packets were skipped, so no command reads an undecodable capture
    in silence.
    """
    from forensics_kit.net.reader import linktype_name

    out = []
    for lt in sorted(linktypes):
        if lt in SUPPORTED_LINKTYPES:
            continue
        name = linktype_name(lt)
        what = f"link type {lt}" + ("" if name.startswith("linktype-") else f" ({name})")
        if isinstance(linktypes, dict):
            out.append(f"{what} is not decoded: {linktypes[lt]} packet(s) skipped")
        else:
            out.append(f"{what} is not decoded: its frames are counted but not analysed")
    return out


def proto_name(proto: int) -> str:
    """Name of an IP protocol number (``tcp``, ``udp``, ``icmp``...), else ``ip-proto-N``."""
    return PROTO_NAMES.get(proto, f"ip-proto-{proto}")


def addr_text(raw: bytes) -> str:
    """Text form of a 4- or 16-byte address."""
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    return socket.inet_ntop(socket.AF_INET6, raw)


def _network_offset(linktype: int, data: bytes) -> tuple[int, int] | None:
    """Find (EtherType-like protocol, offset of the network header), or None."""
    n = len(data)
    if linktype == 1:  # Ethernet, with any number of 802.1Q/QinQ tags
        if n < 14:
            return None
        etype = _U16(data, 12)[0]
        off = 14
        while etype in _VLAN_TYPES:
            if n < off + 4:
                return None
            etype = _U16(data, off + 2)[0]
            off += 4
        if etype < 0x0600:  # 802.3 length field with LLC: not IP for our purposes
            return (-1, off)
        if etype == 0x8864:  # PPPoE session: 6-byte header then PPP protocol
            if n < off + 8:
                return None
            ppp = _U16(data, off + 6)[0]
            return (_PPP_TO_ETH.get(ppp, -1), off + 8)
        return (etype, off)
    if linktype == 113:  # Linux cooked v1
        if n < 16:
            return None
        return (_U16(data, 14)[0], 16)
    if linktype == 276:  # Linux cooked v2
        if n < 20:
            return None
        return (_U16(data, 0)[0], 20)
    if linktype in (101, 12, 14, 228, 229):  # raw IP
        if n < 1:
            return None
        ver = data[0] >> 4
        return (ETH_IPV4 if ver == 4 else ETH_IPV6 if ver == 6 else -1, 0)
    if linktype == 0 or linktype == 108:  # BSD null / OpenBSD loop: 4-byte family
        if n < 4:
            return None
        fam = struct.unpack_from("!I" if linktype == 108 else "<I", data)[0]
        if linktype == 0 and fam > 0xFFFF:
            fam = struct.unpack_from("!I", data)[0]
        if fam == 2:
            return (ETH_IPV4, 4)
        if fam in (10, 24, 28, 30):
            return (ETH_IPV6, 4)
        return (-1, 4)
    if linktype == 127:  # radiotap, then an 802.11 frame
        if n < 4:
            return None
        return _dot11(data, _U16LE(data, 2)[0])
    if linktype == 105:  # 802.11 without a radio header
        return _dot11(data, 0)
    if linktype == 192:  # PPI: its own header, then the frame of the link type it names
        if n < 8:
            return None
        inner = struct.unpack_from("<I", data, 4)[0]
        return _dot11(data, _U16LE(data, 2)[0]) if inner == 105 else None
    if linktype == 9 or linktype == 50:  # PPP, optionally with HDLC address/control
        off = 2 if data[:2] == b"\xff\x03" else 0
        if n < off + 2:
            return None
        return (_PPP_TO_ETH.get(_U16(data, off)[0], -1), off + 2)
    return None


_PPP_TO_ETH = {0x0021: ETH_IPV4, 0x0057: ETH_IPV6}
_U16LE = struct.Struct("<H").unpack_from
_SNAP = (b"\xaa\xaa\x03\x00\x00\x00", b"\xaa\xaa\x03\x00\x00\xf8")  # RFC 1042, 802.1H


def _dot11(data: bytes, off: int) -> tuple[int, int] | None:
    """The LLC/SNAP payload of an 802.11 data frame at ``off``: (EtherType, offset) or None.

    Management and control frames, null data and protected (encrypted) frames
    carry nothing to decode: (-1, offset), a non-IP frame like an ARP-less link.
    """
    n = len(data)
    if n < off + 24:
        return None
    fc0, fc1 = data[off], data[off + 1]
    if (fc0 >> 2) & 3 != 2 or fc0 & 0x40 or fc1 & 0x40:  # not data, null data, or protected
        return (-1, off)
    hlen = 30 if fc1 & 3 == 3 else 24  # four addresses in a WDS/mesh frame
    if fc0 & 0x80:  # QoS data: a QoS control field, and an HT control field when "order" is set
        hlen += 6 if fc1 & 0x80 else 2
    body = off + hlen
    if n < body + 8 or data[body : body + 6] not in _SNAP:
        return (-1, body)
    return (_U16(data, body + 6)[0], body + 8)


def decode(linktype: int, data: bytes) -> Decoded | None:
    """Decode one frame's headers; None when the link type is unknown or truncated.

    Tunnels are opened (GRE with IP, Ethernet, ERSPAN I/II/III or PPTP's PPP inside;
    VXLAN on UDP 4789; IPv4/IPv6 in IP): the tuple is the innermost IP packet's, as
    tshark's DNS, HTTP and TCP analyses see it. A tunnel whose payload is not IP
    (PPTP's LCP, an ARP over VXLAN) is left as the outer packet.
    """
    found = _network_offset(linktype, data)
    if found is None:
        return None
    return _ip_layer(data, found[0], found[1], 0)


MAX_TUNNEL_DEPTH = 4  # nested tunnels opened; a crafted frame cannot loop


def _ip_layer(data: bytes, etype: int, off: int, depth: int) -> Decoded:
    """The decoded tuple of the IP packet at ``off`` (EtherType ``etype``), tunnels opened."""
    n = len(data)
    if etype == ETH_IPV4:
        if n < off + 20:
            return (4, -1, b"", b"", None, None, off, n, 0, 0, False)
        vihl, total, frag, proto = _IPV4(data, off)
        ihl = (vihl & 0x0F) * 4
        if vihl >> 4 != 4 or ihl < 20 or n < off + ihl:
            return (4, -1, b"", b"", None, None, off, n, 0, 0, False)
        src = data[off + 12 : off + 16]
        dst = data[off + 16 : off + 20]
        if total == 0:  # TSO / segmentation offload: trust the captured length
            end = n
        elif total < ihl:
            return (4, -1, src, dst, None, None, off, n, 0, 0, False)
        else:
            end = min(off + total, n)
        start = off + ihl
        if frag & 0x1FFF:
            return (4, proto, src, dst, None, None, start, end, 0, 0, True)
    elif etype == ETH_IPV6:
        if n < off + 40 or data[off] >> 4 != 6:
            return (6, -1, b"", b"", None, None, off, n, 0, 0, False)
        plen, proto = _IPV6(data, off + 4)
        src = data[off + 8 : off + 24]
        dst = data[off + 24 : off + 40]
        start = off + 40
        end = min(start + plen, n) if plen else n
        while proto in _IPV6_EXT or proto == 44 or proto == 51:
            if end < start + 8:
                return (6, proto, src, dst, None, None, start, end, 0, 0, False)
            nxt = data[start]
            if proto == 44:  # fragment header
                if _U16(data, start + 2)[0] & 0xFFF8:
                    return (6, nxt, src, dst, None, None, start + 8, end, 0, 0, True)
                start += 8
            elif proto == 51:  # AH counts 4-byte words minus 2
                start += (data[start + 1] + 2) * 4
            else:
                start += (data[start + 1] + 1) * 8
            proto = nxt
        if start > end:
            return (6, -1, src, dst, None, None, end, end, 0, 0, False)
    else:
        return (0, etype, b"", b"", None, None, off, n, 0, 0, False)

    if proto == 6:
        if end < start + 20:
            return (data[off] >> 4, 6, src, dst, None, None, start, end, 0, 0, False)
        sport, dport, seq, doff = _TCP(data, start)
        hlen = (doff >> 4) * 4
        if hlen < 20 or start + hlen > end:
            return (data[off] >> 4, 6, src, dst, None, None, start, end, 0, 0, False)
        return (data[off] >> 4, 6, src, dst, sport, dport, start + hlen, end, seq,
                data[start + 13], False)
    if proto == 17:
        if end < start + 8:
            return (data[off] >> 4, 17, src, dst, None, None, start, end, 0, 0, False)
        sport, dport = _PORTS(data, start)
        ulen = _UDP_LEN(data, start + 4)[0]
        uend = min(start + ulen, end) if ulen >= 8 else end
        if dport == VXLAN_PORT and depth < MAX_TUNNEL_DEPTH and uend >= start + 8 + 8 + 14 \
                and data[start + 8] & 0x08:
            inner = _ethernet(data, start + 16, uend)
            if inner is not None and inner[0] in (ETH_IPV4, ETH_IPV6):
                here = (data[off] >> 4, 17, src, dst, sport, dport, start + 8, uend, 0, 0, False)
                return _tunnelled(_ip_layer(data[:uend], inner[0], inner[1], depth + 1), here)
        return (data[off] >> 4, 17, src, dst, sport, dport, start + 8, uend, 0, 0, False)
    if depth < MAX_TUNNEL_DEPTH:
        inner = None
        if proto == 4 or proto == 41:  # IPv4 / IPv6 in IP (6in4, IPIP)
            inner = (ETH_IPV4 if proto == 4 else ETH_IPV6, start)
        elif proto == 47:
            inner = _gre(data, start, end)
        if inner is not None and inner[0] in (ETH_IPV4, ETH_IPV6):
            here = (data[off] >> 4, proto, src, dst, None, None, start, end, 0, 0, False)
            return _tunnelled(_ip_layer(data[:end], inner[0], inner[1], depth + 1), here)
    return (data[off] >> 4, proto, src, dst, None, None, start, end, 0, 0, False)


def _tunnelled(inner: Decoded, outer: Decoded) -> Decoded:
    """The inner tuple with the layers around it as a 12th element, innermost first."""
    return inner[:11] + ((inner[11] if len(inner) > 11 else ()) + (outer,),)


VXLAN_PORT = 4789
_GRE_ETHERNET = 0x6558  # transparent Ethernet bridging (NVGRE, Ethernet over GRE)
_ERSPAN_2, _ERSPAN_3 = 0x88BE, 0x22EB


def _ethernet(data: bytes, off: int, end: int) -> tuple[int, int] | None:
    """(EtherType, offset of the network header) of an Ethernet frame carried at ``off``."""
    if end < off + 14:
        return None
    etype = _U16(data, off + 12)[0]
    off += 14
    while etype in _VLAN_TYPES:
        if end < off + 4:
            return None
        etype = _U16(data, off + 2)[0]
        off += 4
    return (etype, off)


def _gre(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """What a GRE header at ``start`` carries: (EtherType, offset), or None when not read.

    Version 0 with optional checksum, key and sequence number (IP, Ethernet, ERSPAN
    type I/II/III); version 1 is PPTP's enhanced GRE with PPP inside. Source routing
    (obsolete) is not read.
    """
    if end < start + 4:
        return None
    flags, ptype = _U16(data, start)[0], _U16(data, start + 2)[0]
    version = flags & 7
    if flags & 0x4000:  # routing present
        return None
    off = start + 4
    if version == 0:
        off += 4 * (bool(flags & 0x8000) + bool(flags & 0x2000) + bool(flags & 0x1000))
        if ptype == _GRE_ETHERNET:
            return _ethernet(data, off, end)
        if ptype == _ERSPAN_2:  # type II has an 8-byte header (and a sequence number); type I none
            return _ethernet(data, off + 8 if flags & 0x1000 else off, end)
        if ptype == _ERSPAN_3:  # 12 bytes, plus an 8-byte platform subheader when O is set
            if end < off + 12:
                return None
            return _ethernet(data, off + (20 if data[off + 11] & 0x01 else 12), end)
        return (ptype, off) if end > off else None
    if version == 1 and ptype == 0x880B:  # PPTP: key always, then sequence and ack numbers
        off += 4 + 4 * (bool(flags & 0x1000) + bool(flags & 0x0080))
        if end < off + 1:
            return None
        if data[off : off + 2] == b"\xff\x03":
            off += 2
        if end < off + 1:
            return None
        if data[off] & 1:  # protocol field compressed to one byte
            return (_PPP_TO_ETH.get(data[off], -1), off + 1)
        if end < off + 2:
            return None
        return (_PPP_TO_ETH.get(_U16(data, off)[0], -1), off + 2)
    return None
