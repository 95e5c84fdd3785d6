"""The page's side of pictures, without a server: which files the picture route would serve, the
thumbnail's crop, and how chips and exports name a quote read from a picture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.models import Citation
from assistant.web.export import citation_label
from assistant.web.figures import clamp_region, thumb_crop
from assistant.web.pictures import Pictures, picture_path, picture_url
from assistant.web.render import chip
from support import PICTURE_FILE, PICTURE_LINES, PICTURE_PLAN, PICTURE_SIZE, picture_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return picture_corpus(tmp_path / "corpus")


def test_only_pictures_of_a_loaded_plan_are_served(corpus: Path) -> None:
    docs = load_corpus(corpus)
    folder, name = PICTURE_FILE.split("/")
    assert picture_path(docs, folder, name) == (corpus / PICTURE_FILE).resolve()
    (corpus / "outside.png").write_bytes((corpus / PICTURE_FILE).read_bytes())
    os.symlink(corpus / f"{PICTURE_PLAN}.txt", corpus / folder / "link.png")  # a link out of the folder
    (corpus / folder / ".hidden.png").write_bytes(b"x")
    for f, n in [(folder, Path(name).with_suffix(".json").name), (folder, "link.png"), (folder, ".hidden.png"),
                 (folder, "../outside.png"), ("..", "outside.png"), (f"{PICTURE_PLAN}", name),
                 ("other.images", name), (folder, f"{PICTURE_PLAN}.txt"), (folder, "missing.png")]:
        assert picture_path(docs, f, n) is None, (f, n)
    assert picture_path([], folder, name) is None  # a plan that is no longer loaded
    assert picture_url(PICTURE_FILE) == f"planqa/pictures/{PICTURE_FILE}"


def test_thumbnail_crop_shows_the_start_of_a_line_legibly_and_stays_in_the_picture() -> None:
    w, h = PICTURE_SIZE
    x0, y0, x1, y1 = thumb_crop(PICTURE_LINES[1][1], w, h)  # 440 x 30 pixels
    assert (x0, y0, y1) == (20, 62.5, 107.5) and x1 - x0 == pytest.approx(6 * 45)  # its first part, some room
    assert thumb_crop((20, 12, 200, 40), w, h) == (20, 5, 200, 47)  # 180 x 28: short enough to show whole
    assert thumb_crop((0, 0, 480, 4), w, h)[1] == 0  # padded at the edge: moved inside, not cut
    assert thumb_crop((100, 0, 110, 200), w, h) == (5, 0, 205, 200)  # a column: widened to a square
    assert thumb_crop(None, w, h) == (0, 0, w, h)  # no region: the whole picture
    assert clamp_region((-5, 10, 900, 10), w, h) == (0, 0, w, h)  # an empty region: the whole picture


def test_chip_says_picture_and_check_and_export_says_so_too(corpus: Path) -> None:
    docs = load_corpus(corpus)
    pictures = Pictures(lambda: docs)
    base = dict(doc=PICTURE_PLAN, chapter=2, section=1, path="第二章 交通建设 › 第一节 城市交通", quote="…",
                start=0, end=1, image=PICTURE_FILE)
    sure = Citation(**base, region=PICTURE_LINES[1][1], ocr_conf=0.97)
    unsure = Citation(**base, region=PICTURE_LINES[2][1], ocr_conf=0.62)
    html = chip(sure, PICTURE_PLAN, pictures=pictures)
    assert "图片识别" in html and "请核对原图" not in html and f'src="planqa/pictures/{PICTURE_FILE}"' in html
    assert "请核对原图" in chip(unsure, PICTURE_PLAN, pictures=pictures)
    assert 'class="cite-thumb"' not in chip(sure, PICTURE_PLAN)  # no record to size it: badges only
    assert citation_label(sure) == "第二章 第一节 · 图片识别"
    assert citation_label(unsure).endswith("图片识别（请核对原图）")
    plain = Citation(**{**base, "image": None})
    assert "图片识别" not in chip(plain, PICTURE_PLAN, pictures=pictures) and "图片识别" not in citation_label(plain)
