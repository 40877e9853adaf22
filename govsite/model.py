"""The site's data model: plain frozen dataclasses shared by every pipeline stage.

Stages only pass these around; they are picklable so rendering can run in worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from typing import Any

from govsite.bodyfacts import Citation, body_digest, citations, placeholder_line
from govsite.column.model import Column

PUBLIC = "主动公开"
ON_REQUEST = "依申请公开"
WITHHELD = "不予公开"
DISCLOSURES = (PUBLIC, ON_REQUEST, WITHHELD)
KINDS = ("政策文件", "政策解读", "通知公告", "工作动态", "报告", "其他")
INTERP_FORMS = (
    "文字",
    "图解",
    "音视频",
    "新闻发布会",
    "媒体访谈",
    "专家解读",
    "领导解读",
    "政策问答",
)
VALIDITIES = ("有效", "失效", "废止")
INVALID = ("失效", "废止")
INTERP_TYPES = ("首次解读", "二次解读", "跟踪解读", "专项解读")
# 重大建设项目 全链条: the 8 categories of 国办发〔2017〕94号, in the order a project goes through them
PROJECT_STAGES = (
    "批准服务",
    "批准结果",
    "招标投标",
    "征收土地",
    "重大设计变更",
    "施工有关",
    "质量安全监督",
    "竣工有关",
)
ORG_LEVELS = ("乡镇", "街道", "村", "社区")


_COMPARED: dict[type, tuple[str, ...]] = {}  # a dataclass's compared fields, by class


def hashed_once(self: Any) -> int:
    """A frozen dataclass's hash of its compared fields (or of those its class names in
    `_hashed`: equal objects have equal ones), worked out once: page keys hold documents, items,
    domains and the site's settings, and govsite serve hashes every key on every rebuild."""
    known = self.__dict__.get("_hash")
    if known is None:
        names = _COMPARED.get(type(self))
        if names is None:
            names = _COMPARED[type(self)] = getattr(self, "_hashed", None) or tuple(
                f.name for f in fields(self) if f.compare)
        known = hash(tuple(getattr(self, name) for name in names))
        object.__setattr__(self, "_hash", known)
    return known


def without_hash(self: Any) -> dict[str, Any]:
    """What pickle copies: not the hash, which is this process's (a str's differs between them)."""
    return {name: value for name, value in self.__dict__.items() if name != "_hash"}


@dataclass(frozen=True)
class SiteInfo:
    __hash__ = hashed_once  # page keys hold it
    __getstate__ = without_hash

    title: str
    org: str
    language: str = "zh-CN"
    base_url: str | None = None
    site_code: str = ""
    icp: str = ""
    police_record: str = ""
    contact: str = ""
    index_prefix: str = ""
    theme: str = "default"
    description: str = ""
    gov_mark_image: str = ""  # 党政机关网站标识: its image, a file in the site repository
    gov_mark_url: str = ""  # and its verification link
    error_report_url: str = ""  # 我为政府网站找错
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> catalog.yaml line


@dataclass(frozen=True)
class Item:
    __hash__ = hashed_once  # page keys hold it
    __getstate__ = without_hash

    id: str
    domain_id: str
    l1: str
    l2: str | None
    content: tuple[str, ...]
    basis: tuple[str, ...]
    time_limit: str
    owner: str
    channels_required: tuple[str, ...]
    channels_optional: tuple[str, ...]
    audience: str
    mode: str
    levels: tuple[str, ...]
    path: str  # posix, relative to the site root, e.g. "content/czyjs/zfys"
    update: str | None = None
    line: int = 0
    org: str | None = None  # the 乡镇/街道/村 the item belongs to (None: the county)
    stage: str | None = None  # one of PROJECT_STAGES, for the items of 重大建设项目
    co_owners: tuple[str, ...] = ()  # units that publish the item with its owner

    @property
    def name(self) -> str:
        return self.l2 or self.l1

    @property
    def url(self) -> str:
        return f"{self.domain_id}/{self.id}/index.html"


@dataclass(frozen=True)
class Domain:
    __hash__ = hashed_once  # page keys hold it
    __getstate__ = without_hash

    id: str
    name: str
    items: tuple[Item, ...]
    line: int = 0
    org: str | None = None

    @property
    def url(self) -> str:
        return f"{self.id}/index.html"


@dataclass(frozen=True)
class Org:
    """A 乡镇/街道, or a 村/社区 under one (基层政务公开 向乡村延伸)."""

    id: str
    name: str
    level: str  # one of ORG_LEVELS
    parent: str | None = None
    line: int = 0

    @property
    def url(self) -> str:
        return f"orgs/{self.id}/index.html"

    @property
    def catalog_url(self) -> str:
        return f"orgs/{self.id}/catalog/index.html"


@dataclass(frozen=True)
class SearchPage:
    """A page that is not a document but is found by search like one: the 政府信息公开 column's
    text pages, each 重大建设项目's page."""

    url: str
    title: str
    text: str
    date: date
    section: str  # 政府信息公开, 重大建设项目: the result's 领域 in the search filters
    part: str  # 政府信息公开指南, 年度报告…: the result's 事项
    code: str = ""  # a 项目代码: a query for it puts the page first


@dataclass(frozen=True)
class Project:
    """A 重大建设项目, declared once in catalog.yaml; documents name it by id or 项目代码."""

    id: str
    name: str
    code: str  # 投资项目统一代码 YYYY-NNNNNN-NN-NN-NNNNNN
    owner: str  # 建设单位: a unit id or a free name
    location: str
    investment: str = ""
    start: date | None = None
    end: date | None = None
    notes: tuple[tuple[str, str], ...] = ()  # (stage, why it has nothing yet)
    line: int = 0

    def note(self, stage: str) -> str:
        return dict(self.notes).get(stage, "")

    @property
    def url(self) -> str:
        return f"projects/{self.id}/index.html"


@dataclass(frozen=True)
class Catalog:
    site: SiteInfo
    units: dict[str, str]
    domains: tuple[Domain, ...]
    orgs: tuple[Org, ...] = ()
    projects: tuple[Project, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()  # search_synonyms: the site's own sets

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for domain in self.domains for item in domain.items)

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def item_by_path(self) -> dict[str, Item]:
        """Each folder's item (the first declared, if two share one)."""
        found: dict[str, Item] = {}
        for item in self.items:
            found.setdefault(item.path, item)
        return found

    def item(self, item_id: str) -> Item:
        return self.item_by_id[item_id]

    def domain(self, domain_id: str) -> Domain:
        return self.domain_by_id[domain_id]

    @cached_property
    def domain_by_id(self) -> dict[str, Domain]:
        return {d.id: d for d in self.domains}

    def unit_name(self, unit: str) -> str:
        return self.units.get(unit, unit)

    @cached_property
    def org_by_id(self) -> dict[str, Org]:
        return {org.id: org for org in self.orgs}

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects} | {p.code: p for p in self.projects}

    def children(self, org_id: str | None) -> tuple[Org, ...]:
        """The orgs directly under `org_id` (None: the county's 乡镇/街道)."""
        return tuple(org for org in self.orgs if org.parent == org_id)

    def items_of(self, org_id: str | None) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.org == org_id)


@dataclass(frozen=True)
class Attachment:
    file: str  # as written in front matter, relative to the document
    title: str
    source: str  # posix path relative to the site root, normalised (symlinks not followed)
    out_name: str  # ASCII file name in build/, beside the document page
    size: int  # 0 if the file is missing or outside content/ (an error then)
    line: int
    captions: str | None = None  # source path of the WebVTT captions of a video or audio file
    captions_out: str | None = None


@dataclass(frozen=True)
class PublicFile:
    """A file copied into build/ beside a document page (see govsite.publication)."""

    target: str  # as the document refers to it: site-relative posix path, symlinks not followed
    name: str  # output file name, beside the document page
    source: str  # the file copied: site-relative posix path, symlinks resolved


@dataclass(frozen=True)
class Document:
    """One Markdown file and its publication record (公文公开发布意见单)."""

    rel: str  # posix path relative to the site root: "content/czyjs/zfys/x.md"
    item_id: str
    title: str
    issuer: str  # unit id or a free name
    date: date
    published: date
    disclosure: str
    reviewer: str
    reviewed: date
    markdown: str | None = field(compare=False)  # the body; None: read when asked for (`body`)
    body_line: int  # file line number of the body's first line
    slug: str
    index_no: str
    kind: str = "其他"
    doc_number: str | None = None
    exempt_basis: str | None = None
    topic: str | None = None
    validity: str | None = None
    interprets: str | None = None  # rel path of the interpreted policy, resolved
    interp_form: str | None = None
    origin: str | None = None  # 来源
    interp_type: str | None = None  # 首次解读, 二次解读…
    project: str | None = None  # id of the 重大建设项目 the document belongs to
    replaced_by: str | None = None  # rel path of the replacing policy, or its name as text
    attachments: tuple[Attachment, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> file line
    # of the body, worked out from `markdown` when it is given (bodyfacts.py), else kept ones
    body_digest: str = ""
    citations: tuple[Citation, ...] = field(default=(), compare=False)
    placeholder_line: int = field(default=0, compare=False)
    # gives the body when markdown is None: loading's content.BodyFile holds it until it is
    # converted and checked, then reads it from the file, checked against body_digest
    read_body: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    __hash__ = hashed_once
    __getstate__ = without_hash
    _hashed = ("rel", "body_digest")  # cheaper than every field; documents key caches and page keys

    def __post_init__(self) -> None:
        body = self.markdown
        if body is None:
            if not (self.body_digest and self.read_body):
                raise ValueError("a document kept unread needs its body's digest and a reader")
            return
        for name, value in (("body_digest", body_digest(body)),
                            ("citations", citations(self.rel, body, self.body_line)),
                            ("placeholder_line", placeholder_line(body, self.body_line))):
            object.__setattr__(self, name, value)

    @property
    def body(self) -> str:
        """The Markdown body. A loaded document reads it from its file once loading has let go
        of it (rarely needed: the caches hold what is made of it)."""
        if self.markdown is not None:
            return self.markdown
        assert self.read_body is not None  # __post_init__
        return self.read_body()

    @property
    def is_public(self) -> bool:
        return self.disclosure == PUBLIC

    def is_live(self, today: date) -> bool:
        """What a visitor sees today: 主动公开 and already published."""
        return self.is_public and self.published <= today

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Site:
    """What the renderer sees: published documents only (the disclosure boundary): 主动公开,
    and published on or before `build_date` (govsite serve --show-scheduled aside)."""

    catalog: Catalog
    documents: tuple[Document, ...]  # published, newest first
    urls: dict[str, str]  # document rel -> output path, e.g. "czyjs/zfys/x/index.html"
    interpretations: dict[str, tuple[str, ...]]  # policy rel -> interpretation rels
    withheld: int = 0  # documents not 主动公开
    scheduled: int = 0  # 主动公开 documents left out because they are published after build_date
    build_date: date | None = None  # --today, else SOURCE_DATE_EPOCH, else the clock
    # document rel -> the files copied beside its page (govsite.publication decides them)
    files: dict[str, tuple[PublicFile, ...]] = field(default_factory=dict)
    column: Column | None = None  # the 政府信息公开 column's structured parts (zfxxgk/)

    @cached_property
    def by_rel(self) -> dict[str, Document]:
        return {d.rel: d for d in self.documents}

    @cached_property
    def by_item(self) -> dict[str, tuple[Document, ...]]:
        grouped: dict[str, list[Document]] = {}
        for doc in self.documents:
            grouped.setdefault(doc.item_id, []).append(doc)
        return {item_id: tuple(docs) for item_id, docs in grouped.items()}

    def docs_of(self, item_id: str) -> tuple[Document, ...]:
        return self.by_item.get(item_id, ())

    @cached_property
    def by_domain(self) -> dict[str, tuple[Document, ...]]:
        """domain id -> its published documents, newest first."""
        grouped: dict[str, list[Document]] = {}
        for doc in self.documents:
            grouped.setdefault(self.catalog.item(doc.item_id).domain_id, []).append(doc)
        return {domain_id: tuple(docs) for domain_id, docs in grouped.items()}

    @cached_property
    def policies(self) -> tuple[Document, ...]:
        """The 政策文件库: every published 政策文件, newest first."""
        return tuple(d for d in self.documents if d.kind == "政策文件")

    @cached_property
    def by_project(self) -> dict[str, dict[str, tuple[Document, ...]]]:
        """project id -> category -> its published documents, oldest first (the chain's order)."""
        grouped: dict[str, dict[str, list[Document]]] = {}
        for doc in reversed(self.documents):
            stage = self.catalog.item(doc.item_id).stage
            if doc.project and stage:
                grouped.setdefault(doc.project, {}).setdefault(stage, []).append(doc)
        return {project: {stage: tuple(docs) for stage, docs in stages.items()}
                for project, stages in grouped.items()}
