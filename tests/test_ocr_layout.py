"""OCR layout: real cached OCR of published plan pictures, and a table rendered in Chromium then OCR'd."""

from __future__ import annotations

import hashlib
import html
import unicodedata
from pathlib import Path

import pytest

from assistant.ocr.layout import layout
from assistant.ocr.models import OcrBox, OcrResult

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "eval" / "ocr-cache"
PLANS = Path("/work/shared/plans/published")
INDICATORS_13 = PLANS / "national-13th" / "images" / "W020220405088054244886.jpg"  # 专栏2 主要指标
BOX_13 = PLANS / "national-13th" / "images" / "W020220405088055027924.jpg"  # 专栏4 重大人才工程
BOX_12 = PLANS / "national-12th" / "images" / "W020251017106712607359_ORIGIN.jpg"  # 专栏3 新农村建设
MAP_12 = PLANS / "national-12th" / "images" / "W020251017084249149782_ORIGIN.jpg"  # 图1
INDICATORS_15 = PLANS / "national-15th" / "images" / "W020260313827492973777.JPG"  # 专栏1 主要指标
BOX_15_TRANSPORT = PLANS / "national-15th" / "images" / "W020260313827494307346.JPG"  # 专栏4 综合立体交通网
BOX_15_CITY = PLANS / "national-15th" / "images" / "W020260313827498031523.JPG"  # 专栏13 城市更新
BOX_15_JOBS = PLANS / "national-15th" / "images" / "W020260313827499914845.JPG"  # 专栏18 就业促进
MIN_CELL_ACCURACY = 0.98


def cached(picture: Path) -> OcrResult:
    if not picture.is_file():
        pytest.skip(f"{picture} is not on this machine")
    entry = CACHE / f"{hashlib.sha256(picture.read_bytes()).hexdigest()}.json"
    if not entry.is_file():
        pytest.skip(f"no cached OCR for {picture.name}")
    return OcrResult.model_validate_json(entry.read_text(encoding="utf-8"))


BRACKETS = str.maketrans("〔〕【】", "[][]")  # OCR cannot tell these apart; NFKC leaves them


def clean(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(BRACKETS)


def row_of(table, words: str) -> dict[str, str]:
    rows = [r for r in table.rows if any(words in v for v in r.values())]
    assert len(rows) == 1, (words, rows)
    return rows[0]


# ---------------------------------------------------------------- real pictures


def test_indicator_table_of_the_13th_plan():
    page = layout(cached(INDICATORS_13))
    assert page.kind == "table" and page.title == "专栏2 “十三五”时期经济社会发展主要指标"
    assert page.table.header == ["指标", "2015年", "2020年", "年均增速[累计]", "属性"]
    patents = row_of(page.table, "每万人口发明专利拥有量")
    assert patents["2020年"] == "12" and patents["属性"] == "预期性" and patents["2015年"] == "6.3"
    assert patents[""] == "创新驱动"  # the section row above it
    gdp = row_of(page.table, "国内生产总值")
    assert gdp["2020年"] == ">92.7" and gdp["年均增速[累计]"] == ">6.5%"
    # a merged 属性 cell reaches both sub-indicators; the parent indicator is carried to each
    urban = [r for r in page.table.rows if "城镇化率" in r["指标"] and "（3）" in r["指标"]]
    assert [r["属性"] for r in urban] == ["预期性", "预期性"] and {r["2020年"] for r in urban} == {"60", "45"}
    # one sentence-like line per row, every column named; notes as lines; the []-mark said on the row
    line = next(ln for ln in page.lines if "每万人口发明专利拥有量" in ln.text)
    assert line.text.startswith("创新驱动 · （6）每万人口发明专利拥有量（件）：2015年 6.3，2020年 12，")
    assert "属性 预期性" in line.text and "[]内为5年累计数" in line.text
    assert any(ln.text.startswith("注：②[]内为5年累计数") for ln in page.lines)
    assert 0 < line.conf <= 1 and line.region[0] < line.region[2]
    cut = next(ln for ln in page.lines if "居民人均可支配收入增长" in ln.text)
    assert "2015年" not in cut.text  # blank / "—" cells are left out


def test_indicator_table_of_the_15th_plan_against_its_hand_read_rows():
    """A table this code was not written on: a pace cell over three lines, a pace box OCR read into the
    属性 column ("区间、各年预期性"), 类别 written over two lines, an indicator name wrapped. Every row of
    tests/data/national-15th-indicators.json (read from the picture by a helper, not from our output):
    each year's value, the pace and the 属性, cell by cell."""
    import json

    truth = json.loads((ROOT / "tests" / "data" / "national-15th-indicators.json").read_text(encoding="utf-8"))
    table = layout(cached(INDICATORS_15)).table
    bare = lambda t: clean(t or "").translate(str.maketrans("", "", "（）()%*.一—-"))  # noqa: E731
    found = total = 0
    for r in truth["rows"]:
        name = bare(r.get("sub_indicator") or r["indicator"])
        row = next((x for x in table.rows if any(name and name in bare(v) for k, v in x.items() if k)), {})
        cells = [r["values"].get("2025"), r["values"].get("2030"), r["pace"], r["attribute"]]
        got = {bare(v) for v in row.values()}
        for c in cells:
            total += 1
            found += bare(c) in got or (not bare(c) and bool(row))  # "—": an empty cell, left out of the row
    print(f"\n15th 主要指标 picture: cell accuracy {found / total:.3f} ({found}/{total})")
    assert found >= 0.9 * total


def test_box_items_one_line_each():
    page = layout(cached(BOX_12))
    assert page.kind == "box" and page.title == "专栏3 新农村建设重点工程"
    items = page.lines[1:]
    assert len(items) == 12
    assert items[0].text.startswith("01 现代种业工程：建设国家级制种基地")
    assert items[0].text.endswith("水产种质资源保护区。")  # the wrapped second line joined, no space
    assert items[-1].text == "12 农村土地整治工程：实施农村土地整理复垦重点建设项目，补充耕地2000万亩。"
    page = layout(cached(BOX_13))
    assert page.title == "专栏4 重大人才工程" and len(page.lines) == 7
    assert page.lines[1].text.startswith("（一）创新人才推进计划：在优势科研领域")
    assert page.lines[1].text.endswith("建设一批创新人才培养示范基地。")


def test_box_items_of_the_15th_plan_by_their_geometry():
    """The 15th outline sets each item's text in under its title, the item number hanging left of it and
    often read glued to the title ("02普速铁路网") or twice by two overlapping boxes ("04" + "4沿海港口")."""
    page = layout(cached(BOX_15_TRANSPORT))
    items = [ln.text for ln in page.lines[1:]]
    assert [t.split("：")[0] for t in items] == ["01 “八纵八横”高速铁路主通道", "02 普速铁路网", "03 国家公路网",
                                                 "04 沿海港口", "05 内河高等级航道", "06 现代化机场体系"]
    assert items[5].endswith("推进延吉、伊宁机场迁建等支线机场项目。")  # every wrapped line joined
    # A line that starts with a decimal figure ("17.5万公里") continues its item, it is no item number.
    city = [ln.text for ln in layout(cached(BOX_15_CITY)).lines[1:]]
    assert len(city) == 4 and "供水管网约17.5万公里、污水管网" in city[0]
    # An item whose number OCR missed: a short unpunctuated line after a paragraph's short last line.
    jobs = [ln.text for ln in layout(cached(BOX_15_JOBS)).lines[1:]]
    assert len(jobs) == 4 and jobs[2].startswith("就业公共服务提质：加强“家门口”就业服务")


def test_map_gives_only_its_caption():
    page = layout(cached(MAP_12))
    assert page.kind == "map" and page.title == "图1 “七区二十三带”农业战略格局"
    assert [ln.text for ln in page.lines] == [page.title]


def test_empty_and_plain_text():
    res = OcrResult(image="0", width=600, height=300, engine="x")
    assert layout(res).kind == "empty"
    boxes = [OcrBox(text="加快建设现代化经济体系，推动经济高质量", box=(20, 10, 580, 30), conf=0.99),
             OcrBox(text="发展。", box=(20, 40, 80, 60), conf=0.9),
             OcrBox(text="Web apps use HTTP", box=(20, 70, 580, 90), conf=0.98),
             OcrBox(text="and TLS.", box=(20, 100, 120, 120), conf=0.97)]
    page = layout(res.model_copy(update={"boxes": boxes}))
    assert page.kind == "text"
    assert [ln.text for ln in page.lines] == ["加快建设现代化经济体系，推动经济高质量发展。", "Web apps use HTTP and TLS."]
    assert page.lines[0].conf == 0.9 and page.lines[0].region == (20, 10, 580, 60)


# ---------------------------------------------------------------- a rendered table

HEADER = ["类别", "指标", "2015年", "2020年", "年均增长", "属性"]
# (类别 or None when the cell above spans it, rowspan, 指标, values...)
ROWS = [
    ("经济发展", 3, "（1）国内生产总值（万亿元）", "67.7", "＞92.7", "＞6.5%", "预期性"),
    (None, 0, "（2）全员劳动生产率（万元/人）", "8.7", "＞12", "＞6.6%", "预期性"),
    (None, 0, "（3）服务业增加值比重（%）", "50.5", "56", "〔5.5〕", "预期性"),
    ("创新驱动", 2, "（4）研究与试验发展经费投入强度（%）", "2.1", "2.5", "〔0.4〕", "预期性"),
    (None, 0, "（5）每万人口发明专利拥有量（件）", "6.3", "12", "〔5.7〕", "预期性"),
    ("民生福祉", 4, "（6）居民人均可支配收入增长（%）", "—", "—", "＞7", "预期性"),
    (None, 0, "（7）城镇新增就业人数（万人）", "—", "—", "〔＞5000〕", "预期性"),
    (None, 0, "（8）农村贫困人口脱贫（万人）", "—", "—", "〔5575〕", "约束性"),
    (None, 0, "（9）人均预期寿命（岁）*", "76.34", "77.3", "〔1〕", "预期性"),
    ("资源环境", 2, "（10）耕地保有量（亿亩）", "18.65", "18.65", "〔0〕", "约束性"),
    (None, 0, "（11）单位GDP能源消耗降低（%）", "—", "—", "〔18〕", "约束性"),
]
NOTES = "注：①国内生产总值按可比价计算。②〔〕内为5年累计数。③带*的为2014年数据。"
CSS = ("body{margin:0;padding:16px;background:#fff;font-family:'Noto Sans CJK SC','Noto Serif CJK SC';}"
       "table{border-collapse:collapse;font-size:22px;} td,th{border:1px solid #333;padding:6px 14px;white-space:nowrap;}"
       "h3{font-size:26px;margin:0 0 10px 0;} p{font-size:18px;margin:8px 0 0 0;white-space:nowrap;}")


def table_html(header: list[str] = HEADER, rows: list = ROWS, css: str = CSS, title: str = "专栏7 主要指标",
               notes: str = NOTES) -> str:
    """A table page: a 类别 cell spans its rows (rowspan), as published tables merge it."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = ""
    for cat, span, *cells in rows:
        first = f'<td rowspan="{span}">{cat}</td>' if cat else ""
        body += "<tr>" + first + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
    note = f"<p>{notes}</p>" if notes else ""
    return (f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"
            f"<h3>{title}</h3><table><tr>{head}</tr>{body}</table>{note}</body></html>")


def truth() -> list[dict[str, str]]:
    rows, cat = [], ""
    for c, _, *cells in ROWS:
        cat = c or cat
        row = {"类别": cat} | {h: v for h, v in zip(HEADER[1:], cells) if v != "—"}
        rows.append({clean(k): clean(v) for k, v in row.items()})
    return rows


def cell_accuracy(table) -> float:
    """Cells of the rebuilt grid equal to the truth; a missing or extra row or cell counts as wrong."""
    want = truth()
    got = [{clean(k): clean(v) for k, v in r.items() if k} for r in table.rows]
    right = total = 0
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else {}
        g = got[i] if i < len(got) else {}
        total += len(set(w) | set(g))
        right += sum(1 for k in w if g.get(k) == w[k])
    return right / total


def drawn_and_read(page_html: str, tmp_path: Path, viewport: dict) -> OcrResult:
    """The page drawn by Debian's Chromium, its screenshot read by OCR (skips without Chromium)."""
    from support import CHROMIUM, launch_chromium

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (make browser-deps)")
    from playwright.sync_api import sync_playwright

    from assistant.ocr.engine import read_image

    page_file = tmp_path / "table.html"
    page_file.write_text(page_html, encoding="utf-8")
    shot = tmp_path / "table.png"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport=viewport)
            page.goto(page_file.as_uri())
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    return read_image(shot.read_bytes(), "table.png", cache_dir=tmp_path / "ocr")


def test_rendered_table_cells(tmp_path, capsys):
    result = drawn_and_read(table_html(), tmp_path, {"width": 1300, "height": 700})
    text = layout(result)
    assert text.kind == "table" and text.title == "专栏7 主要指标"
    accuracy = cell_accuracy(text.table)
    with capsys.disabled():
        print(f"\nrendered table: cell accuracy {accuracy:.3f} over {len(truth())} rows")
    assert accuracy >= MIN_CELL_ACCURACY, [ln.text for ln in text.lines]
    line = next(ln.text for ln in text.lines if "每万人口发明专利拥有量" in ln.text)
    assert clean(line).startswith(clean("创新驱动 · （5）每万人口发明专利拥有量（件）：2015年 6.3，2020年 12，"))
    starred = next(ln.text for ln in text.lines if "人均预期寿命" in ln.text)
    assert "2014年数据" in starred  # the note defining * is said on the row with the mark
    assert any(ln.text.startswith("注：③带*的为2014年数据") for ln in text.lines)


# ---------------------------------------------------------------- drawn tables of other shapes

# Shapes this code was not written on, each drawn by Chromium and read back by OCR: (name, header,
# rows as (类别 or None under a rowspan, rowspan, cells...), css for the cells).
SHAPES = [
    ("属性 first, a 2035 column", ["类别", "指标", "属性", "2025年", "2030年", "2035年"], [
        ("经济发展", 2, "常住人口城镇化率（%）", "预期性", "66.2", "70", "75"),
        (None, 0, "全员劳动生产率（万元/人）", "预期性", "17.3", "22", "28"),
        ("绿色生态", 3, "森林覆盖率（%）", "约束性", "24.0", "25.5", "26"),
        (None, 0, "单位GDP能耗降低（%）", "约束性", "—", "〔13.5〕", "—"),
        (None, 0, "地表水优良水体比例（%）", "约束性", "88.5", "90", "92"),
    ], "white-space:nowrap;"),
    ("narrow columns that wrap", ["类别", "指标", "2025年", "2030年", "属性"], [
        ("民生福祉", 3, "每千人口拥有3岁以下婴幼儿托位数（个）", "4.5", "5.5", "预期性"),
        (None, 0, "养老机构护理型床位占比（%）", "60", "70", "约束性"),
        (None, 0, "劳动年龄人口平均受教育年限（年）", "11.3", "11.7", "约束性"),
        ("安全保障", 2, "粮食综合生产能力（亿吨）", "＞6.5", "＞7", "约束性"),
        (None, 0, "能源综合生产能力（亿吨标准煤）", "＞46", "＞50", "约束性"),
    ], "white-space:normal;"),
]


def shape_html(header: list[str], rows: list, cell_css: str) -> str:
    css = CSS.replace("white-space:nowrap;}", cell_css + "}", 1) + " td:nth-child(2){max-width:190px;}"
    return table_html(header, rows, css, "专栏2 主要指标", "")


@pytest.mark.parametrize(("name", "header", "rows", "cell_css"), SHAPES, ids=[s[0] for s in SHAPES])
def test_drawn_tables_of_other_shapes(name, header, rows, cell_css, tmp_path, capsys):
    text = layout(drawn_and_read(shape_html(header, rows, cell_css), tmp_path, {"width": 1000, "height": 500}))
    assert text.kind == "table"
    got = [{clean(v) for k, v in r.items() if k} | {clean(p) for k, v in r.items() if not k for p in v.split(" · ")}
           for r in text.table.rows]
    right = total = 0
    cat = ""
    for c, _, *cells in rows:
        cat = c or cat
        want = [clean(x) for x in [cat, *cells] if x != "—"]
        row = next((g for g in got if clean(cells[0]) in g), set())
        total += len(want)
        right += sum(w in row for w in want)
    with capsys.disabled():
        print(f"\ndrawn table ({name}): cell accuracy {right / total:.3f} ({right}/{total})")
    assert right >= 0.95 * total, [ln.text for ln in text.lines]
