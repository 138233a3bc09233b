"""Embedding models are built by a factory registered for their key's scheme: a deterministic
fake plugs in by name, through ingest and the assistant, without touching either."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from core import embeddings
from core.errors import ConfigError
from core.settings import EmbeddingSettings
from tests.conftest import make_settings


class WordHashEmbeddings:
    """Deterministic: the normalised sum of one pseudo-random vector per word."""

    def __init__(self, dim: int):
        self.dim, self.calls = dim, 0

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def embed_documents(self, texts):
        self.calls += 1
        out = []
        for text in texts:
            v = sum((self._word(w) for w in text.lower().split()), np.zeros(self.dim))
            out.append((v / (np.linalg.norm(v) or 1.0)).tolist())
        return out

    def embed_query(self, text):
        return self.embed_documents([text])[0]


@pytest.fixture
def word_hash():
    made: list[WordHashEmbeddings] = []

    def factory(settings: EmbeddingSettings) -> WordHashEmbeddings:
        made.append(WordHashEmbeddings(int(settings.model.partition(":")[2])))
        return made[-1]

    embeddings.register("wordhash", factory)
    yield made
    embeddings.unregister("wordhash")


def test_a_registered_scheme_builds_the_model_its_key_names(word_hash):
    model = embeddings.get_embeddings(EmbeddingSettings(model="wordhash:16"))
    assert model is word_hash[0] and len(model.embed_query("fax the form")) == 16
    assert embeddings.get_embeddings(EmbeddingSettings(model="wordhash:16")) is model  # one each


def test_an_unknown_scheme_is_a_clear_error_naming_the_known_ones():
    with pytest.raises(ConfigError, match=r"Unknown embedding model key 'nope:x'.*'st:\.\.\.'"):
        embeddings.build_embeddings(EmbeddingSettings(model="nope:x"))
    with pytest.raises(ConfigError, match="PMA_EMBEDDING__MODEL"):
        embeddings.build_embeddings(EmbeddingSettings(model="no-scheme-at-all"))


def test_ingest_and_answers_run_on_a_registered_fake(word_hash, tmp_path):
    from assistant.pipeline import Assistant
    from ingest.build import ingest

    settings = make_settings(tmp_path)
    settings = settings.model_copy(update={
        "embedding": settings.embedding.model_copy(update={"model": "wordhash:32"})})
    ingest(settings.corpus, settings, progress=False)
    answer = Assistant.from_settings(settings, audit=None).ask(
        "Who can provide lactation education and support services?")
    assert word_hash and word_hash[0].calls >= 2  # the index and the question, both on the fake
    assert answer.contexts and answer.contexts[0].doc_id
