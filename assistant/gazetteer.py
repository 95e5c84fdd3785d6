"""China's province- and prefecture-level places, from the administrative division codes that the `cpca`
package ships (MIT; read as data, its matcher is not used). A question may name a city bare ("深圳“十五五”
规划的…", "上海到2030年…"), which jieba alone cannot tell from a plain word it also tags as a place."""

from __future__ import annotations

import csv
import importlib.metadata
from functools import lru_cache

# Levels below a prefecture are left out: their bare names are often plain words ("新城", "和平", "长安").
PROVINCE_OR_PREFECTURE = "00000000"  # the last eight of twelve code digits, zero above county level
SUFFIXES = ("特别行政区", "省", "市")


def _bare(name: str) -> str | None:
    if name.endswith("自治区"):  # 广西壮族自治区, 内蒙古自治区: the name before its people's
        return name[:3] if name.startswith("内蒙古") else name[:2]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=1)
def bare_places() -> frozenset[str]:
    """"深圳", "上海", "广东", "广西": provinces and prefecture-level cities as a question says them, without
    their suffix (with it, query._places already knows them)."""
    path = importlib.metadata.distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    with open(str(path), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {_bare(r["name"]) for r in rows if r["adcode"][4:] == PROVINCE_OR_PREFECTURE}
    return frozenset(n for n in names if n)
