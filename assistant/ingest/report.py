"""What `plan-qa add` made of a file: the plan's identity, its tree counted, what was left out, and
warnings when the tree looks wrong, so that staff see a bad file before it is in their library."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..models import Document
from ..parsing import contents_lines, line_spans
from ..profile import derive_profile

# A plan this long with fewer chapters than this was almost surely misread (a one-line body, headings
# the parser did not see). The shortest real plan we hold (a 建议, 24k characters) has 13.
FEW_CHAPTERS = 5
LONG_TEXT = 20_000


class AddReport(BaseModel):
    title: str
    short_name: str
    place: str | None
    level: str | None
    period: str | None
    parts: int
    chapters: int
    sections: int
    boxes: int
    contents_lines: int  # 目录 lines, kept out of the tree
    pictures: int
    appendices: list[str] = Field(default_factory=list)
    chapters_numbered_in_parts: bool = False
    dropped: list[str] = Field(default_factory=list)  # lines left out as not the plan (navigation, …)
    warnings: list[str] = Field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as staff read it (CLI and 规划管理)."""
        out = [f"《{self.title}》 · {self.short_name} · {self.place or '地点不详'} · {self.level or '层级不详'} · "
               f"{self.period or '期别不详'}",
               f"{self.parts} 篇 · {self.chapters} 章{'（每篇重新编号）' if self.chapters_numbered_in_parts else ''} · "
               f"{self.sections} 节 · {self.boxes} 专栏 · {self.pictures} 图片 · 目录 {self.contents_lines} 行（不作为章节）"]
        if self.appendices:
            out.append("附录: " + "、".join(self.appendices))
        if self.dropped:
            shown = "；".join(d[:20] for d in self.dropped[:5])
            out.append(f"未收入（页面导航、目录等）{len(self.dropped)} 行: {shown}{' …' if len(self.dropped) > 5 else ''}")
        out += [f"warning: {w}" for w in self.warnings]
        return out


def build_report(doc: Document, text: str, pictures: int, dropped: list[str]) -> AddReport:
    numbered = [c for c in doc.chapters if c.number and not c.appendix]
    profile = derive_profile(doc.title, text)
    warnings = []
    if len(text) >= LONG_TEXT and len(numbered) < FEW_CHAPTERS:
        warnings.append(f"{len(text)} characters but only {len(numbered)} chapters: are the headings on lines of their own?")
    lines = [l for l in text.splitlines() if l.strip()]
    if lines and max(map(len, lines)) > len(text) / 2:
        warnings.append("most of the text stands on one line: it was split at headings and sentence ends")
    seen: dict[tuple[int | None, int], int] = {}
    for i, c in enumerate(numbered):
        key = (c.part if c.in_part else None, c.number or 0)
        if key in seen:
            warnings.append(f"chapter {c.number}{f' of 篇 {c.part}' if c.in_part else ''} comes twice")
        seen[key] = i
        prev = numbered[i - 1] if i else None
        if prev and not (c.in_part and c.part != prev.part) and (c.number or 0) != (prev.number or 0) + 1:
            warnings.append(f"chapter numbers jump from {prev.number} to {c.number}")
        if not any(s.blocks for s in c.sections) and not c.sections:
            warnings.append(f"chapter {c.number} 《{c.title}》 has no text")
    return AddReport(
        title=doc.title, short_name=profile.short_name, place=profile.place, level=profile.level,
        period=profile.period, parts=len(doc.parts), chapters=len(numbered),
        sections=sum(1 for c in numbered for s in c.sections if s.number is not None),
        boxes=sum(1 for c in doc.chapters for s in c.sections for b in s.blocks if b.kind == "box"),
        contents_lines=len(contents_lines(text, list(line_spans(text)))),
        pictures=pictures, appendices=[c.title for c in doc.chapters if c.appendix],
        chapters_numbered_in_parts=any(c.in_part for c in numbered), dropped=dropped, warnings=warnings)
