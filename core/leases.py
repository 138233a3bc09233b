"""Reader leases: which index states running readers still use, so cleanup never removes them.

A reader holds an exclusive ``flock`` on ``<index_dir>/leases/<state>.<random>.lease`` for as long
as it reads that state. The lock dies with the process (``kill -9`` included), so a lease file
whose lock can be taken is stale and is removed. The file is created under a temporary name,
locked, and only then renamed to ``*.lease``: cleanup never sees a lease before it is held.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path

SUFFIX = ".lease"


class Lease:
    def __init__(self, folder: Path, state: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.state = state
        token = secrets.token_hex(6)
        tmp = folder / f".{state}.{token}.tmp"
        self._fh = open(tmp, "w")  # noqa: SIM115 - held for the lease's lifetime
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.path = folder / f"{state}.{token}{SUFFIX}"
        os.replace(tmp, self.path)

    def release(self) -> None:
        if self._fh is not None and not self._fh.closed:
            try:
                self.path.unlink(missing_ok=True)
            finally:
                self._fh.close()

    def __del__(self):
        try:
            self.release()
        except Exception:  # interpreter shutdown
            pass


def leased_states(folder: Path) -> set[str]:
    """States some live process holds a lease on; stale lease files are removed on the way."""
    out: set[str] = set()
    if not folder.is_dir():
        return out
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            fh = open(path)  # noqa: SIM115
        except FileNotFoundError:
            continue
        with fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                out.add(path.name.rsplit(".", 2)[0])
                continue
            path.unlink(missing_ok=True)  # its holder is gone
    for tmp in folder.glob(".*.tmp"):  # a reader killed between open and rename
        try:
            with open(tmp) as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                tmp.unlink(missing_ok=True)
        except (BlockingIOError, FileNotFoundError):
            pass
    return out
