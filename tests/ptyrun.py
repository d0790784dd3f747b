#!/usr/bin/env python3
"""Run a command on a fresh pseudo-terminal, as if typed in a terminal.

Usage: ptyrun.py [--rows R] [--cols C] [--timeout S] [STEP...] -- CMD...

The terminal gets the window size R x C.  The steps run in order, like a person
at the terminal:
  --wait TEXT     wait until the output shows TEXT (after what earlier waits saw)
  --input TEXT    type TEXT (backslash escapes like \\n and \\x03 are decoded)
  --resize RxC    change the window size (the kernel sends SIGWINCH to the
                  terminal's foreground process group)
  --sleep S       keep reading output for S seconds
  --close         close the terminal (hang it up), as closing its window does
Prints everything the command wrote to the terminal (carriage returns removed)
and exits with the command's status (128+N if killed by signal N).  On stderr it
reports "termios: restored" or "termios: changed" comparing the terminal's
modes before the command started and after it exited ("termios: hung up" after
--close), and "ptyrun: exited before STEP" when the command ended first.
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


class Step(argparse.Action):
    def __call__(self, parser, namespace, value, option_string=None):
        namespace.steps.append((option_string[2:], "" if value == [] else value))


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--timeout", type=float, default=30)
    ap.set_defaults(steps=[])
    for name in ("wait", "input", "resize", "sleep"):
        ap.add_argument("--" + name, action=Step)
    ap.add_argument("--close", action=Step, nargs=0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd

    master, slave = pty.openpty()
    set_size(slave, a.rows, a.cols)
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
    seen = 0             # output before this offset was matched by a --wait

    def got(chunk):   # pass output on as it comes (tests wait for markers)
        nonlocal data
        data += chunk
        sys.stdout.write(chunk.decode(errors="replace").replace("\r", ""))
        sys.stdout.flush()

    def read_output(timeout):
        if master < 0:
            time.sleep(timeout)
            return
        if select.select([master], [], [], timeout)[0]:
            try:
                got(os.read(master, 65536))
            except OSError:
                pass

    steps = list(a.steps)
    pause_until = None
    deadline = time.time() + a.timeout
    status = None
    while status is None:
        read_output(0.05)
        while steps and status is None:
            kind, value = steps[0]
            if kind == "wait":
                at = data.find(value.encode(), seen)
                if at < 0:
                    break
                seen = at + len(value.encode())
            elif kind == "input":
                os.write(master, value.encode().decode("unicode_escape").encode("latin-1"))
            elif kind == "resize":
                rows, cols = (int(n) for n in value.split("x"))
                set_size(master, rows, cols)
            elif kind == "sleep":
                if pause_until is None:
                    pause_until = time.time() + float(value)
                if time.time() < pause_until:
                    break
                pause_until = None
            elif kind == "close":
                os.close(master)
                master = -1
            steps.pop(0)
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid:
            status = os.waitstatus_to_exitcode(st)
        elif time.time() > deadline:
            os.kill(pid, 9)
            sys.stderr.write("ptyrun: timed out\n")
    while master >= 0 and select.select([master], [], [], 0.2)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        got(chunk)
    if steps:
        sys.stderr.write("ptyrun: exited before --%s %s\n" % steps[0])
    try:
        after = termios.tcgetattr(slave)
        sys.stderr.write("termios: %s\n" % ("restored" if before == after else "changed"))
    except termios.error:
        sys.stderr.write("termios: hung up\n")
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
