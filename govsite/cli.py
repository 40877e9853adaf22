"""The command line: thin wrappers that call the core and print what it reports."""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from govsite import __version__
from govsite.audit.report import FORMATS, render, summary
from govsite.build import STAGES, collect_problems, resolve_today, scheduled_documents
from govsite.model import KINDS
from govsite.problems import GovsiteError, Problem, count_errors, has_errors


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


class Commands(click.Group):
    """Input problems from any command: printed as path:line: CODE message, exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GovsiteError as error:
            print_problems(error.problems)
            ctx.exit(1)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govsite")
def cli() -> None:
    """govsite: 政务公开标准目录静态网站生成器."""


def main() -> None:
    """The `govsite` command. The process ends without freeing its objects one by one, which
    after a build of 10,000 documents took a quarter of a second: its output is flushed and
    logging shut down first, and every process it started has ended by then."""
    try:
        cli()
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def site_option(function):  # type: ignore[no-untyped-def]
    return click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True, help="站点根目录")(function)


def http_url(value: str | None) -> str | None:
    from govsite.load import BASE_URL_RE

    if value and not BASE_URL_RE.match(value):
        raise click.BadParameter(f"“{value}”须为 http:// 或 https:// 开头的网址")
    return value


class BuildProgress:
    """A stage progress bar, shown only on a terminal and only once a build passes 2 seconds."""

    DELAY = 2.0

    def __init__(self, enabled: bool):
        self.enabled, self.stages = enabled, STAGES
        self.started = time.monotonic()
        self.bar: Any = None

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        if self.bar is None and time.monotonic() - self.started > self.DELAY:
            self.bar = click.progressbar(length=len(self.stages), label="构建中", file=sys.stdout)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.label = stage
            self.bar.update(self.stages.index(stage) + 1 - self.bar.pos)

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command("build")
@site_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="输出目录（默认 build/）")
@click.option("--base-url", default=None, callback=lambda _c, _p, value: http_url(value),
              help="覆盖 catalog.yaml 中的 base_url")
@click.option("--keep-going", is_flag=True, help="发布所有无错误的文件，跳过有错误的文件（仍以 1 退出）")
@click.option("--quiet", "-q", is_flag=True, help="只输出问题")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="构建日期 YYYY-MM-DD：发布日期晚于它的文件不发布（默认 SOURCE_DATE_EPOCH，否则今天）")
def build_command(site_dir: Path, out: Path | None, base_url: str | None, keep_going: bool,
                  quiet: bool, today: datetime | None) -> None:
    """构建网站到 build/。"""
    from govsite.build import build
    from govsite.lifetime import end_with_this_process
    from govsite.output import OutputError

    end_with_this_process()
    try:
        with BuildProgress(enabled=not quiet and sys.stdout.isatty()) as progress:
            result = build(site_dir, out, base_url=base_url, keep_going=keep_going,
                           today=today.date() if today else None, progress=progress)
    except GovsiteError as error:
        print_problems(error.problems)
        errors = count_errors(error.problems)
        click.echo(f"构建失败：{errors} 个错误，原有输出目录未改动。", err=True)
        sys.exit(1)
    except OutputError as error:
        click.echo(f"错误：{error}", err=True)
        sys.exit(2)
    except OSError as error:  # a full disk, a read-only or vanished folder: no traceback
        click.echo(f"错误：{os_error(error)}。原有输出目录未改动。", err=True)
        sys.exit(2)
    print_problems(result.problems)
    for notice in result.notices:
        click.echo(notice, err=True)
    if not quiet:
        scheduled = f"待发布 {result.scheduled} 个（未输出），" if result.scheduled else ""
        click.echo(f"已发布 {result.published} 个文件，不公开 {result.withheld} 个（未输出），{scheduled}"
                   f"生成 {result.pages} 个页面，用时 {result.seconds:.1f} 秒 → {result.out}")
    sys.exit(1 if result.withheld_invalid else 0)


def os_error(error: OSError) -> str:
    """One line for a failed read or write, e.g. 磁盘空间不足 (ENOSPC) and the file."""
    reason = "磁盘空间不足" if error.errno == errno.ENOSPC else error.strerror or str(error)
    where = f"：{error.filename}" if error.filename else ""
    return f"读写文件失败（{reason}）{where}"


# govsite check (issue 4): the inspector's audit, without writing the site.
@cli.command()
@site_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", help="输出格式")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件")
@click.option("--strict", is_flag=True, help="有警告也以 1 退出")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="检查日期 YYYY-MM-DD")
def check(site_dir: Path, fmt: str, output: Path | None, strict: bool,
          today: datetime | None) -> None:
    """检查站点（不生成网站）：列出所有错误和警告和检查结论，有错误或单项否决时以 1 退出。"""
    day = resolve_today(today.date() if today else None)
    problems, catalog, documents = collect_problems(site_dir, day, documents=fmt == "html")
    for doc in scheduled_documents(documents, day):  # information, not a problem
        click.echo(f"{doc.rel}:{doc.line_of('published')}: 待发布 {doc.published}（晚于 {day}，"
                   f"到期前构建不发布）{doc.title}", err=True)
    report = render(fmt, problems, catalog, documents, day)
    if output is None:
        click.echo(report, nl=False)
    else:
        refuse_published_path(output, site_dir)
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as error:
            click.echo(f"错误：{os_error(error)}", err=True)
            sys.exit(2)
        click.echo(f"报告已写入 {output}：{summary(problems, catalog)}", err=True)
    # a 单项否决 is made of warnings: every output states it, --strict (the CI gate) fails on it
    failed = has_errors(problems) or (strict and problems)
    sys.exit(1 if failed else 0)


def refuse_published_path(output: Path, site_dir: Path) -> None:
    """The report names withheld documents: it must not land where the site publishes files
    from (content/, themes/) or in the built site."""
    target, root = output.absolute().resolve(), site_dir.absolute().resolve()
    for folder in ("content", "themes", "build"):
        if target.is_relative_to(root / folder):
            click.echo(f"错误：报告不能写入 {folder}/ 之内（其中的文件会被发布到网站上）：请换一个位置，"
                       "如 --output check-report.html", err=True)
            sys.exit(2)


# govsite serve / new / init / import-catalog (issue 5): the editor workflow.
@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认仅本机可访问）")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="端口")
@click.option("--open", "open_browser", is_flag=True, help="启动后在浏览器中打开")
@click.option("--show-scheduled", is_flag=True,
              help="预览待发布文件（发布日期晚于今天），页面上标出“待发布”")
def serve(site_dir: Path, host: str, port: int, open_browser: bool, show_scheduled: bool) -> None:
    """本地预览：构建并提供网站，修改文件后自动重建并刷新浏览器。"""
    from govsite.lifetime import end_with_this_process
    from govsite.serve import DevServer

    require_site(site_dir)
    end_with_this_process()
    try:
        server = DevServer(site_dir, host, port, report=lambda line: click.echo(line, err=True),
                           show_scheduled=show_scheduled)
    except OSError as error:
        message = f"无法监听 {host}:{port}（{error.strerror}）：请用 --port 换一个端口"
        raise click.ClickException(message) from None
    try:
        server.start()
        click.echo(f"预览地址：{server.url}（按 Ctrl-C 停止）")
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:  # Ctrl-C may come at any moment, even before the first sleep
        click.echo("正在停止……", err=True)
    finally:
        server.stop()


def require_site(site_dir: Path) -> None:
    if not (site_dir / "catalog.yaml").is_file():
        raise click.ClickException(f"{site_dir} 中没有 catalog.yaml：请在站点目录中运行，"
                                   "或用 --site 指定；新建站点请用 govsite init 目录")


@cli.command()
@click.argument("item_id")
@click.argument("title")
@click.option("--kind", type=click.Choice(KINDS), default="其他", show_default=True, help="类型")
@click.option("--slug", default=None, help="网址别名（ASCII），默认按类型和日期生成")
@site_option
def new(item_id: str, title: str, kind: str, slug: str | None, site_dir: Path) -> None:
    """在事项目录中新建文档，发布意见单各项已预填。"""
    from govsite.scaffold import new_document

    path = new_document(site_dir, item_id, title, kind, resolve_today(), slug)
    click.echo(f"已创建 {path}：请填写审核人（reviewer）并撰写正文。")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="某某县", show_default=True, help="县（市、区）名称")
@click.option("--catalog", "table", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="本单位的标准目录表格（CSV 或 XLSX）：用它代替示例目录")
@click.option("--domain", default=None, help="表格没有“领域”列时，所有事项所属的领域名称")
@click.option("--towns", default="", help="示例目录：乡镇（街道），逗号分隔，可写 id=名称，如 dads=大塅镇,永宁镇")
def init(directory: Path, name: str, table: Path | None, domain: str | None, towns: str) -> None:
    """新建站点：用本单位的标准目录表格（--catalog），或 26 个领域的标准目录示例和欢迎文档
    （--towns 另建各乡镇的村务事项）。"""
    if table is None:
        from govsite.scaffold import init_site, parse_towns

        init_site(directory, name, resolve_today(), towns=parse_towns(towns))
    else:
        from govsite.importer import init_from_table

        result = init_from_table(directory, table, name, resolve_today(), domain)
        print_problems(result.problems)
        click.echo(imported_summary(result))
    click.echo(f"已创建站点 {directory}。下一步：cd {directory} && govsite serve")


def imported_summary(result: Any) -> str:
    added = f"；已补充标准事项：{'、'.join(result.added)}" if result.added else ""
    return (f"已导入 {len(result.domains)} 个领域、{result.item_count} 个事项、"
            f"{len(result.units)} 个单位{added}")


@cli.command("import-catalog")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("catalog.yaml"), show_default=True, help="输出文件")
@click.option("--domain", default=None, help="表格没有“领域”列时，所有事项所属的领域名称")
@click.option("--name", default="某某县", show_default=True, help="县（市、区）名称，用于 site 标题")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def import_catalog_command(table: Path, output: Path, domain: str | None, name: str,
                           force: bool) -> None:
    """把现有的标准目录表格（CSV 或 XLSX）转换为 catalog.yaml。"""
    from govsite.importer import import_catalog

    result = import_catalog(table, output, domain=domain, county=name, force=force)
    print_problems(result.problems)
    click.echo(f"{imported_summary(result)} → {output}")


@cli.command("import-docs")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--item", "item_id", required=True, help="事项 id（见 catalog.yaml）")
@site_option
@click.option("--kind", type=click.Choice(KINDS), default=None, help="类型（默认按标题判断）")
@click.option("--keep-original", is_flag=True, help="同时把原文件作为附件")
def import_docs_command(paths: tuple[Path, ...], item_id: str, site_dir: Path, kind: str | None,
                        keep_original: bool) -> None:
    """把 Word 公文（.docx、.doc、.wps）或 PDF 导入为事项中的文档（可给文件或目录）。"""
    from govsite.importdocs import import_docs

    require_site(site_dir)
    result = import_docs(site_dir, list(paths), item_id, kind, keep_original)
    for path, todo in result.written:
        click.echo(f"已导入 {path}（事项：{result.item}）\n  待填写：{'；'.join(todo)}")
    print_problems(result.problems)
    click.echo(f"导入 {len(result.written)} 个文件，{count_errors(result.problems)} 个错误。"
               "填写审核人等各项后用 govsite check 检查。", err=True)
    sys.exit(1 if has_errors(result.problems) else 0)


@cli.command("search")
@click.argument("query")
@site_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="最多结果数")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 列表 [{url, title, score}]")
def search_command(query: str, site_dir: Path, limit: int, as_json: bool) -> None:
    """搜索已发布文件（与网站搜索页结果一致）；索引不存在时先建立索引。"""
    import json

    from govsite.build import Caches, analyse
    from govsite.cache import CACHE_DIR
    from govsite.search.whoosh_index import search

    require_site(site_dir)
    caches = Caches(site_dir / CACHE_DIR, html_on_disk=True)  # search reads no HTML
    analysis = analyse(site_dir, cache=caches)
    caches.save()
    notices: list[str] = []
    results = search(site_dir, analysis.site, analysis.bodies, query, limit, notices,
                     caches.text_by_path(analysis.site))
    for notice in notices:
        click.echo(notice, err=True)
    if as_json:
        rows = [{k: r[k] for k in ("url", "title", "score")} for r in results]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in results:
        click.echo(f"{r['score']:10.4f}  {r['url']}  {r['title']}")
    if not results:
        click.echo("没有找到结果。", err=True)
