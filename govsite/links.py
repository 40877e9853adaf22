"""Stage 4, validate links: every link and image a published body points to must resolve
(错链/断链 are what inspectors count first). Links to files are judged by the publication rule
(govsite.publication), which also picks the files to copy. No network: external links are only
checked for well-formedness."""

from __future__ import annotations

from govsite.body import Body, Link
from govsite.model import Document, Site
from govsite.problems import Problem


def check_links(site: Site, documents: list[Document], bodies: dict[str, Body]) -> list[Problem]:
    loaded = {d.rel: d for d in documents}
    problems: list[Problem] = []
    for doc in site.documents:
        body = bodies[doc.rel]
        unit = site.catalog.unit_name(doc.issuer)

        def add(line: int, code: str, message: str, doc: Document = doc, unit: str = unit) -> None:
            problems.append(Problem(doc.rel, line, code, message, doc.item_id, unit))

        if body.refused:  # over the conversion's budget: nothing else is known of it
            add(*body.refused)
        for link in body.links:
            found = _check(site, loaded, bodies, doc, link)
            if found:
                add(link.line, *found)
        for line in body.images_without_alt:
            add(line, "E304", "图片缺少替代文本：写作 ![图片内容说明](文件名)，说明图片表达的信息")
        if body.unsafe_line:
            add(body.unsafe_line, "W202", "正文中的脚本、事件属性或 javascript: 链接已被清除，请删除这些内容")
    return problems


def _check(site: Site, loaded: dict[str, Document], bodies: dict[str, Body],
           doc: Document, link: Link) -> tuple[str, str] | None:
    what = "图片" if link.image else "链接"
    if link.kind == "anchor":
        if link.fragment and link.fragment not in bodies[doc.rel].anchors:
            return "E305", f"{what}指向本页不存在的锚点“#{link.fragment}”"
    elif link.kind == "malformed":
        return "E307", f"外部链接“{link.target}”格式错误，应写作 https://域名/路径"
    elif link.kind == "absolute":
        return "E306", f"{what}“{link.target}”是本站绝对路径，更换域名或目录后会失效：请改用相对路径"
    elif link.kind == "external":
        base = site.catalog.site.base_url
        if base and link.target.startswith(base.rstrip("/")):
            return "E306", f"{what}“{link.target}”指向本站完整网址：请改用指向 .md 文件的相对路径"
    elif link.kind == "outside":
        return "E302", f"{what}“{link.target}”指向 content/ 之外，不允许引用"
    elif link.kind == "page":
        return _check_page(site, loaded, bodies, link, what)
    return None


def _check_page(site: Site, loaded: dict[str, Document], bodies: dict[str, Body], link: Link,
                what: str) -> tuple[str, str] | None:
    if link.target in site.urls:
        anchors = bodies[link.target].anchors
        if link.fragment and link.fragment not in anchors:
            return "E305", f"{what}指向 {link.target} 中不存在的锚点“#{link.fragment}”"
        return None
    target = loaded.get(link.target)
    if target is not None and target.is_public:
        return "E313", (f"{what}指向尚未发布的文件 {link.target}（发布日期 {target.published}）："
                        "公开页面不能提前链接它")
    if target is not None:
        return "E308", f"{what}指向未主动公开的文件 {link.target}：公开页面不能链接它"
    return "E301", f"{what}指向的文件 {link.target} 不存在（或该文件有错误未能发布）"
