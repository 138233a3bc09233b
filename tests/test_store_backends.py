"""The two Chroma backends (core/chroma_backends.py) on real Chroma: picked once from Settings, the
pointer kept where each keeps it, what "unavailable" means, and what cleanup keeps for readers on
other machines."""

from __future__ import annotations

import json
import os

import pytest

from core import chroma_backends
from core.chroma_backends import EmbeddedChroma, ServerChroma, chroma_backend
from core.errors import IndexUnavailableError
from core.states import Generation, SegmentRef
from core.store import IndexStore
from tests.conftest import make_settings
from tests.support import free_port

FINGERPRINT = {"schema": 3, "embedding_model": "st:test"}


def test_settings_pick_the_backend(tmp_path):
    embedded = chroma_backend(make_settings(tmp_path))
    assert isinstance(embedded, EmbeddedChroma) and embedded.where == str(tmp_path / "index")
    server = chroma_backend(make_settings(tmp_path, chroma_url="http://127.0.0.1:8000"))
    assert isinstance(server, ServerChroma) and server.where == "http://127.0.0.1:8000"


def test_embedded_pointer_is_a_file_and_reading_it_opens_no_chroma(tmp_path):
    backend = EmbeddedChroma(tmp_path / "index")
    assert backend.read_pointer() is None
    state = Generation("pm__g2", FINGERPRINT, [SegmentRef("pm__g1", 4, [2]),
                                               SegmentRef("pm__g2", 1)], parent="pm__g1")
    backend.write_pointer(state)
    on_disk = json.loads((tmp_path / "index" / "CURRENT.json").read_text())
    assert on_disk["current"] == "pm__g2" and Generation.from_json(on_disk["state"]) == state
    assert backend.read_pointer() == on_disk
    assert not (tmp_path / "index" / "chroma").exists()
    assert backend.recently_superseded() == set()  # every reader here holds a lease


def test_the_store_reads_its_state_through_the_backend(tmp_path):
    store = IndexStore(make_settings(tmp_path))
    assert store.current() is None
    state = Generation("provider_manual__g1", FINGERPRINT, [SegmentRef("provider_manual__g1", 3)])
    store.switch(state)
    assert store.current() == state and store.state("provider_manual__g1") == state
    assert store.open_current(FINGERPRINT) == state


def test_an_unreachable_server_is_unavailable(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    store = IndexStore(make_settings(tmp_path, chroma_url=url))
    with pytest.raises(IndexUnavailableError, match="127.0.0.1"):
        store.current()
    with pytest.raises(IndexUnavailableError):
        store.count("provider_manual__g1")


def test_only_a_lost_server_connection_means_unavailable(tmp_path):
    refused = ConnectionRefusedError("[Errno 111] Connection refused")
    missing = ValueError("Collection [pm__g9] does not exist")
    server = ServerChroma("http://127.0.0.1:8000", "pm")
    assert server.is_unavailable(refused) and not server.is_unavailable(missing)
    embedded = EmbeddedChroma(tmp_path / "index")
    assert not embedded.is_unavailable(refused) and not embedded.is_unavailable(missing)


@pytest.mark.server
def test_server_pointer_keeps_superseded_segments_for_the_grace_period(chroma_server,
                                                                         monkeypatch):
    base = f"t{os.getpid()}bk"
    backend = ServerChroma(chroma_server.url, base)
    assert backend.read_pointer() is None
    first = Generation(f"{base}__g1", FINGERPRINT, [SegmentRef(f"{base}__g1", 3)])
    second = Generation(f"{base}__g2", FINGERPRINT, [SegmentRef(f"{base}__g1", 3, [0]),
                                                     SegmentRef(f"{base}__g2", 1)])
    backend.write_pointer(first)
    assert backend.recently_superseded() == set()
    backend.write_pointer(second)
    pointer = backend.read_pointer()
    assert pointer["current"] == second.name and pointer["fingerprint"] == FINGERPRINT
    assert Generation.from_json(pointer["state"]) == second
    assert backend.recently_superseded() == {f"{base}__g1"}
    monkeypatch.setattr(chroma_backends, "SERVER_GRACE_S", 0.0)
    assert backend.recently_superseded() == set()
