from assistant.retrieve import merge_neighbours
from assistant.verify import claims, verify
from core.types import Chunk, Passage

TEXT = ("Prescriptions for lactation DME must be written by a licensed provider. "
        "Hospital-grade pumps are rentals only.\n\nMembers may obtain the following pumps:\n"
        "• Manual breast pump\n• Personal-use electric breast pump")


def _passage(text=TEXT, ordinal=0, start=0, section="DME", cid=None):
    from ingest.chunk import sentence_spans

    spans = []
    pos = 0
    for block in text.split("\n"):
        if block.startswith("• "):
            spans.append((pos, pos + len(block)))
        elif block:
            spans += [(pos + a, pos + b) for a, b in sentence_spans(block)]
        pos += len(block) + 1
    chunk = Chunk(chunk_id=cid or f"doc::dme::{ordinal}", doc_id="doc", title="T",
                  section=section, text=text, start=start, end=start + len(text),
                  ordinal=ordinal, content_hash="h", sentences=spans)
    return Passage(chunk=chunk, score=1.0)


def test_supported_sentences_kept_and_quotes_are_exact():
    p = _passage()
    out = verify("Prescriptions for lactation DME must be written by a licensed provider. [1]", [p])
    assert out.kept == 1 and out.removed == 0
    assert out.citations[0].quote in p.chunk.text
    assert out.text.endswith("[1]")


def test_invented_sentence_is_removed_and_counted():
    p = _passage()
    draft = ("Hospital-grade pumps are rentals only. [1] "
             "Members may buy a hospital-grade pump for 300 dollars. [1] "
             "Pumps are free for everyone. [2]")
    out = verify(draft, [p])
    assert out.kept == 1 and out.removed == 2
    assert "300" not in out.text and "free" not in out.text


def test_negation_flip_is_not_supported():
    out = verify("Hospital-grade pumps are not rentals only. [1]", [_passage()])
    assert out.kept == 0 and out.removed == 1


def test_sentence_without_marker_is_removed_and_paraphrase_kept():
    out = verify("A licensed provider must write prescriptions for lactation DME [1]. "
                 "Call us anytime.", [_passage()])
    assert out.kept == 1 and out.removed == 1


def test_list_with_lead_in_stays_one_claim():
    draft = "Members may obtain the following pumps:\n• Manual breast pump [1]"
    out = verify(draft, [_passage()])
    assert out.kept == 1 and "following pumps:\n• Manual" in out.text


def test_claims_split_on_markers():
    assert claims("A. [1] B [2][3] tail") == [("A.", [1]), (" B", [2, 3]), (" tail", [])]


def test_neighbouring_chunks_of_a_section_merge_and_cite_their_own_chunk():
    a = _passage("First part of the section.", ordinal=0, start=0)
    b = _passage("Second part follows here.", ordinal=1, start=28, cid="doc::dme::1")
    merged = merge_neighbours([a, b])
    assert len(merged) == 1
    out = verify("Second part follows here. [1]", merged)
    assert out.citations[0].chunk_id == "doc::dme::1"
    assert out.citations[0].quote == "Second part follows here."
    other = _passage("Other section text.", ordinal=2, start=60, section="Other",
                     cid="doc::other::0")
    assert len(merge_neighbours([a, other])) == 2
