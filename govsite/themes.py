"""Themes: the template folders a site uses (its own theme over the packaged default), their
Jinja2 environment and static files, and the templates' problems (E106)."""

from __future__ import annotations

import os
import re
import traceback
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)

from govsite.problems import Problem
from govsite.sections import STATIC

PACKAGE_THEME = Path(__file__).parent / "themes" / "default"
SOURCE_THEME = Path(__file__).parent.parent / "themes" / "default"


def default_theme() -> Path:
    return PACKAGE_THEME if PACKAGE_THEME.is_dir() else SOURCE_THEME


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Site theme first, then the site's copy of the default, then the packaged default."""
    candidates = [root / "themes" / theme, root / "themes" / "default", default_theme()]
    unique: list[Path] = []
    for candidate in candidates:
        if candidate.is_dir() and candidate.resolve() not in [u.resolve() for u in unique]:
            unique.append(candidate)
    return unique


def make_env(dirs: list[Path]) -> Environment:
    """The theme's environment, one per process and theme: check_templates() and the renderer
    share its compiled templates (Jinja2 reloads one whose file changed)."""
    return _env(tuple(dirs))


@lru_cache(maxsize=8)
def _env(dirs: tuple[Path, ...]) -> Environment:
    loaders = [FileSystemLoader(str(d / "templates")) for d in dirs]
    env = Environment(
        loader=ChoiceLoader([*loaders, PrefixLoader({"default": loaders[-1]})]),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    env.filters["filesize"] = file_size
    env.filters["paragraphs"] = lambda text: [line.strip() for line in text.split("\n") if line.strip()]
    env.filters["number"] = lambda value: f"{value:g}"
    return env


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """static/ of every theme layer, the first layer winning for each file name. Symbolic links
    are not followed into folders, and a linked file is copied only if it lies inside its theme."""
    files: dict[str, Path] = {}
    for layer in reversed(dirs):
        static, inside = layer / "static", layer.resolve()
        if static.is_symlink() or not static.is_dir():
            continue
        for folder, _, names in os.walk(static):  # does not descend into linked folders
            for name in names:
                path = Path(folder, name)
                if path.is_file() and path.resolve().is_relative_to(inside):
                    files[f"{STATIC}/" + path.relative_to(static).as_posix()] = path
    return dict(sorted(files.items()))


def check_templates(root: Path, theme: str) -> list[Problem]:
    """Every template the site uses, compiled: a syntax error or an unknown filter is reported
    with its file and line, before anything is rendered."""
    env = make_env(theme_dirs(root, theme))
    problems = []
    for name in env.list_templates():
        if name.startswith("default/"):  # the packaged theme, also reachable under its own name
            continue
        try:
            env.get_template(name)
        except TemplateSyntaxError as error:
            problems.append(Problem(_shown(root, error.filename or name), error.lineno, "E106",
                                    error.message or str(error)))
    return problems


def template_problem(root: Path, error: TemplateError) -> Problem:
    """A template failing while a page renders (say, an undefined variable), at the template
    line the traceback names; a worker process's traceback arrives as text."""
    text = "".join(traceback.format_exception(error))
    frames = re.findall(r'File "([^"]+/templates/[^"]+)", line (\d+)', text)
    path, line = frames[-1] if frames else ("themes/", "0")
    return Problem(_shown(root, path), int(line) or None, "E106", f"模板渲染出错：{error}")


def _shown(root: Path, path: str) -> str:
    resolved = Path(path).resolve()
    return resolved.relative_to(root.resolve()).as_posix() \
        if resolved.is_relative_to(root.resolve()) else path
