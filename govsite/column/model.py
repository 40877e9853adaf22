"""The column's data: plain frozen dataclasses, picklable like the rest of the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from govsite.sections import HDHY, ZFXXGK

FOLDER = ZFXXGK  # the data folder in the site repository, and the column's output folder
INTERACTION_FOLDER = HDHY  # the output folder of 互动回应


@dataclass(frozen=True)
class Guide:
    """政府信息公开指南: every text already filled in (data, else the law's defaults)."""

    office: tuple[tuple[str, str], ...]  # (label, value) in the order the 指南 shows them
    organisation: str
    channels: tuple[str, ...]
    contents: tuple[str, ...]
    time_limit: str
    fees: str
    remedies: str
    updated: date | None
    rules_item: str | None  # the catalogue item of the 制度 sub-column
    path: str
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Row:
    """One row of a 年报 table: its statutory label and its numbers, at its file line."""

    key: str
    label: str
    values: tuple[float, ...]
    line: int
    level: int = 0  # indentation: 0 a section row, 1 a (一) row, 2 a 1. reason row


@dataclass(frozen=True)
class AnnualReport:
    slug: str  # file stem: the page's folder
    year: int
    unit: str  # unit id
    government: bool  # the government's report (3月31日) or a department's (1月31日)
    published: date
    overview: str
    proactive: tuple[Row, ...]  # 二: 规章, 行政规范性文件 (3 numbers); the others (1)
    applications: tuple[Row, ...]  # 三: rows of 7 numbers (6 applicant kinds + 总计)
    reviews: tuple[Row, ...]  # 四: 行政复议, 直接起诉, 复议后起诉 (5 numbers)
    issues: str
    other: str
    published_total: int | None  # 本年主动公开政府信息条数, when the data file states it
    path: str
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def due(self) -> date:
        return date(self.year + 1, 3 if self.government else 1, 31)

    @property
    def url(self) -> str:
        return f"{FOLDER}/nb/{self.slug}/index.html"


@dataclass(frozen=True)
class Channel:
    name: str
    url: str | None
    phone: str | None
    note: str


@dataclass(frozen=True)
class Reply:
    """One published 答复: the message as asked and the unit's answer."""

    id: str  # the record's 编号: the page's folder
    title: str
    question: str
    channel: str
    received: date
    unit: str
    answered: date | None
    answer: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def url(self) -> str:
        return f"{INTERACTION_FOLDER}/dfs/{self.id}/index.html"


@dataclass(frozen=True)
class Interaction:
    channels: tuple[Channel, ...]
    replies: tuple[Reply, ...]  # newest received first
    path: str


@dataclass(frozen=True)
class Stage:
    name: str  # one of decisions.STAGES
    date: date | None
    status: str
    documents: tuple[str, ...]  # document rels; the resolve stage keeps the public ones
    line: int


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    unit: str
    basis: str
    planned: str
    status: str
    stages: tuple[Stage, ...]
    consultation: str | None  # the 意见征集 document's rel
    opens: date | None
    closes: date | None
    short_reason: str  # why a comment period is under 30 days
    decided: date | None
    adoption: str | None  # the 意见采纳情况 document's rel
    year: int
    path: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def url(self) -> str:
        return f"{FOLDER}/zdjc/{self.year}/{self.id}/index.html"


@dataclass(frozen=True)
class Attendance:
    """利益相关方列席: one decision meeting a unit invited stakeholders to."""

    unit: str
    date: date
    meeting: str
    attendees: str
    line: int


@dataclass(frozen=True)
class DecisionYear:
    year: int
    published: date
    decisions: tuple[Decision, ...]
    attendance: tuple[Attendance, ...]
    path: str

    @property
    def url(self) -> str:
        return f"{FOLDER}/zdjc/{self.year}/index.html"


@dataclass(frozen=True)
class Column:
    guide: Guide
    reports: tuple[AnnualReport, ...] = ()  # newest year first
    interaction: Interaction | None = None
    decisions: tuple[DecisionYear, ...] = ()  # newest year first
