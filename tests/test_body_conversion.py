"""Body conversion: the pass that lets plain text skip Python-Markdown's inline patterns
(body._PlainText) changes no HTML, on real documents and on random mixes of Markdown syntax."""

from __future__ import annotations

import random

import markdown
import pytest
from conftest import REAL_CORPUS
from markdown.extensions.toc import TocExtension, slugify_unicode

from govsite import body

SYNTAX = ["通知", "各单位：", "\n", "\n\n", "  \n", "# ", "## 标题", " {#id}", "{: .c}", "*", "**", "_",
          "`", "```\n", "    ", "- ", "1. ", "> ", "|", "---", ":--", "[", "]", "(", ")", "![", "<",
          ">", "<b>", "</b>", "<div>", "</div>", "&amp;", "&", "\\", "<http://x.y>", "a@b.c", "!",
          "\t", "。", " ", "x", "<!-- c -->", "\x02", "\x03", "[a]: http://z", "***"]


def without_the_plain_text_pass(text: str) -> str:
    converter = markdown.Markdown(extensions=[
        "tables", "fenced_code", "sane_lists", "attr_list",
        TocExtension(slugify=slugify_unicode, permalink=False)])
    return converter.convert(text)


def random_bodies(count: int) -> list[str]:
    rng = random.Random(17)
    return ["".join(rng.choice(SYNTAX) for _ in range(rng.randint(1, 60))) for _ in range(count)]


@pytest.mark.parametrize("source", ["real corpus", "random syntax"])
def test_the_plain_text_pass_changes_no_html(source: str) -> None:
    texts = ([p.read_text(encoding="utf-8") for p in sorted(REAL_CORPUS.rglob("*.md"))]
             if source == "real corpus" else random_bodies(1500))
    assert len(texts) >= 140
    for text in texts:
        assert body._markdown(text) == without_the_plain_text_pass(text), text


def test_plain_paragraphs_skip_the_inline_patterns() -> None:
    converter = markdown.Markdown(extensions=[body._PlainTextExtension()])
    root = converter.parser.parseDocument(["各单位要做好防火工作。", "", "请见[附件](a.pdf)。"]).getroot()
    converter.treeprocessors["govsite_plain_text"].run(root)
    plain, linked = root
    assert isinstance(plain.text, body.AtomicString)
    assert not isinstance(linked.text, body.AtomicString)
    assert converter.reset().convert("请见[附件](a.pdf)。") == '<p>请见<a href="a.pdf">附件</a>。</p>'


def test_links_and_text_are_read_from_the_sanitised_html() -> None:
    """The scan reads tags as the sanitiser writes them: entities are decoded in URLs and text,
    internal URLs become placeholders and the other attributes stay as they were."""
    converted = body.convert("content/zcwj/a/b.md", '见<a href="c.md?x=1&amp;y=2#第二条" title="甲>乙">'
                             '《办法》</a>&amp;附图\n\n<img src="tu.png">\n\n[下载](fj.pdf)', 4)
    assert [(link.target, link.fragment, link.kind) for link in converted.links] == [
        ("content/zcwj/a/c.md", "第二条", "page"), ("content/zcwj/a/tu.png", "", "file"),
        ("content/zcwj/a/fj.pdf", "", "file")]
    assert converted.images_without_alt == (6,)
    assert converted.text == "见《办法》&附图\n下载"
    assert converted.html.splitlines() == [
        '<p>见<a href="govsite:content/zcwj/a/c.md#第二条" title="甲&gt;乙">《办法》</a>&amp;附图</p>',
        '<p><img src="govsite:content/zcwj/a/tu.png#"></p>',
        '<p><a href="govsite:content/zcwj/a/fj.pdf#">下载</a></p>']
