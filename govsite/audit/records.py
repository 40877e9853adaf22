"""Publication-record style the core accepts but inspectors mark: 文号 style, repeated titles."""

from __future__ import annotations

import re

from govsite.audit.context import Audit
from govsite.model import Document
from govsite.problems import Problem
from govsite.resolve import DOC_NUMBER_RE

# GB/T 9704-2012: 机关代字 + 〔full year〕 + serial without 第 or leading zeros + 号.
STANDARD_NUMBER = re.compile(r"^[\u4e00-\u9fa5]+〔\d{4}〕[1-9]\d*号$")


def check_doc_numbers(audit: Audit) -> list[Problem]:
    """W201 for 文号 in a known non-standard form; other malformed ones are the core's E204."""
    problems = []
    for doc in audit.documents:
        number = doc.doc_number
        if number and DOC_NUMBER_RE.match(number) and not STANDARD_NUMBER.match(number):
            message = (
                f"文号“{number}”写法不规范：应为 {_standard_form(number)}"
                "（年份用六角括号〔〕，序号不加“第”、不补零）"
            )
            problems.append(audit.doc_problem(doc, "doc_number", "W201", message))
    return problems


def _standard_form(number: str) -> str:
    match = re.match(r"^(.+?)[〔\[(（【](\d{4})[〕\])）】]第?0*(\d+)号$", number)
    if not match:
        return "机关代字〔年份〕序号号，如 青府办字〔2021〕31号"
    prefix, year, serial = match.groups()
    return f"{prefix}〔{year}〕{serial}号"


def check_titles(audit: Audit) -> list[Problem]:
    """W401: two documents of one item with one title confuse readers and inspectors alike."""
    problems = []
    first: dict[tuple[str, str], Document] = {}
    for doc in sorted(audit.documents, key=lambda d: (d.published, d.rel)):
        key = (doc.item_id, re.sub(r"\s+", "", doc.title))
        if key in first:
            message = (
                f"标题与同一事项的 {first[key].rel} 相同：请在标题中写明区别"
                "（如年度、批次），若是同一文件请删除重复的一篇"
            )
            problems.append(audit.doc_problem(doc, "title", "W401", message))
        else:
            first[key] = doc
    return problems
