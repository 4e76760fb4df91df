"""One set of rules for the whole CLI: reads never write, unknown portals are errors, one time
format with its zone, global options anywhere, one duration grammar, exit codes from one table."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.changes import changed_lines
from crawler.cli import main
from crawler.core.durations import format_duration, parse_duration
from crawler.core.errors import EXIT_CODE_MEANINGS, ExitCode, UserError
from storage.db import open_database
from storage.store import ensure_portal, mark_removed, store_record
from tests.conftest import REPO
from tests.records import make_record

NOW = datetime.now(UTC).replace(microsecond=0)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(tmp_path: Path) -> str:
    """A database with a baseline article, then a new one, an edit and a removal an hour ago."""
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    db = open_database(url)
    with db.session() as s:
        ensure_portal(s, "thainguyen", name="Thái Nguyên", cms="liferay", timezone="Asia/Ho_Chi_Minh")
        store_record(s, make_record("cu", title="Tin cũ"), baseline=True, now=NOW - timedelta(days=2))
        store_record(s, make_record("go", title="Tin sẽ gỡ"), baseline=True, now=NOW - timedelta(days=2))
    with db.session() as s:
        store_record(s, make_record("moi", title="Tin mới đăng"), now=NOW - timedelta(hours=1))
        store_record(s, make_record("cu", title="Tin cũ (đã sửa)"), now=NOW - timedelta(minutes=50))
        mark_removed(s, make_record("go").canonical_url, now=NOW - timedelta(minutes=40))
    db.dispose()
    return url


# --- reads never write --------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["items"], ["show", "1"], ["export"], ["feed"], ["events"], ["alerts", "list"], ["alerts", "pending"],
    ["schedule", "--list"],
])
def test_a_read_only_command_on_a_missing_database_creates_nothing_and_says_what_to_do(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "portalwach.db"
    code, out, err = run(capsys, *command, "--db", f"sqlite:///{typo}")
    assert code == ExitCode.NO_DATABASE == 6
    assert not typo.exists() and list(tmp_path.iterdir()) == []
    assert f"no database at {typo}" in err and "portalwatch crawl" in err
    assert err.count("error:") == 1 and "Traceback" not in err


def test_portals_without_a_database_lists_the_registry_and_creates_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "portals", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 0 and "thainguyen" in out and "no crawl history shown" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unmigrated_database_is_refused_by_reads_and_upgraded_on_request(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
    url = f"sqlite:///{path}"
    code, _, err = run(capsys, "items", "--db", url)
    assert code == 6 and "schema 0001" in err and f"portalwatch db upgrade --db {url}" in err
    code, out, err = run(capsys, "db", "status", "--db", url)
    assert code == 6 and "schema 0001; this portalwatch needs" in out
    with sqlite3.connect(path) as connection:  # the reads left it as it was
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_db_upgrade_creates_and_says_so_then_reads_work(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, _, err = run(capsys, "db", "upgrade", "--db", url)
    assert code == 0 and "schema created to" in err
    assert run(capsys, "db", "status", "--db", url)[0] == 0
    code, out, err = run(capsys, "db", "upgrade", "--db", url)
    assert code == 0 and "already current" in out
    assert run(capsys, "items", "--db", url)[0] == 0


def test_a_write_command_creates_the_database_and_says_so(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    code, _, err = run(capsys, "alerts", "add", "--name", "x", "--notify", "json://127.0.0.1:9/x",
                       "--db", url)
    assert code == 0 and f"database {url}: schema created" in err


# --- one set of rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["items"], ["export"], ["feed"], ["events"]])
def test_an_unknown_portal_is_an_error_everywhere(capsys: pytest.CaptureFixture[str], filled: str,
                                                  command: list[str]) -> None:
    code, out, err = run(capsys, *command, "--portal", "thainguen", "--db", filled)
    assert code == 2 and out == ""
    assert "unknown portal 'thainguen'" in err and "thainguyen" in err and err.count("error:") == 1


def test_global_options_go_before_or_after_the_command(capsys: pytest.CaptureFixture[str],
                                                       filled: str) -> None:
    before = run(capsys, "--db", filled, "--utc", "items", "--format", "jsonl")
    after = run(capsys, "items", "--format", "jsonl", "--db", filled, "--utc")
    assert before[0] == after[0] == 0 and before[1] == after[1] and "Tin mới đăng" in before[1]
    assert run(capsys, "-q", "--db", filled, "alerts", "list")[0] == 0


def test_version_and_help_name_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.startswith("portalwatch ")
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert all(f"  {int(code):>3}  {meaning}" in help_text for code, meaning in EXIT_CODE_MEANINGS.items())


def test_help_imports_no_database_or_scrapy() -> None:
    heavy = "{'sqlalchemy', 'alembic', 'scrapy', 'bs4', 'lxml', 'apprise', 'feedgen', 'rich'}"
    probe = ("import sys; from crawler.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("command", [["items", "--limit", "20"], ["events", "--since", "7d"],
                                     ["show", "1", "--versions"], ["items", "--portal", "thainguyen"]])
def test_reading_commands_load_neither_the_orm_nor_alembic(filled: str, command: list[str]) -> None:
    """What keeps `items` quick to start (bench/cli.py): the read path is SQLAlchemy Core only."""
    probe = ("import sys; from crawler.cli import main\n"
             f"code = main({[*command, '--db', filled]!r})\n"
             "heavy = ('sqlalchemy.orm', 'alembic', 'storage.models')\n"
             "print(code, sorted(m for m in sys.modules if m in heavy))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout[-2000:]


def test_every_time_is_printed_one_way_with_its_zone(capsys: pytest.CaptureFixture[str], filled: str) -> None:
    _, table, _ = run(capsys, "items", "--db", filled, "--status", "all")
    assert table.splitlines()[0].split()[:3] == ["ID", "PUBLISHED", "(+07)"]
    assert "2019-03-11 21:31" in table  # as the portal printed it: 11-03-2019 21:31, Hà Nội time
    _, utc_table, _ = run(capsys, "items", "--db", filled, "--utc")
    assert "(UTC)" in utc_table.splitlines()[0] and "2019-03-11 14:31" in utc_table
    _, shown, _ = run(capsys, "show", "1", "--db", filled, "--versions")
    assert "2019-03-11 21:31 +07" in shown and " UTC" not in shown
    _, shown_utc, _ = run(capsys, "--utc", "show", "1", "--db", filled, "--versions")
    assert "2019-03-11 14:31 UTC" in shown_utc and "+07" not in shown_utc


def test_not_found_is_not_unreachable(capsys: pytest.CaptureFixture[str], filled: str) -> None:
    code, out, err = run(capsys, "show", "9999", "--db", filled)
    assert code == ExitCode.NOT_FOUND == 5 and "no stored article" in err


def test_exit_codes_are_unique_and_the_readme_prints_the_table() -> None:
    assert len({int(code) for code in ExitCode}) == len(ExitCode)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert f"| {int(code)} | {meaning} |" in readme


# --- one duration grammar -----------------------------------------------------------------------

def test_one_duration_grammar_read_and_written() -> None:
    assert parse_duration("1w") == timedelta(weeks=1) and parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(45) == timedelta(seconds=45)
    for text in ("0m", "soon", "5", "-1h"):
        with pytest.raises(UserError):
            parse_duration(text)
    assert [format_duration(s) for s in (0.5, 0.04, 12, 5400, 90000, 1_209_600)] == \
        ["0.5s", "0.04s", "12s", "1h30m", "1d1h", "2w"]
    for seconds in (45, 600, 5400, 86400, 604800, 691200):  # two units at most: exact
        assert parse_duration(format_duration(seconds)).total_seconds() == seconds


def test_a_week_works_for_since_and_for_digest(capsys: pytest.CaptureFixture[str], filled: str) -> None:
    assert run(capsys, "items", "--seen-since", "1w", "--db", filled)[0] == 0
    code, out, _ = run(capsys, "alerts", "add", "--name", "tuan", "--notify", "json://127.0.0.1:9/x",
                       "--digest", "1w", "--db", filled)
    assert code == 0 and "digest every 1w" in out


# --- events -------------------------------------------------------------------------------------

def test_events_lists_what_happened_with_kind_time_portal_and_title(capsys: pytest.CaptureFixture[str],
                                                                     filled: str) -> None:
    code, out, _ = run(capsys, "events", "--db", filled)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["TIME", "(+07)", "KIND"]
    kinds = [line.split()[2] for line in lines[1:]]
    assert kinds == ["removed", "changed", "new"]  # newest first; the baseline is no event
    assert "Tin mới đăng" in lines[3] and "thainguyen" in lines[3]
    _, diffed, _ = run(capsys, "events", "--kind", "changed", "--diff", "--db", filled)
    assert "    - # Tin cũ" in diffed and "    + # Tin cũ (đã sửa)" in diffed and "new" not in diffed.split()
    code, _, err = run(capsys, "events", "--kind", "edited", "--db", filled)
    assert code == 2 and "unknown kind edited" in err


def test_events_explain_the_baseline_when_there_are_none(capsys: pytest.CaptureFixture[str],
                                                         filled: str) -> None:
    code, out, err = run(capsys, "events", "--since", "10m", "--db", filled)
    assert code == 0 and out == "" and "first crawl is its baseline" in err


def test_changed_lines_keep_a_removed_line_that_starts_with_dashes() -> None:
    diff = "--- before\n+++ after\n@@ -1 +1 @@\n--- Kết luận cũ\n+-- Kết luận mới"
    assert changed_lines(diff) == ["--- Kết luận cũ", "+-- Kết luận mới"]


def test_the_help_listing_says_what_each_command_module_says() -> None:
    import argparse
    import importlib

    from crawler.cli import COMMANDS

    for module_name in {module for module, _ in COMMANDS.values()}:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        importlib.import_module(f"crawler.cli.{module_name}").register(subparsers)
        own = {action.dest: action.help for action in subparsers._choices_actions}
        assert own == {command: summary for command, (module, summary) in COMMANDS.items()
                       if module == module_name}
