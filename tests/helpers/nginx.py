"""Debian's nginx with the shipped deploy/nginx.conf, in a folder of its own, and slow-loris clients to send it."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render_nginx_conf(runtime: Path, listen: str, upstream: str, prefix: str) -> Path:
    """deploy/nginx.conf with its placeholders filled, written into `runtime` (which also gets its pid, logs, temp)."""
    lines = (ROOT / "deploy" / "nginx.conf").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#")) + "\n"  # the how-to comments
    values = {
        "@USER@": pwd.getpwuid(os.getuid()).pw_name,
        "@RUNTIME@": str(runtime),
        "@LISTEN@": listen,
        "@UPSTREAM@": upstream,
        "@PREFIX@": prefix,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    assert not re.search(r"@[A-Z]+@", text), "a placeholder was left unfilled"
    conf = runtime / "nginx.conf"
    conf.write_text(text)
    return conf


@contextmanager
def nginx(runtime: Path, port: int, upstream: str, prefix: str) -> Iterator[str]:
    """nginx on 127.0.0.1:`port` in front of `upstream` (host:port) under `prefix`; yields the site's URL."""
    conf = render_nginx_conf(runtime, f"127.0.0.1:{port}", upstream, prefix)
    argv = [NGINX, "-e", str(runtime / "error.log"), "-p", str(runtime), "-c", str(conf), "-g", "daemon off;"]
    test = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if test.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration: {test.stderr}")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    site = f"http://127.0.0.1:{port}{prefix}"
    try:
        for _ in range(100):
            if proc.poll() is not None:
                raise RuntimeError("nginx exited: " + (proc.stderr.read().decode() if proc.stderr else ""))
            try:
                if requests.get(site + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise RuntimeError("nginx did not come up: " + (runtime / "error.log").read_text()[-2000:])
        yield site
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful stop of this nginx (its own pid), then force
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class SlowClient:
    """A slow-loris client: opens a request and sends one more header line every few seconds, never finishing,
    until the server cuts it off or `max_lines` lines have gone."""

    port: int
    path: str = "/"
    every_s: float = 5.0
    max_lines: int = 24
    lines_sent: int = 0
    cut_off: bool = False
    answer: bytes = b""
    started: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            self.started.set()
            sock.settimeout(self.every_s)
            for n in range(self.max_lines):
                try:
                    self.answer += sock.recv(4096)  # waits up to every_s for the server to answer or close
                    self.cut_off = True  # an answer (408) or a close: the server gave up on this client
                    return
                except TimeoutError:
                    pass
                except OSError:  # reset: the server dropped the connection (nginx's reset_timedout_connection)
                    self.cut_off = True
                    return
                try:
                    sock.sendall(f"X-Slow-{n}: {'a' * 20}\r\n".encode())
                except OSError:
                    self.cut_off = True
                    return
                self.lines_sent += 1


def start_slow_clients(
    port: int, count: int, path: str = "/", **options: float
) -> tuple[list[SlowClient], list[threading.Thread]]:
    """Start `count` slow clients in daemon threads; returns them and their threads once all have connected."""
    clients = [SlowClient(port, path, **options) for _ in range(count)]  # type: ignore[arg-type]
    threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for client in clients:
        if not client.started.wait(30):
            raise RuntimeError("a slow client could not connect")
    return clients, threads
