"""Keeping a query worker off the network, whatever query it is given.

Oxigraph executes ``SERVICE <url>`` over HTTP and offers no switch to turn that off. The SERVICE
check (:func:`tipgraph.sparql.refuse_federated`) reads queries as Oxigraph does, and behind it
two layers make a connection impossible rather than unlikely:

- an empty network namespace (Linux ``unshare``), where the system allows one: no interface
  but a loopback that is down;
- a seccomp filter, which any Linux since 3.17 applies without privileges: every thread of the
  process, and every process it starts, is refused a socket of any family but ``AF_UNIX``
  (and ``io_uring``, which can open sockets too). A refused call fails with EACCES.

A worker reports which layers hold; one with neither does not serve (see
:func:`isolate_from_network`).
"""

from __future__ import annotations

import ctypes
import platform
import struct

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000

# <linux/audit.h>, and the syscall numbers of each architecture (<asm/unistd.h>).
ARCHITECTURES = {
    # machine: (AUDIT_ARCH, socket, io_uring_setup, seccomp)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
AF_UNIX = 1
EACCES = 13
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x50000, 0x7FFF0000
X32_SYSCALL_BIT = 0x40000000
# Classic BPF opcodes: load a word of struct seccomp_data, jump if equal / if greater or
# equal, return.
LOAD, JUMP_EQUAL, JUMP_AT_LEAST, RETURN = 0x20, 0x15, 0x35, 0x06
ARCH_OFFSET, NR_OFFSET, FIRST_ARGUMENT_OFFSET = 4, 0, 16  # little-endian: the low half


def _instruction(code: int, k: int, true: int = 0, false: int = 0) -> bytes:
    return struct.pack("=HBBI", code, true, false, k)


def network_filter(machine: str) -> bytes:
    """The seccomp program (classic BPF) refusing sockets other than AF_UNIX on ``machine``."""
    arch, socket, io_uring_setup, _ = ARCHITECTURES[machine]
    # Jump offsets count the instructions skipped: ALLOW is 8, REFUSE 9, KILL 10.
    program = [
        _instruction(LOAD, ARCH_OFFSET),  # 0
        _instruction(JUMP_EQUAL, arch, 0, 8),  # 1: another ABI (i386 on x86_64): kill
        _instruction(LOAD, NR_OFFSET),  # 2
        _instruction(JUMP_AT_LEAST, X32_SYSCALL_BIT, 6, 0),  # 3: the x32 ABI: kill
        _instruction(JUMP_EQUAL, io_uring_setup, 4, 0),  # 4: refuse
        _instruction(JUMP_EQUAL, socket, 0, 2),  # 5: not socket(): allow
        _instruction(LOAD, FIRST_ARGUMENT_OFFSET),  # 6: the address family
        _instruction(JUMP_EQUAL, AF_UNIX, 0, 1),  # 7
        _instruction(RETURN, SECCOMP_RET_ALLOW),  # 8
        _instruction(RETURN, SECCOMP_RET_ERRNO | EACCES),  # 9
        _instruction(RETURN, SECCOMP_RET_KILL_PROCESS),  # 10
    ]
    return b"".join(program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def forbid_sockets() -> bool:
    """Install the seccomp filter on every thread of this process; whether that worked.

    Irreversible, and inherited by every child: call it only in a process that needs no
    network (a query worker).
    """
    machine = platform.machine()
    if machine not in ARCHITECTURES:
        return False
    program = network_filter(machine)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        fprog = _SockFprog(len(program) // 8, program)
        seccomp = ARCHITECTURES[machine][3]
        flags = SECCOMP_FILTER_FLAG_TSYNC
        return bool(libc.syscall(seccomp, SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)) == 0)
    except (OSError, AttributeError):
        return False


def leave_network() -> bool:
    """Move this process into an empty network namespace; whether that worked.

    A user namespace, needed without root, requires a single-threaded process: call it before
    anything starts threads.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return any(
            libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWNET | CLONE_NEWUSER)
        )
    except (OSError, AttributeError):
        return False


def isolate_from_network() -> tuple[str, ...]:
    """Apply both layers to this process; the names of those that hold ("namespace",
    "seccomp"). Empty means nothing keeps this process off the network."""
    layers = []
    if leave_network():  # first: a user namespace needs the process still single-threaded
        layers.append("namespace")
    if forbid_sockets():
        layers.append("seccomp")
    return tuple(layers)
