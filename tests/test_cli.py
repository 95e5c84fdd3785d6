"""`plan-qa` commands that need no index: the table of contents and input errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


def test_sections_json_counts() -> None:
    result = runner.invoke(app, ["sections", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)["documents"][0]
    chapters = doc["chapters"]
    assert chapters[0]["number"] == 0 and chapters[0]["title"] == "序言"
    assert len([c for c in chapters if c["number"] > 0]) == 10
    assert sum(1 for c in chapters for s in c["sections"] if s["number"] is not None) == 31
    assert sum(len(s["boxes"]) for c in chapters for s in c["sections"]) == 19
    assert all("paragraphs" in s for c in chapters for s in c["sections"])


def test_sections_text_uses_chinese_headings() -> None:
    result = runner.invoke(app, ["sections"])
    assert result.exit_code == 0 and "第七章 推动民生事业发展" in result.output and "第三节 着力提升民生保障水平" in result.output


def test_bad_corpus_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    result = runner.invoke(app, ["sections", "--corpus", str(tmp_path)])
    assert result.exit_code == 1 and "bad.txt" in result.output and "Traceback" not in result.output


def test_eval_rejects_malformed_question_file(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 1 and "q.jsonl:1" in result.output
