"""The embedding model run by onnxruntime: the same vectors as sentence-transformers, a fast start.

Importing sentence-transformers (torch + transformers) takes about 4 s, most of a serving
process's cold start. The first time the torch model loads on a machine, it is exported once to
ONNX under ``embedding.export_dir`` and checked against sentence-transformers on sample texts
(largest difference under ``TOLERANCE``); later processes load that file with onnxruntime and the
model's own ``tokenizer.json`` (the ``tokenizers`` library) in well under a second. Only the
layout every sentence-transformers MiniLM/BERT model folder has is exported: a Transformer,
mean pooling and a Normalize module; any other model keeps running on torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

TOLERANCE = 1e-4
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
SAMPLES = [
    "Who can bill for lactation education and support services?",
    "The claim must be received within 180 days of the date of service.",
    "IBCLC",
    "Fax the prior authorization request to the Utilization Management department at "
    "1-800-555-0100 with the member's records attached.",
]


class NotExportable(Exception):
    """The model folder is not the plain Transformer + mean pooling + Normalize layout."""


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_layout(model_path: Path) -> int:
    """The model's max sequence length, or NotExportable saying why it cannot run here."""
    try:
        modules = _read_json(model_path / "modules.json")
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
            raise NotExportable(f"modules {kinds}")
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = _read_json(model_path / pooling_dir / "config.json")
        modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
        if modes != ["pooling_mode_mean_tokens"]:
            raise NotExportable(f"pooling {modes}")
        if not (model_path / "tokenizer.json").exists():
            raise NotExportable("no tokenizer.json")
        config = _read_json(model_path / "sentence_bert_config.json")
        return int(config.get("max_seq_length") or 512)
    except (OSError, KeyError, StopIteration, ValueError) as exc:
        raise NotExportable(f"unreadable model folder ({exc})") from None


def export_path(model_path: Path, export_dir: Path) -> Path:
    """Where this model's export lives: named by the model folder, its config and weights."""
    digest = hashlib.sha256()
    for f in sorted(model_path.iterdir()):
        if f.is_file():
            st = f.stat()
            digest.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
            if f.suffix == ".json":
                digest.update(f.read_bytes())
    name = model_path.parent.name if model_path.name == "model" else model_path.name
    return Path(export_dir) / f"{name}-{digest.hexdigest()[:16]}.onnx"


class OnnxEmbeddings:
    """Normalised mean-pooled vectors from an exported model (the LangChain Embeddings methods)."""

    def __init__(self, model_path: Path, onnx_file: Path, *, threads: int = 1,
                 batch_size: int = 32):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        max_len = check_layout(model_path)
        self.model_path, self.onnx_file, self.batch_size = model_path, onnx_file, batch_size
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_len)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), options,
                                            providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        feed = {name: np.zeros((len(texts), width), dtype=np.int64) for name in INPUTS}
        for row, e in enumerate(encodings):
            n = len(e.ids)
            feed["input_ids"][row, :n] = e.ids
            feed["attention_mask"][row, :n] = e.attention_mask
            feed["token_type_ids"][row, :n] = e.type_ids
        hidden = self.session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(hidden.dtype)
        vectors = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            out[idx] = self._batch([texts[i] for i in idx])
        return out


def export(model, model_path: Path, target: Path) -> Path:
    """Export a loaded SentenceTransformer to ``target``, checked against it on SAMPLES.

    Written to a temporary file and renamed into place, so a reader never sees half a file.
    Raises NotExportable (layout), ImportError (the onnx package missing) or ValueError (the
    export's vectors differ from the model's).
    """
    import torch

    check_layout(model_path)
    transformer = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    prepare = getattr(model, "preprocess", None) or model.tokenize  # renamed in s-t 6
    features = prepare(SAMPLES[:2])
    args = tuple(features[name] for name in INPUTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.stem, suffix=".tmp")
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes; the check below rules
            torch.onnx.export(Hidden(transformer), args, tmp, input_names=list(INPUTS),
                              output_names=["last_hidden_state"], opset_version=17,
                              dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "tokens"}
                                            for n in (*INPUTS, "last_hidden_state")})
        expected = model.encode(SAMPLES, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
        got = OnnxEmbeddings(model_path, Path(tmp)).encode(SAMPLES)
        diff = float(np.abs(expected - got).max())
        if diff > TOLERANCE:
            raise ValueError(f"the ONNX export differs from the model by {diff:.2e}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; other users serve from it too
        os.replace(tmp, target)
        log.info("embedding model exported to %s (largest difference %.1e)", target, diff)
        return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
