"""`portalwatch demo` tells the whole story; `portalwatch sim` serves a portal anyone can edit."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawler.sim.control import CommandError, Controller, ControlServer
from crawler.sim.portal import SimulatedPortal
from tests.conftest import REPO


def test_demo_reports_new_changed_and_removed_shows_a_diff_and_receives_one_alert(tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    command = [sys.executable, "-m", "crawler.cli", "demo", "--articles", "15", "--keep", str(keep)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "15 new, 0 changed, 0 removed" in out  # the first crawl: the baseline
    assert "2 new, 1 changed, 1 removed" in out  # the second crawl saw what the portal did
    kinds = [m.group(1) for m in re.finditer(r"^\d{4}-\d\d-\d\d \d\d:\d\d\s+(new|changed|removed)\s+demo\s",
                                             out, re.M)]
    assert sorted(kinds) == ["changed", "new", "new", "removed"]
    diff = out.split("the diff of", 1)[1]
    assert re.search(r"^\s+- # .+$", diff, re.M) and re.search(r"^\s+\+ # .+ \(đã sửa\)$", diff, re.M)
    assert "the webhook received 1 alert:" in out and "title: Tin được sửa: " in out
    assert (keep / "demo.db").is_file() and f"portalwatch events --db sqlite:///{keep / 'demo.db'}" in out
    kept = f"sqlite:///{keep / 'demo.db'}"
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "events", "--db", kept, "--kind", "removed"],
                           capture_output=True, text=True, cwd=REPO, check=False)
    assert again.returncode == 0 and len(again.stdout.splitlines()) == 2  # the header and the removal


def test_sim_commands_edit_publish_delete_restore_fail_and_slow_the_portal() -> None:
    with SimulatedPortal(articles=12) as portal:
        control = Controller(portal)
        newest = portal.expected_article(0)
        assert control.execute("edit 0").startswith("edited: ")
        assert portal.expected_article(0)["title"] == newest["title"] + " (đã sửa)"
        assert control.execute("edit 1 Tiêu đề mới hoàn toàn").endswith(": Tiêu đề mới hoàn toàn")
        published = control.execute("publish 2")
        assert published.startswith("published: ") and len(portal.expected_articles()) == 14
        slug = control.execute("delete 3").removeprefix("deleted: ")
        assert len(portal.expected_articles()) == 13
        assert control.execute(f"restore {slug}") == f"restored: {slug}"
        assert len(portal.expected_articles()) == 14
        control.execute("fail /tin-tuc-su-kien 503 1")
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(portal.start_url, timeout=10)
        assert failed.value.code == 503
        assert urllib.request.urlopen(portal.start_url, timeout=10).status == 200  # once only
        assert control.execute("slow '*' 0.5").startswith("slow: * answers 0.5s late")
        assert len(control.execute("list 3").splitlines()) == 3
        for bad in ("frobnicate", "edit", "edit nope-slug", "publish many", "fail /x teapot"):
            with pytest.raises(CommandError):
                control.execute(bad)


def test_sim_control_url_takes_the_same_commands_over_http() -> None:
    with SimulatedPortal(articles=5) as portal:
        server = ControlServer(Controller(portal))
        try:
            request = urllib.request.Request(server.url, data=b"publish 1", method="POST")
            answer = urllib.request.urlopen(request, timeout=10).read().decode()
            assert answer.startswith("published: ") and len(portal.expected_articles()) == 6
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(urllib.request.Request(server.url, data=b"explode", method="POST"),
                                       timeout=10)
            assert refused.value.code == 400 and "unknown command" in refused.value.read().decode()
        finally:
            server.stop()


def test_portalwatch_sim_serves_and_takes_commands_on_stdin(tmp_path: Path) -> None:
    registry = tmp_path / "sim.toml"
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "sim", "--port", "0", "--articles", "8", "--write-portals",
         str(registry)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO)
    try:
        assert process.stdin is not None and process.stdout is not None
        start_url = process.stdout.readline().strip()
        assert start_url.startswith("http://127.0.0.1:") and start_url in registry.read_text(encoding="utf-8")
        assert urllib.request.urlopen(start_url, timeout=10).status == 200
        process.stdin.write("edit 0 Tin đã được sửa\n")
        process.stdin.flush()
        assert process.stdout.readline().strip().endswith(": Tin đã được sửa")
        assert "Tin đã được sửa" in urllib.request.urlopen(start_url, timeout=10).read().decode()
        process.stdin.write("quit\n")
        process.stdin.flush()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
