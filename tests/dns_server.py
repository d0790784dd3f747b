#!/usr/bin/env python3
"""A small authoritative DNS server for the tests (UDP, standard library only).

    dns_server.py ADDRESS PORT NAME=IPV4 ...

Answers A queries for the NAMEs given, NXDOMAIN for every other name and an
empty answer for other types of a known name, so that no lookup in a test
waits for a resolver that is not there. The test runner starts it on the
host's loopback and shows it to the tests as the host's resolver.
"""
import socket
import struct
import sys


def parse_question(packet):
    pos, labels = 12, []
    while True:
        n = packet[pos]
        pos += 1
        if n == 0:
            break
        labels.append(packet[pos:pos + n].decode("ascii", "replace").lower())
        pos += n
    qtype, qclass = struct.unpack("!HH", packet[pos:pos + 4])
    return ".".join(labels), qtype, qclass, packet[12:pos + 4]


def answer(packet, names):
    ident, flags = struct.unpack("!HH", packet[:4])
    name, qtype, _, question = parse_question(packet)
    rd = flags & 0x0100
    if name not in names:
        # response, authoritative, recursion available, NXDOMAIN
        return struct.pack("!HHHHHH", ident, 0x8480 | rd | 3, 1, 0, 0, 0) + question
    records = b""
    count = 0
    if qtype == 1:
        records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(names[name])
        count = 1
    return struct.pack("!HHHHHH", ident, 0x8480 | rd, 1, count, 0, 0) + question + records


def main():
    address, port = sys.argv[1], int(sys.argv[2])
    names = dict(arg.lower().split("=", 1) for arg in sys.argv[3:])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    print("ready", flush=True)
    while True:
        packet, peer = sock.recvfrom(4096)
        try:
            sock.sendto(answer(packet, names), peer)
        except (IndexError, struct.error, UnicodeError):
            pass  # not a query: no answer


if __name__ == "__main__":
    main()
