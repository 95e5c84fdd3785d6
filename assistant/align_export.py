"""The 衔接情况表 to hand in: CSV, Excel (openpyxl) and Word (python-docx), the same cells in each."""

from __future__ import annotations

import csv
from pathlib import Path

from .align import TABLE_HEADERS, Alignment, table_rows


def write_csv(result: Alignment, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # with a BOM: Excel opens it as UTF-8
        w = csv.writer(f)
        w.writerow(TABLE_HEADERS)
        w.writerows(table_rows(result))


def write_xlsx(result: Alignment, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "衔接情况表"
    ws.append(TABLE_HEADERS)
    for row in table_rows(result):
        ws.append(row)
    wb.save(path)


def write_docx(result: Alignment, path: Path, lower_title: str, upper_title: str) -> None:
    from docx import Document as Word

    doc = Word()
    doc.add_heading("规划衔接情况表", level=1)
    doc.add_paragraph(f"本规划：{lower_title}")
    doc.add_paragraph(f"上位规划：{upper_title}")
    rows = table_rows(result)
    table = doc.add_table(rows=1 + len(rows), cols=len(TABLE_HEADERS))
    table.style = "Table Grid"
    for j, h in enumerate(TABLE_HEADERS):
        table.cell(0, j).text = h
    for i, row in enumerate(rows, 1):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    doc.save(path)
