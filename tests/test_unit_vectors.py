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


def test_the_ingest_stores_every_unit_vector_and_answers_embed_no_unit(seed_index, embedder):
    """The units the answerer scores were embedded at ingest (stored with the lexical segment,
    as float16): answering embeds none of them, and the stored vectors are the model's."""
    from core.units import unit_texts

    rec = RecordingEmbedder(embedder)
    index = LoadedIndex(seed_index, embedder=rec)
    units = list(dict.fromkeys(t for c in index.chunks for t in unit_texts(c)))
    stored = index.lexical.unit_vectors(units)
    assert units and set(stored) == set(units)
    sample = units[:: max(1, len(units) // 8)]
    fresh = embedder.embed_documents(sample)
    for text, vector in zip(sample, fresh):
        assert stored[text] == pytest.approx(vector, abs=2e-3), text
    assistant = Assistant(seed_index, index, audit=None)
    for question in ["Who can provide lactation education and support services?",
                     "Which breast pumps can a member get, and who prescribes them?"]:
        answer = assistant.ask(question)
        assert answer.citations, answer.text
    assert not set(rec.texts) & set(units), [t for t in rec.texts if t in units]


def test_units_the_index_does_not_hold_are_embedded_with_the_same_similarities(embedder):
    parts = ["How long do I have to file a claim?"]
    units = ["Claims must be filed within 180 days.", "Fax the form to the department."]
    plain = UnitVectors(embedder.embed_documents).similarities(parts, units)
    rec = RecordingEmbedder(embedder)
    held = {units[0]: embedder.embed_documents([units[0]])[0]}
    mixed = UnitVectors(rec.embed_documents, stored=lambda texts: {
        t: held[t] for t in texts if t in held})
    assert mixed.similarities(parts, units)[0] == pytest.approx(plain[0], abs=1e-5)
    assert units[0] not in rec.texts and rec.texts.count(units[1]) == 1


def test_stored_vectors_are_found_in_whichever_segment_holds_them(tmp_path):
    """A segment written without unit vectors (built from a Chroma server's rows, or by an
    older version) holds none; texts are looked up across segments, each found where it is."""
    import numpy as np

    from core.lexical import Segment, stored_unit_vectors, write_segment
    from core.store import chunk_metadata
    from core.types import Chunk

    text = "Claims are due in 180 days. Fax them."
    chunk = Chunk(chunk_id="p-0", doc_id="p", title="P", section="S", text=text, start=0,
                  end=len(text), ordinal=0, content_hash="h", sentences=[(0, 27), (28, 37)])
    plain, held = tmp_path / "plain", tmp_path / "held"
    write_segment(plain, [chunk], [chunk_metadata(chunk)], [""])
    first, second = [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]
    write_segment(held, [chunk], [chunk_metadata(chunk)], [""],
                  unit_vectors={"Claims are due in 180 days.": first, "Fax them.": second})
    assert stored_unit_vectors([Segment(plain)], ["Fax them."]) == {}
    found = stored_unit_vectors([Segment(plain), Segment(held)],
                                ["Fax them.", "Not a unit.", "Claims are due in 180 days."])
    assert set(found) == {"Fax them.", "Claims are due in 180 days."}
    assert np.allclose(found["Fax them."], second, atol=1e-3)
    assert np.allclose(found["Claims are due in 180 days."], first, atol=1e-3)
