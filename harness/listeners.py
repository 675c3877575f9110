"""Which sockets a process tree has open for others to reach, read from ``/proc`` (Linux only).

A local emulator must be reachable from this machine only: every socket its processes listen on
(TCP) or receive on without a peer (unconnected UDP) has to be bound to a loopback address. This
module lists those sockets for a process and all its descendants, by matching the socket inodes of
``/proc/<pid>/fd`` against the socket tables of the process's network namespace
(``/proc/<pid>/net/{tcp,tcp6,udp,udp6}``), so no extra package (psutil) is needed.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")

TCP_LISTEN = "0A"
"""``st`` of a listening TCP socket in ``/proc/net/tcp``."""

UDP_UNCONNECTED = "07"
"""``st`` of a UDP socket (TCP_CLOSE); with a zero remote address it receives from anyone."""

TABLES = (("tcp", 4), ("tcp6", 6), ("udp", 4), ("udp6", 6))


@dataclass(frozen=True)
class Listener:
    """A socket open for others to reach.

    Attributes:
        protocol: ``tcp`` (listening) or ``udp`` (bound, unconnected).
        address: The local address it is bound to, e.g. ``127.0.0.1`` or ``::``.
        port: The local port.
        pid: A process of the tree holding it.
        command: That process's command name.
    """

    protocol: str
    address: str
    port: int
    pid: int
    command: str

    @property
    def is_loopback(self) -> bool:
        """True when only this machine can reach it (127.0.0.0/8, ``::1``, or IPv4-mapped loopback)."""
        ip = ipaddress.ip_address(self.address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return ip.ipv4_mapped.is_loopback
        return ip.is_loopback

    def describe(self) -> str:
        """``tcp 0.0.0.0:8883 (pid 123 python)``."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.protocol} {host}:{self.port} (pid {self.pid} {self.command})"


def process_tree(root: int) -> list[int]:
    """``root`` and every live descendant of it (by parent pid), root first."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        # The command name is in parentheses and may hold spaces or parentheses itself.
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree: list[int] = []
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in tree:
            continue
        tree.append(pid)
        pending.extend(children.get(pid, ()))
    return tree


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _decode_address(hex_address: str, version: int) -> tuple[str, int]:
    """``0100007F:1F90`` -> (``127.0.0.1``, 8080): each 32-bit word is in host (little-endian) order."""
    host_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(host_hex)
    host = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.IPv4Address(host) if version == 4 else ipaddress.IPv6Address(host)
    return str(ip), int(port_hex, 16)


def _open_sockets(pid: int) -> dict[str, tuple[str, str, int]]:
    """Inode -> (protocol, address, port) for every socket of ``pid``'s namespace open to others."""
    found: dict[str, tuple[str, str, int]] = {}
    for table, version in TABLES:
        try:
            lines = (PROC / str(pid) / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        protocol = table.rstrip("6")
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            listening = state == TCP_LISTEN if protocol == "tcp" else state == UDP_UNCONNECTED
            if protocol == "udp" and _decode_address(remote, version)[1] != 0:
                listening = False  # connected to one peer only
            if listening:
                address, port = _decode_address(local, version)
                found[inode] = (protocol, address, port)
    return found


def _command(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return "?"


def listeners(root: int) -> list[Listener]:
    """Every socket the process ``root`` and its descendants listen or receive on, sorted."""
    found: set[Listener] = set()
    tables: dict[str, dict[str, tuple[str, str, int]]] = {}
    for pid in process_tree(root):
        inodes = _socket_inodes(pid)
        if not inodes:
            continue
        try:
            namespace = os.readlink(PROC / str(pid) / "ns" / "net")
        except OSError:
            namespace = str(pid)
        if namespace not in tables:
            tables[namespace] = _open_sockets(pid)
        for inode in inodes & tables[namespace].keys():
            protocol, address, port = tables[namespace][inode]
            found.add(Listener(protocol, address, port, pid, _command(pid)))
    return sorted(found, key=lambda item: (item.protocol, item.port, item.address, item.pid))


def exposed(found: Iterable[Listener]) -> list[Listener]:
    """Those of ``found`` that are not bound to a loopback address."""
    return [listener for listener in found if not listener.is_loopback]
