"""The benchmark scripts still import against the package (they run by hand, so nothing else would notice
a renamed function until someone measures)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from assistant.config import ROOT

SCRIPTS = sorted((ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_bench_script_imports(script, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)  # top level only: each script's work runs under __main__
    assert module.__doc__, "a bench script says what it measures and how to run it"


def test_library_report_counts_traps_only_other_plans_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import EvalItem

    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_library_eval", ROOT / "bench" / "library_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    trap = EvalItem(id="t", question="q", answerable=False, doc="a", kind="unanswerable")
    fact = EvalItem(id="f", question="q", answerable=True, must_include=["1"], sections=["1"], doc="a", kind="number")
    refused = {"correct": True, "found": False, "citations": []}
    other = {"correct": False, "found": True, "citations": [{"doc": "b"}]}
    own = {"correct": False, "found": True, "citations": [{"doc": "a"}, {"doc": "b"}]}
    assert module.answered_elsewhere([trap, trap, fact], [refused, refused, refused], [other, own, other]) == 1
    # The picture sets' library: each outline as published in its text's place, never both.
    pictures = module.library_plans(pictures=True)
    assert len(pictures) == len(module.library_plans()) == 8
    assert {p for _, p in module.PICTURE_SETS} <= set(pictures) and not set(module.AS_PUBLISHED) & set(pictures)


def test_a_tuned_number_is_chosen_on_the_other_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_other_plan_tie", ROOT / "bench" / "other_plan_tie.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scores = {"a": {0.7: 0.9, 0.8: 0.5}, "b": {0.7: 0.5, 0.8: 0.9}, "c": {0.7: 0.9, 0.8: 0.9}}
    # left out a: b and c prefer 0.8; left out b: a and c prefer 0.7; left out c: a and b tie, the larger wins
    assert module.leave_one_out(scores, [0.7, 0.8]) == {"a": 0.8, "b": 0.7, "c": 0.8}


def test_thesaurus_maps_only_words_no_plan_uses_to_the_plans_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_thesaurus", ROOT / "bench" / "thesaurus.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    texts = ["提高就业岗位数量，稳定就业。", "新增就业岗位，扩大就业，出台若干措施"]
    groups = [["饭碗", "就业", "岗位", "职业"], ["多少", "若干"]]
    # 饭碗 and 职业 are used by no plan: each goes to the group's most used word; question words never;
    # a word the glossary already maps keeps its entry.
    assert module.mapping(groups, texts, set()) == {"饭碗": "就业", "职业": "就业"}
    assert module.mapping(groups, texts, {"饭碗"}) == {"职业": "就业"}
