"""Real servers a test controls: gunicorn serving the site as in production (for the browser,
resilience and two-server tests), a TCP proxy a test can cut, and a Redis of the test's own that
it can stop and start again.

The shared PostgreSQL (5432) and Redis (6379) are never stopped: the site is pointed at the
proxy's port, and cutting the proxy makes the database unreachable for the site alone.
"""

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def free_port(ports: range | None = None) -> int:
    """A loopback port free now: the first free one of `ports`, else one the system picks from
    its own range of temporary ports, so that test runs going on side by side on one machine
    do not pick the same one."""
    for port in ports or ():
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    if ports:
        raise RuntimeError(f"No free port in {ports.start}-{ports.stop - 1} for a test server.")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """Forwards a loopback port to another; `cut()` closes the port and every connection
    through it (clients then get “connection refused”), `restore()` opens it again."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def __enter__(self) -> "TcpProxy":
        self.restore()
        return self

    def __exit__(self, *exc) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                with self._lock:
                    self._sockets.discard(sock)
                with suppress(OSError):
                    sock.close()


class RedisServer:
    """A redis-server of the test's own on a free port, stopped and started at will."""

    def __init__(self, tmp: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.dir)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def database_url(db: dict, port: int | None = None) -> str:
    """DATABASE_URL for a server process, for the database `db` (a DATABASES entry)."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = port or db.get("PORT") or 5432
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{port}/{db['NAME']}"


def production_env(base: str, env: dict) -> dict:
    """The environment of a server process of the site at `base`: production settings, the
    tests' secret key (so links signed here open there), and `env` over them."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": base,
        "LOG_LEVEL": "WARNING",
        **env,
    }


@contextmanager
def process(args: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    """`args` run in the project's folder, output to `log`; stopped when the block ends."""
    with log.open("w") as output:
        running = subprocess.Popen(args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield running
        finally:
            running.send_signal(signal.SIGTERM)
            try:
                running.wait(timeout=20)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait()


@contextmanager
def gunicorn(
    env: dict, log: Path, *, workers: int = 2, threads: int = 1, port: int | None = None
) -> Iterator[str]:
    """The site served by gunicorn as in production; yields its base URL once it answers."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    args = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
    args += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    args += ["--timeout", "30"]
    with process(args, production_env(base, env), log) as server:
        _wait_until_up(base, server, log)
        yield base


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    # Generous: on a busy shared machine the workers may take a while to import the site.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/health/live/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while it starts
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 90 s:\n{log.read_text()}")


def get(url: str, headers: dict | None = None, timeout: float = 20):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
