"""`portalwatch alerts ...` as a user runs it: rules, test sends, sending, what is waiting, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from crawler.cli import main
from storage.db import open_database
from storage.models import AlertDelivery
from storage.store import ensure_portal
from tests.conftest import REPO
from tests.receivers import (
    SMTP_PASSWORD,
    WEBHOOK_TOKEN,
    MailReceiver,
    WebhookReceiver,
    free_port,
    mail_text,
)
from tests.records import make_record, store_alerting

SECRETS = (SMTP_PASSWORD, WEBHOOK_TOKEN)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["alerts", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _crawl(db_url: str, *titles: str) -> None:
    """A baseline crawl, then a later crawl that finds `titles` as new articles."""
    database = open_database(db_url)
    with database.session() as s:
        ensure_portal(s, "thainguyen", name="Cổng TTĐT tỉnh Thái Nguyên", cms="liferay",
                      timezone="Asia/Ho_Chi_Minh")
        store_alerting(s, make_record("cu", title="Tin cũ"), baseline=True)
    with database.session() as s:
        for n, title in enumerate(titles):
            store_alerting(s, make_record(f"moi-{n}", title=title))
    database.dispose()


def test_add_and_list_show_the_rule_with_every_secret_masked(
    capsys: pytest.CaptureFixture[str], db_url: str, mail: MailReceiver, hook: WebhookReceiver
) -> None:
    code, out, err = cli(capsys, "add", "--db", db_url, "--name", "bd", "--match", "bồi thường",
                         "--portal", "thainguyen", "--on", "new,changed,removed", "--digest", "1h",
                         "--notify", mail.url(), "--notify", hook.url())
    assert code == 0, err
    listed = cli(capsys, "list", "--db", db_url)
    assert listed[0] == 0
    assert listed[1].splitlines() == [
        "bd: on new,changed,removed; portal thainguyen; match 'bồi thường'; digest every 1h",
        f"  -> mailto://canhbao:****@127.0.0.1:{mail.port}?from=portalwatch@example.org&to=doc.gia@example.org",
        f"  -> json://127.0.0.1:{hook.port}/hook?+X-Webhook-Token=****",
        "  0 pending, 0 sent, 0 failed",
    ]
    for secret in SECRETS:
        assert secret not in out + err + listed[1] + listed[2]


@pytest.mark.parametrize(("url", "secrets"), [
    ("tgram://123456789:AAHfiK9uQ3pZ7xW2vB8nM4kL6jH1gF5/-100200300", ["AAHfiK9uQ3pZ7xW2vB8nM4kL6jH1gF5"]),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#tin-tuc", ["TIiajkdnlazkcOXrIdevi7FQ"]),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", ["JHMHI8qBe7bk2ZwO5U711o3dV_js"]),
    ("mailtos://canhbao:M4tKhau!2025@smtp.gmail.com?to=doc.gia@example.org", ["M4tKhau!2025"]),
    ("json://hooks.example.org/services/9f8e7d6c5b4a39281706f5e4", ["9f8e7d6c5b4a39281706f5e4"]),
    ("json://u:pw-9876@hooks.example.org/in?+Authorization=Bearer%20eyJhbGciOi", ["pw-9876", "eyJhbGciOi"]),
    # a password too short to redact from free text is still masked where it stands in the URL
    ("mailto://tin:q7@mail.example.org?to=doc.gia@example.org", ["tin:q7@"]),
])
def test_list_never_shows_a_channel_secret(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, url: str, secrets: list[str]
) -> None:
    code, added, err = cli(capsys, "add", "--db", sqlite_url, "--name", "kenh", "--notify", url)
    assert code == 0, err
    _, listed, _ = cli(capsys, "list", "--db", sqlite_url)
    assert "****" in listed
    for secret in secrets:
        assert secret not in added + listed + err


@pytest.mark.parametrize(("url", "shown"), [
    ("mailtos://canhbao:M4tKhau!2025@smtp.gmail.com:587/?from=tin@example.org&to=doc.gia@example.org",
     "mailtos://canhbao:****@smtp.gmail.com:587/?from=tin@example.org&to=doc.gia@example.org"),
    ("json://hooks.example.org/in?token=a1b2c3", "json://hooks.example.org/in?token=****"),
])
def test_list_shows_the_port_and_parameter_names_that_tell_channels_apart(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, url: str, shown: str
) -> None:
    assert cli(capsys, "add", "--db", sqlite_url, "--name", "kenh", "--notify", url)[0] == 0
    _, listed, _ = cli(capsys, "list", "--db", sqlite_url)
    assert f"  -> {shown}" in listed.splitlines()


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--name", "x", "--notify", "json://h/p", "--regex", "[a-"],
     "--regex '[a-' is not a valid regular expression"),
    (["add", "--name", "x", "--notify", "mailto://canhbao:Sm7pS3cretPa55@"],
     "--notify mailto://canhbao:****@: not a notification URL Apprise can use"),
    (["add", "--name", "x", "--notify", "json://h/p", "--on", "new,edited"],
     "--on 'new,edited': unknown event kind edited"),
    (["add", "--name", "x", "--notify", "json://h/p", "--digest", "0h"], "--digest: '0h' is not a duration"),
    (["add", "--name", "x", "--notify", "json://h/p", "--portal", "atlantis"],
     "--portal atlantis: unknown portal (known: angiang, bacninh, "),  # the built-in registry, sorted
    (["remove", "nobody"], "no alert rule named 'nobody' (rules: none yet)"),
    (["test", "nobody"], "no alert rule named 'nobody'"),
])
def test_bad_input_is_refused_with_a_clear_message_and_exit_2(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, args: list[str], message: str
) -> None:
    open_database(sqlite_url).dispose()  # an existing database: `alerts test` only reads
    code, out, err = cli(capsys, *args, "--db", sqlite_url)
    assert code == 2
    assert err.startswith(f"portalwatch: error: {message}") and err.count("error:") == 1
    assert SMTP_PASSWORD not in err


def test_a_second_rule_with_the_same_name_is_refused(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    assert cli(capsys, "add", "--db", sqlite_url, "--name", "bd", "--notify", "json://h/p")[0] == 0
    code, _, err = cli(capsys, "add", "--db", sqlite_url, "--name", "bd", "--notify", "json://h/q")
    assert code == 2 and "an alert rule named 'bd' already exists" in err


def test_alerts_test_sends_a_sample_through_each_channel_and_says_which_failed(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, mail: MailReceiver, hook: WebhookReceiver
) -> None:
    cli(capsys, "add", "--db", sqlite_url, "--name", "bd", "--notify", mail.url(), "--notify", hook.url())
    hook.fail_next(1)
    code, out, _ = cli(capsys, "test", "bd", "--db", sqlite_url)
    assert code == 1
    assert f"mailto://canhbao:****@127.0.0.1:{mail.port}" in out and "OK, sent" in out
    assert f"json://127.0.0.1:{hook.port}/hook?+X-Webhook-Token=****: FAILED: " in out and "error=500" in out
    assert "1 of 2 channel(s) work" in out
    assert mail.wait_for(1)[0]["Subject"] == "[Thử] Tin mới: Tin thử nghiệm của portalwatch"
    code, out, _ = cli(capsys, "test", "bd", "--db", sqlite_url)
    assert code == 0 and "2 of 2 channel(s) work" in out
    assert hook.wait_for(1)[0]["title"].startswith("[Thử] ")
    assert not any(secret in out for secret in SECRETS)


def test_pending_then_send_delivers_what_a_crawl_queued(
    capsys: pytest.CaptureFixture[str], db_url: str, hook: WebhookReceiver
) -> None:
    cli(capsys, "add", "--db", db_url, "--name", "bd", "--match", "boi thuong", "--notify", hook.url())
    _crawl(db_url, "Phương án bồi thường đường vành đai", "Khai mạc hội chợ")
    code, out, _ = cli(capsys, "pending", "--db", db_url)
    assert code == 0 and out.startswith("bd: new: Phương án bồi thường đường vành đai [due ")
    assert len(out.splitlines()) == 1
    hook.fail_next(1)
    code, out, _ = cli(capsys, "send", "--db", db_url)
    assert code == 1  # for cron: something did not go out
    assert "0 alert(s) sent in 0 message(s), 1 to retry, 0 failed" in out and "error=500" in out
    code, out, _ = cli(capsys, "pending", "--db", db_url)
    assert "1 attempt(s)" in out and "last error: json://127.0.0.1" in out
    assert WEBHOOK_TOKEN not in out
    # The retry is a minute away; a user who fixed the channel can wait or remove and re-add.
    assert hook.payloads == []


def test_send_delivers_and_nothing_waits_afterwards(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, mail: MailReceiver
) -> None:
    cli(capsys, "add", "--db", sqlite_url, "--name", "bd", "--notify", mail.url())
    _crawl(sqlite_url, "Tin thứ nhất", "Tin thứ hai")
    code, out, _ = cli(capsys, "send", "--db", sqlite_url)
    assert code == 0 and "2 alert(s) sent in 2 message(s)" in out
    assert sorted(mail_text(m).splitlines()[0] for m in mail.wait_for(2)) == [
        "Tin mới: Tin thứ hai", "Tin mới: Tin thứ nhất"]
    assert cli(capsys, "pending", "--db", sqlite_url)[1] == "no alerts waiting\n"
    assert cli(capsys, "send", "--db", sqlite_url)[1].startswith("alerts send: 0 alert(s) sent")
    assert "0 pending, 2 sent, 0 failed" in cli(capsys, "list", "--db", sqlite_url)[1]


def test_removing_a_rule_drops_its_queued_alerts(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, hook: WebhookReceiver
) -> None:
    cli(capsys, "add", "--db", sqlite_url, "--name", "bd", "--notify", hook.url())
    _crawl(sqlite_url, "Tin một")
    code, out, _ = cli(capsys, "remove", "bd", "--db", sqlite_url)
    assert code == 0 and "alert rule 'bd' removed (1 queued alert(s) dropped)" in out
    assert cli(capsys, "send", "--db", sqlite_url)[0] == 0
    assert hook.payloads == []
    assert cli(capsys, "list", "--db", sqlite_url)[1].startswith("no alert rules yet")


def test_a_real_verbose_run_never_prints_a_secret(
    sqlite_url: str, mail: MailReceiver, hook: WebhookReceiver
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "import sys; from crawler.cli import main; sys.exit(main())",
                   "-v", "alerts", *args, "--db", sqlite_url]  # `portalwatch -v alerts ...`
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(REPO)})

    added = run("add", "--name", "bd", "--notify", mail.url(), "--notify", hook.url())
    _crawl(sqlite_url, "Tin một", "Tin hai")
    hook.fail_next(1)
    sent = run("send")
    listed = run("list")
    assert (added.returncode, sent.returncode, listed.returncode) == (0, 1, 0), sent.stderr
    assert "sent to mailto://canhbao:****@127.0.0.1" in sent.stderr  # the log says where it went
    assert "DEBUG" in sent.stderr  # Apprise's own debug lines were there to leak, and did not
    everything = "".join(p.stdout + p.stderr for p in (added, sent, listed))
    for secret in SECRETS:
        assert secret not in everything
    assert len(mail.wait_for(2)) == 2 and len(hook.wait_for(1)) == 1


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`portalwatch alerts ARGS --db URL` in a process of its own: its real stderr, logging included."""
    command = [sys.executable, "-c", "import sys; from crawler.cli import main; sys.exit(main())",
               "alerts", *args, "--db", db_url]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_send_prints_a_channel_error_once_and_then_says_when_the_retry_is(sqlite_url: str) -> None:
    nobody = f"json://127.0.0.1:{free_port()}/hook"  # nothing listens there: connection refused
    assert _run(sqlite_url, "add", "--name", "bd", "--notify", nobody).returncode == 0
    _crawl(sqlite_url, "Tin một")
    first = _run(sqlite_url, "send")
    assert first.returncode == 1
    said = first.stdout + first.stderr
    assert said.count("Connection error") == 1, said
    assert "0 alert(s) sent in 0 message(s), 1 to retry, 0 failed; 1 waiting for retry at " in first.stdout
    # A second send before the retry time sends nothing, and says why instead of a bare "0 sent".
    second = _run(sqlite_url, "send")
    assert second.returncode == 0 and second.stderr == ""
    database = open_database(sqlite_url)
    with database.session() as session:
        due = session.scalar(sa.select(AlertDelivery.next_attempt_at))
    database.dispose()
    assert due is not None
    shown = due.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M +07")
    assert second.stdout == ("alerts send: 0 alert(s) sent in 0 message(s), 0 to retry, 0 failed; "
                             f"1 waiting for retry at {shown}\n")


def test_alerts_test_prints_each_channel_once_and_none_of_apprises_log(
    sqlite_url: str, hook: WebhookReceiver
) -> None:
    nobody = f"json://127.0.0.1:{free_port()}/hook"
    assert _run(sqlite_url, "add", "--name", "bd", "--notify", hook.url(), "--notify", nobody).returncode == 0
    tested = _run(sqlite_url, "test", "bd")
    assert tested.returncode == 1
    assert tested.stderr == ""  # neither Apprise's INFO "Sent ..." nor its WARNING about the refusal
    lines = tested.stdout.splitlines()
    assert lines[0] == f"json://127.0.0.1:{hook.port}/hook?+X-Webhook-Token=****: OK, sent"
    assert lines[1].startswith(f"{nobody}: FAILED: ") and "Connection error" in lines[1]
    assert lines[2:] == ["alerts test bd: 1 of 2 channel(s) work"]
    assert len(hook.wait_for(1)) == 1
