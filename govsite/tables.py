"""A catalogue table as the office keeps it (CSV or XLSX, every sheet of a workbook) read into
rows of cell texts, for importer.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.problems import GovsiteError, Problem

# Font artefacts: Wingdings box characters read without the font (þ ☑, ¨ ☐, ü ✓), or in its private area.
ARTEFACTS = str.maketrans({"þ": "☑", "¨": "☐", "\uf0fe": "☑", "\uf0a8": "☐", "\uf0fc": "√", "\uf06f": "☐"})


@dataclass
class Sheet:
    label: str  # the path used in problems: the file, or file[sheet] for a workbook
    title: str  # file stem or sheet name: may name the domain ("财政预决算")
    rows: list[list[str]]



def read_table(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [Sheet(str(path), path.stem, read_csv(path))]
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    raise GovsiteError([Problem(str(path), None, "E603",
                                "只能导入 .csv 或 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）")])


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = ("文件不是 UTF-8 编码（Excel 默认另存为 GBK）：请在 Excel 中“另存为 CSV UTF-8”，"
                   f"或运行 iconv -f GB18030 -t UTF-8 {path.name} -o utf8-{path.name}")
        raise GovsiteError([Problem(str(path), line, "E001", message)]) from None
    return [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text))]


def read_xlsx(path: Path) -> list[Sheet]:
    try:
        import openpyxl  # optional dependency: pip install govsite[xlsx]
    except ImportError:
        raise GovsiteError([Problem(str(path), None, "E603", "读取 .xlsx 需要 openpyxl："
                                    "请运行 pip install 'govsite[xlsx]'，或另存为 CSV UTF-8")]) from None
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise GovsiteError([Problem(str(path), None, "E603",
                                    f"无法打开表格：{error}")]) from None
    sheets = [ws for ws in book.worksheets if ws.max_row > 1]
    return [Sheet(str(path) if len(sheets) == 1 else f"{path}[{ws.title}]", ws.title,
                  sheet_rows(ws)) for ws in sheets]


def sheet_rows(ws: Any) -> list[list[str]]:
    """All rows from row 1, with every cell of a merged range carrying the range's value."""
    grid = [[cell_text(v) for v in row] for row in ws.iter_rows(
        min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                grid[r][c] = value
    return grid


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()[:10]
    text = str(value).replace("\u3000", " ").strip()
    return "√" if text == "ü" else text.translate(ARTEFACTS)
