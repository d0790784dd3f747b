#!/usr/bin/env python3
"""Run a command on a fresh pseudo-terminal, as if typed in a terminal.

Usage: ptyrun.py [--rows R] [--cols C] [--wait TEXT] [--input TEXT] -- CMD...

The terminal gets the window size R x C.  Once the output contains TEXT (or at
once), TEXT from --input is typed (backslash escapes like \\n are decoded).
Prints everything the command wrote to the terminal (carriage returns removed)
and exits with the command's status (128+N if killed by signal N).  On stderr it
reports "termios: restored" or "termios: changed" comparing the terminal's
modes before the command started and after it exited.
"""
import argparse
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--wait", default="")
    ap.add_argument("--input", default=None)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.closerange(3, 256)
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("ptyrun: %s: %s\n" % (cmd[0], e)).encode())
            os._exit(127)

    data = b""

    def got(chunk):   # pass output on as it comes (tests wait for markers)
        nonlocal data
        data += chunk
        sys.stdout.write(chunk.decode(errors="replace").replace("\r", ""))
        sys.stdout.flush()

    text = None if a.input is None else a.input.encode().decode("unicode_escape").encode()
    deadline = time.time() + a.timeout
    status = None
    while status is None:
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                got(os.read(master, 65536))
            except OSError:
                pass
        if text is not None and a.wait.encode() in data:
            os.write(master, text)
            text = None
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid:
            status = os.waitstatus_to_exitcode(st)
        elif time.time() > deadline:
            os.kill(pid, 9)
            sys.stderr.write("ptyrun: timed out\n")
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        got(chunk)
    after = termios.tcgetattr(slave)
    sys.stderr.write("termios: %s\n" % ("restored" if before == after else "changed"))
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
