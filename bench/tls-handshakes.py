#!/usr/bin/env python3
"""Helpers for bench/tls.sh.

  tls-handshakes.py run PORT 1.2|1.3|plain new|reuse SECONDS [MAX]
      Sequential implicit-TLS connections to 127.0.0.1:PORT for SECONDS (at most MAX connections): handshake,
      read the 220 banner, close (no QUIT: Exim holds its 221 up to 200 ms). `new` offers no session (a full
      handshake each time); `reuse` first makes one untimed connection for a ticket, then offers the newest
      ticket on every connection. Under TLS 1.3 the ticket is a post-handshake message, which is why the client
      reads data: when the ticket has not arrived with the banner (GnuTLS sends it after), a NOOP round trip
      follows, in both modes, so that both do the same work. `plain` does the same without TLS (connect, read
      the banner, close): the baseline that shows what the handshakes themselves cost.
      Prints: connections reused seconds noops
  tls-handshakes.py cpu PID
      Clock ticks of CPU used by PID and all its descendants, alive or already reaped: the sum over the
      live process tree of utime+stime+cutime+cstime (a reaped child's time is in its parent's cutime/cstime).
"""
import os
import socket
import ssl
import sys
import time


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed before a full line: %r" % buf)
        buf += chunk
    return buf


def one(ctx, port, session):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    s = ctx.wrap_socket(raw, session=session)
    try:
        banner = read_line(s)
        if not banner.startswith(b"220"):
            raise ConnectionError("no 220 banner: %r" % banner)
        noop = s.version() == "TLSv1.3" and not s.session.has_ticket
        if noop:
            s.sendall(b"NOOP\r\n")
            read_line(s)
        return s.session_reused, s.session, noop
    finally:
        s.close()  # no close_notify, like s_time


def one_plain(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        banner = read_line(s)
        if not banner.startswith(b"220"):
            raise ConnectionError("no 220 banner: %r" % banner)
    finally:
        s.close()


def run_plain(port, seconds, limit):
    count = 0
    start = time.monotonic()
    while count < limit and time.monotonic() - start < seconds:
        one_plain(port)
        count += 1
    print(count, 0, "%.3f" % (time.monotonic() - start), 0)


def run(port, version, mode, seconds, limit):
    if version == "plain":
        return run_plain(port, seconds, limit)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    v = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
    ctx.minimum_version = v
    ctx.maximum_version = v
    session = None
    if mode == "reuse":
        _, session, _ = one(ctx, port, None)
        if not session.has_ticket:
            sys.exit("the server issued no ticket")
    count = reused = noops = 0
    start = time.monotonic()
    while count < limit and time.monotonic() - start < seconds:
        was_reused, newest, noop = one(ctx, port, session if mode == "reuse" else None)
        count += 1
        noops += noop
        reused += was_reused
        if mode == "reuse" and newest.has_ticket:
            session = newest
    print(count, reused, "%.3f" % (time.monotonic() - start), noops)


def cpu(root):
    children = {}
    stats = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        pid = int(d)
        ppid = int(fields[1])
        children.setdefault(ppid, []).append(pid)
        stats[pid] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0)
        todo.extend(children.get(pid, []))
    print(total)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]),
            int(sys.argv[6]) if len(sys.argv) > 6 else 1_000_000)
    elif sys.argv[1] == "cpu":
        cpu(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
