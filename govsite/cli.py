"""The command line: thin wrappers that call the core and print what it reports."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from govsite import __version__
from govsite.audit.report import FORMATS, render, summary
from govsite.build import collect_problems, resolve_today
from govsite.problems import GovsiteError, Problem, has_errors


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govsite")
def cli() -> None:
    """govsite: 政务公开标准目录静态网站生成器."""


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except GovsiteError as error:  # pragma: no cover - commands handle their own
        print_problems(error.problems)
        sys.exit(1)


def site_option(function):  # type: ignore[no-untyped-def]
    return click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True, help="站点根目录")(function)


@cli.command("build")
@site_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="输出目录（默认 build/）")
@click.option("--base-url", default=None, help="覆盖 catalog.yaml 中的 base_url")
@click.option("--keep-going", is_flag=True, help="发布所有无错误的文件，跳过有错误的文件（仍以 1 退出）")
@click.option("--quiet", "-q", is_flag=True, help="只输出问题")
def build_command(site_dir: Path, out: Path | None, base_url: str | None, keep_going: bool,
                  quiet: bool) -> None:
    """构建网站到 build/。"""
    from govsite.build import build
    from govsite.output import OutputError

    try:
        result = build(site_dir, out, base_url=base_url, keep_going=keep_going)
    except GovsiteError as error:
        print_problems(error.problems)
        errors = sum(p.severity == "error" for p in error.problems)
        click.echo(f"构建失败：{errors} 个错误，原有输出目录未改动。", err=True)
        sys.exit(1)
    except OutputError as error:
        click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    print_problems(result.problems)
    if not quiet:
        click.echo(f"已发布 {result.published} 个文件，不公开 {result.withheld} 个（未输出），"
                   f"生成 {result.pages} 个页面，用时 {result.seconds:.1f} 秒 → {result.out}")
    sys.exit(1 if result.withheld_invalid else 0)


# govsite check (issue 4): the inspector's audit, without writing the site.
@cli.command()
@site_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", help="输出格式")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件")
@click.option("--strict", is_flag=True, help="有警告也以 1 退出")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="检查日期 YYYY-MM-DD")
def check(site_dir: Path, fmt: str, output: Path | None, strict: bool,
          today: datetime | None) -> None:
    """检查站点（不生成网站）：列出所有错误和警告，有错误时以 1 退出。"""
    day = resolve_today(today.date() if today else None)
    problems, catalog, documents = collect_problems(site_dir, day)
    report = render(fmt, problems, catalog, documents, day)
    if output is None:
        click.echo(report, nl=False)
    else:
        output.write_text(report, encoding="utf-8")
        click.echo(f"报告已写入 {output}：{summary(problems)}", err=True)
    sys.exit(1 if has_errors(problems) or (strict and problems) else 0)
