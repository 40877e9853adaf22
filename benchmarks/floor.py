"""The floor: the least a static site generator does with govsite's input, in one process.

    python3 benchmarks/floor.py SITE OUT

Reads every content/**/*.md, parses its front matter with PyYAML's C loader, converts the body
with Python-Markdown (the tables extension, as the documents have tables) and writes it through
a trivial Jinja2 template to OUT/<same path>.html. No checks, no lists, no search, no cache:
benchmarks/realistic.py prints every govsite figure as a ratio to this script's time.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import jinja2
import markdown
import yaml

TEMPLATE = jinja2.Template(
    "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{{ meta.title }}</title>"
    "</head><body><h1>{{ meta.title }}</h1><p>{{ meta.published }}</p>{{ body }}</body></html>\n",
    autoescape=True)


def main(site: Path, out: Path) -> int:
    shutil.rmtree(out, ignore_errors=True)
    md = markdown.Markdown(extensions=["tables"])
    pages = 0
    for path in sorted((site / "content").rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        html = TEMPLATE.render(meta=meta, body=jinja2.utils.markupsafe.Markup(md.reset().convert(body)))
        target = out / path.relative_to(site).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        pages += 1
    return pages


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), Path(sys.argv[2])), "pages")
