"""The answer path's vectors: a question embedded for retrieval is reused by unit scoring, units
are embedded once, and reusing vectors changes no similarity."""

from __future__ import annotations

import pytest

from assistant.index import LoadedIndex
from assistant.pipeline import Assistant
from assistant.unit_vectors import QueryVectors, UnitVectors


class RecordingEmbedder:
    """The real model, recording every text it embeds."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []

    def embed_documents(self, texts):
        self.texts += list(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        self.texts.append(text)
        return self.inner.embed_query(text)


def test_query_vectors_embed_a_text_once_and_forget_the_oldest(embedder):
    rec = RecordingEmbedder(embedder)
    queries = QueryVectors(rec.embed_query, max_items=2)
    assert queries.get("who bills?") is None
    first = queries("who bills?")
    assert queries("who bills?") == first and rec.texts == ["who bills?"]
    queries("a")
    queries("b")  # "who bills?" is now the oldest of three: forgotten
    assert queries.get("who bills?") is None and queries.get("b") is not None


def test_unit_vectors_reuse_known_parts_with_the_same_similarities(embedder):
    parts = ["How long do I have to file a claim?"]
    units = ["Claims must be filed within 180 days.", "Fax the form to the department."]
    plain = UnitVectors(embedder.embed_documents).similarities(parts, units)

    rec = RecordingEmbedder(embedder)
    queries = QueryVectors(rec.embed_query)
    queries(parts[0])
    reused = UnitVectors(rec.embed_documents, known=queries.get)
    assert reused.similarities(parts, units)[0] == pytest.approx(plain[0], abs=1e-5)
    assert rec.texts.count(parts[0]) == 1  # embedded for the query only
    reused.similarities(parts, units)
    assert rec.texts.count(units[0]) == 1  # units are cached


def test_a_question_is_embedded_once_per_answer(seed_index, embedder):
    rec = RecordingEmbedder(embedder)
    index = LoadedIndex(seed_index, embedder=rec)
    assistant = Assistant(seed_index, index, audit=None)
    question = "Who can provide lactation education and support services?"
    answer = assistant.ask(question)
    assert answer.citations, answer.text
    assert rec.texts.count(question) == 1, rec.texts
