"""An error contentctl did not expect is a bug: it is said in one message with how to report
it, under its own exit code, with no traceback unless --debug asks for one, and no key."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from contentctl.commands.context import App
from contentctl.commands.group import BUG, ContentctlGroup
from contentctl.errors import ContentctlError

KEY = "pp_live_canary_0123456789"


def _group(debug: bool, error: Exception) -> click.Group:
    @click.group(cls=ContentctlGroup)
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = App(Path("."), sandbox=True, debug=debug, color=False)

    @root.command()
    def broken() -> None:
        raise error

    return root


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("POWERPOST_API_KEY", KEY)
    return CliRunner()


def test_a_bug_exits_3_with_one_message_and_how_to_report_it(runner: CliRunner) -> None:
    result = runner.invoke(_group(False, KeyError("missing")), ["broken"])

    assert result.exit_code == BUG == 3
    assert "unexpected error: KeyError: 'missing'" in result.stderr
    assert "this is a bug in contentctl" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(runner: CliRunner) -> None:
    result = runner.invoke(_group(True, ZeroDivisionError("division by zero")), ["broken"])

    assert result.exit_code == BUG
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: division by zero" in result.stderr


@pytest.mark.parametrize("debug", [False, True])
def test_a_key_in_the_error_is_never_printed(runner: CliRunner, debug: bool) -> None:
    result = runner.invoke(_group(debug, ValueError(f"bad header Bearer {KEY}")), ["broken"])

    assert result.exit_code == BUG
    assert KEY not in result.output
    assert "bad header Bearer [redacted]" in result.stderr


def test_an_error_contentctl_expects_keeps_its_own_code(runner: CliRunner) -> None:
    result = runner.invoke(_group(False, ContentctlError("refused")), ["broken"])

    assert result.exit_code == 1
    assert "bug" not in result.output
