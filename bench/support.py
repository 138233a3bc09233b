"""Helpers the benches and the tests share: free ports, waiting for a server's HTTP answer,
stopping a process politely. Standard library only (tests import them via tests/support.py)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 5) -> int | None:
    """The HTTP status ``url`` answers with (an error status too); None when unreachable."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None,
              ok: tuple[int, ...] = (200,), interval: float = 0.2) -> None:
    """Wait until ``url`` answers with a status in ``ok``; RuntimeError when ``proc`` exits
    first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        if http_status(url, timeout=1) in ok:
            return
        time.sleep(interval)
    raise RuntimeError(f"server at {url} did not answer within {timeout}s")


def stop_process(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
