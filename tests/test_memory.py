"""Memory a reload frees is given back: the answerer's statistics of an earlier corpus do not outlive it,
and the freed heap goes back to the system (the figures are in bench/results/library_scale.txt)."""

from __future__ import annotations

import gc
import platform
import sys
import weakref

from assistant.answer.stats import PlanStats
from assistant.memory import release_freed


def test_stats_of_a_replaced_corpus_are_freed(plan_assistant) -> None:
    stats = PlanStats(plan_assistant.index.chunks, plan_assistant.sources, plan_assistant.documents)
    assert stats.idf("养老", None) > 0 and stats.idf("养老", None) == stats.idf("养老", None)  # memoised
    gone = weakref.ref(stats)
    del stats
    gc.collect()
    assert gone() is None, "a memo still holds the statistics of a corpus nobody uses"


def test_freed_heap_is_returned_where_the_c_library_can() -> None:
    trimmed = release_freed()
    assert trimmed is (sys.platform == "linux" and platform.libc_ver()[0] == "glibc")
