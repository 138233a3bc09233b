"""The two places an index can live, behind one small protocol; the only chromadb importer.

- ``EmbeddedChroma``: a folder on this machine (``<index_dir>/chroma``). The pointer is
  ``<index_dir>/CURRENT.json``, replaced atomically. Every reader runs on this machine and holds a
  lease (core/leases.py), so cleanup needs nothing more. Its client is in-process: no call can
  find it unreachable once it is open.
- ``ServerChroma``: a ``chroma run`` server at a URL. The pointer is the metadata of a
  ``<base>__pointer`` collection, which also lists the states superseded in the last
  ``SERVER_GRACE_S``: readers on other machines hold no lease here, so cleanup keeps those states'
  segments that long. A dropped connection, a timeout or a 502/503 means "unavailable": the client
  is dropped and the next call connects again.

``chroma_backend(settings)`` picks one, once, from ``Settings.chroma_url``.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from core.errors import IndexUnavailableError
from core.files import atomic_write
from core.settings import Settings
from core.states import Generation

SERVER_GRACE_S = 600.0  # a superseded state's segments stay this long on a Chroma server
T = TypeVar("T")


class ChromaBackend(ABC):
    """One Chroma: how its client opens, which failures mean "unavailable", where the pointer
    lives, and which segments cleanup keeps for readers it cannot see."""

    def __init__(self, where: str):
        self.where = where  # what messages name: the index folder or the server's URL
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The chromadb client, opened on first use; IndexUnavailableError when it cannot be."""
        if self._client is None:
            try:
                self._client = self._open_client()
            except Exception as exc:  # chromadb raises plain exceptions for connection failures
                raise IndexUnavailableError(self.where, short_error(exc)) from exc
        return self._client

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``; a failure that means unavailable becomes
        IndexUnavailableError and drops the client, so the next call connects again."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if self.is_unavailable(exc):
                self._client = None
                raise IndexUnavailableError(self.where, short_error(exc)) from exc
            raise

    @abstractmethod
    def _open_client(self) -> Any:
        """A new chromadb client (raises what chromadb raises)."""

    @abstractmethod
    def is_unavailable(self, exc: Exception) -> bool:
        """Whether ``exc``, raised by a call on an open client, means the store cannot be reached
        right now (rather than a mistake to report)."""

    @abstractmethod
    def read_pointer(self) -> dict[str, Any] | None:
        """The pointer: ``current`` (state name), ``fingerprint``, ``state`` (the state's record,
        None in an older layout); None when nothing was ever switched to."""

    @abstractmethod
    def write_pointer(self, state: Generation) -> None:
        """Atomically make ``state`` the one every reader opens."""

    @abstractmethod
    def recently_superseded(self) -> set[str]:
        """Segments of superseded states that readers this machine cannot see may still use."""


def chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class EmbeddedChroma(ChromaBackend):
    def __init__(self, index_dir: Path):
        super().__init__(str(index_dir))
        self.root = Path(index_dir)
        self.pointer_file = self.root / "CURRENT.json"

    def _open_client(self) -> Any:
        import chromadb

        path = self.root / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings())

    def is_unavailable(self, exc: Exception) -> bool:
        return False

    def read_pointer(self) -> dict[str, Any] | None:
        if not self.pointer_file.exists():
            return None
        return json.loads(self.pointer_file.read_text())

    def write_pointer(self, state: Generation) -> None:
        atomic_write(self.pointer_file, json.dumps({
            "current": state.name, "fingerprint": state.fingerprint, "state": state.to_json()}))

    def recently_superseded(self) -> set[str]:
        return set()


class ServerChroma(ChromaBackend):
    def __init__(self, url: str, base: str):
        super().__init__(url)
        self.url = urlparse(url)
        self.pointer_collection = f"{base}__pointer"

    def _open_client(self) -> Any:
        import chromadb

        return chromadb.HttpClient(host=self.url.hostname or "127.0.0.1",
                                   port=self.url.port or 8000, ssl=self.url.scheme == "https",
                                   settings=chroma_settings())

    def is_unavailable(self, exc: Exception) -> bool:
        text = f"{type(exc).__name__} {exc}".lower()
        return any(w in text for w in ("connect", "timeout", "timed out", "refused",
                                       "unreachable", "could not connect", "remoteprotocol",
                                       "503", "502"))

    def read_pointer(self) -> dict[str, Any] | None:
        meta = self._pointer_metadata()
        if meta is None:
            return None
        return {"current": meta["current"],
                "fingerprint": json.loads(meta.get("fingerprint", "{}")),
                "state": json.loads(meta["state"]) if "state" in meta else None}

    def write_pointer(self, state: Generation) -> None:
        now = time.time()
        old = self._pointer_metadata() or {}
        history = [h for h in self._history(old) if now - h[2] < SERVER_GRACE_S]
        if "state" in old:
            previous = Generation.from_json(json.loads(old["state"]))
            history.append([previous.name, [s.name for s in previous.segments], now])
        col = self.call(self.client.get_or_create_collection, self.pointer_collection)
        self.call(col.modify, metadata={
            "current": state.name, "fingerprint": json.dumps(state.fingerprint, sort_keys=True),
            "state": json.dumps(state.to_json()), "history": json.dumps(history),
            "switched_at": now,
        })

    def recently_superseded(self) -> set[str]:
        now = time.time()
        return {segment for _, segments, at in self._history(self._pointer_metadata() or {})
                if now - at < SERVER_GRACE_S for segment in segments}

    def _pointer_metadata(self) -> dict[str, Any] | None:
        """The pointer collection's metadata; None when no state was switched to yet."""
        try:
            col = self.call(self.client.get_collection, self.pointer_collection)
        except IndexUnavailableError:
            raise
        except Exception:  # noqa: BLE001 - chromadb: no pointer collection yet
            return None
        meta = col.metadata or {}
        return meta if "current" in meta else None

    @staticmethod
    def _history(meta: dict[str, Any]) -> list[list[Any]]:
        """[state name, its segments, when it was superseded] of earlier states."""
        return json.loads(meta.get("history", "[]"))


def chroma_backend(settings: Settings) -> ChromaBackend:
    """The server at ``settings.chroma_url`` when one is set, else the embedded folder."""
    if settings.chroma_url:
        return ServerChroma(settings.chroma_url, settings.collection)
    return EmbeddedChroma(settings.index_dir)


def short_error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"
