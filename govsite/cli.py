"""The command line: thin wrappers that call the core and print what it reports."""

from __future__ import annotations

import sys

import click

from govsite import __version__
from govsite.problems import GovsiteError, Problem


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
