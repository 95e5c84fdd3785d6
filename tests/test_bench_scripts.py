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
