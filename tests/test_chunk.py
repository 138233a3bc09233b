from core.settings import ChunkingSettings
from core.types import Block, Document
from ingest.chunk import chunk_document, render


def _doc(blocks, **kw):
    base = dict(doc_id="vision-care", source="x.txt", format="text", title="Vision Care",
                url="https://example.test/vision-care.html", last_updated="2025-01-31",
                provider_types=["Physicians"], line_of_business="Medi-Cal")
    base.update(kw)
    return Document(blocks=blocks, **base)


def P(t):
    return Block(kind="paragraph", text=t)


def H(t, level=1):
    return Block(kind="heading", text=t, level=level)


def L(t):
    return Block(kind="list_item", text=t)


def test_sections_follow_headings_and_offsets_point_into_page():
    doc = _doc([P("Eye exams are covered once every two years."), H("Glasses"),
                P("Frames come from the state lab."), H("Contacts"), P("Contacts need a TAR.")])
    page, chunks = chunk_document(doc, ChunkingSettings())
    assert [c.section for c in chunks] == ["Vision Care", "Glasses", "Contacts"]
    for c in chunks:
        assert page[c.start:c.end] == c.text
        assert c.doc_id == "vision-care" and c.url and c.last_updated == "2025-01-31"
        assert c.provider_types == ["Physicians"] and c.line_of_business == "Medi-Cal"
    assert "Glasses" not in chunks[1].text  # headings live in metadata, not in the quote


def test_list_stays_with_its_lead_in_even_when_the_section_is_split():
    filler = " ".join(f"Sentence number {i} says something about frames." for i in range(30))
    blocks = [H("Glasses"), P(filler), P("Members may choose one of the following:"),
              L("Single vision lenses"), L("Bifocal lenses"), L("Trifocal lenses"), P(filler)]
    _, chunks = chunk_document(_doc(blocks), ChunkingSettings(max_chars=400, min_chars=50))
    assert len(chunks) > 3
    holder = [c for c in chunks if "one of the following:" in c.text]
    assert len(holder) == 1
    assert "• Single vision lenses\n• Bifocal lenses\n• Trifocal lenses" in holder[0].text
    for c in chunks:  # long paragraphs split at sentence ends only
        assert c.text.rstrip().endswith((".", "lenses")), c.text[-40:]
        assert len(c.text) <= 800


def test_short_section_is_not_split_and_sentences_are_spans():
    blocks = [H("Contacts"), P("Contacts need a TAR. Dr. Lee reviews it in 5 days.")]
    _, chunks = chunk_document(_doc(blocks), ChunkingSettings())
    assert len(chunks) == 1
    texts = chunks[0].sentence_texts()
    assert texts == ["Contacts need a TAR.", "Dr. Lee reviews it in 5 days."]


def test_chunk_ids_are_stable_and_hash_tracks_content():
    blocks = [H("Glasses"), P("Frames come from the state lab.")]
    _, a = chunk_document(_doc(blocks), ChunkingSettings())
    _, b = chunk_document(_doc(blocks), ChunkingSettings())
    _, c = chunk_document(_doc([H("Glasses"), P("Frames come from a new lab.")]),
                          ChunkingSettings())
    assert [x.chunk_id for x in a] == [x.chunk_id for x in b] == [x.chunk_id for x in c]
    assert a[0].content_hash == b[0].content_hash != c[0].content_hash


def test_render_puts_list_items_on_their_own_lines():
    page, _ = render(_doc([P("Pumps include:"), L("Manual"), L("Electric"), P("End.")]))
    assert page == "Pumps include:\n• Manual\n• Electric\n\nEnd."


def test_nested_headings_make_a_section_path():
    blocks = [H("Benefits"), H("Pumps", 2), P("Pumps are covered.")]
    _, chunks = chunk_document(_doc(blocks), ChunkingSettings())
    assert chunks[0].section == "Benefits > Pumps"
