"""`portalwatch parse`: what a user sees for good pages, soft 404s and every kind of bad input."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.cli import main

PAGES = Path(__file__).resolve().parent / "pages" / "liferay"


def page(name: str) -> Path:
    return PAGES / name / "page.html"


def url_of(name: str) -> str:
    return json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))["url"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["parse", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_article_prints_the_record_as_utf8_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(page("article-em-captions")), "--url", url_of("article-em-captions"),
                         "--portal", "tinhvidu")
    assert code == 0, err
    record = json.loads(out)
    assert record["title"] == "Ra quân chiến dịch làm sạch sông Cầu năm 2024"
    assert record["published_at"] == "2024-04-15T07:45:00+07:00"
    assert record["portal"] == "tinhvidu" and len(record["content_hash"]) == 64
    assert '"Lê Thu Trang"' in out  # not \u-escaped
    assert out.startswith('{\n  "url"')  # indented


def test_saved_file_without_url_uses_file_url_and_page_canonical(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(page("article-em-captions")))
    record = json.loads(out)
    assert code == 0
    assert record["url"] == page("article-em-captions").resolve().as_uri()
    assert record["canonical_url"] == url_of("article-em-captions")
    assert record["images"][0]["url"].startswith("https://tinhvidu.gov.vn/documents/")


def test_listing_prints_listing_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(page("listing-middle")), "--url", url_of("listing-middle"))
    listing = json.loads(out)
    assert code == 0
    assert len(listing["article_urls"]) == 4 and listing["next_page"].endswith("_cur=3")


def test_soft_404_prints_not_found_and_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(page("soft-404")), "--url", url_of("soft-404"))
    assert code == 5
    assert json.loads(out) == {"kind": "not_found", "url": url_of("soft-404"),
                               "message": "Bài viết không tồn tại hoặc đã bị gỡ bỏ.", "cms": "liferay"}
    assert "does not exist" in err and "soft 404" in err


def test_selector_option_applies_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(page("custom-theme-overrides")), "--selector", "title=h1.tieude-tin",
                       "--selector", "body=.noidung-tin", "--selector", "date=.ngay-xuat-ban")
    assert code == 0 and json.loads(out)["published_at"] == "2024-06-05T14:20:00+07:00"


@pytest.mark.parametrize(("name", "code", "message"), [
    ("article-impossible-date", 3, "impossible date '31/02/2019 10:00'"),
    ("not-liferay", 3, "does not look like a Liferay page"),
    ("truncated", 3, "no article title found"),
    ("custom-theme-overrides", 3, "no article"),
])
def test_unextractable_pages_exit_3_with_a_message_naming_the_url(
        capsys: pytest.CaptureFixture[str], name: str, code: int, message: str) -> None:
    got, out, err = run(capsys, str(page(name)), "--url", url_of(name), "--cms", "liferay")
    assert got == code
    assert out == ""
    assert message in err and url_of(name) in err
    assert "Traceback" not in err


def test_broken_markup_is_recovered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(page("broken-markup")), "--url", url_of("broken-markup"))
    assert code == 0
    assert json.loads(out)["images"][0]["caption"] == "Người dân đi qua cầu treo mới"


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"", "the file is empty"),
    (b"  \n\t", "the file is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
])
def test_bad_files_exit_2_naming_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          content: bytes | None, message: str) -> None:
    path = tmp_path / "page.html"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, str(path))
    assert code == 2 and out == ""
    assert str(path) in err and message in err


def test_undecodable_file_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body>\xff\xfe\xfa\xfb</body></html>")
    code, _, err = run(capsys, str(path), "--cms", "liferay")
    assert code == 3 and "does not look like a Liferay page" in err


def test_bad_options_are_user_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(page("article-no-date")), "--cms", "nosuchcms")
    assert (code, out) == (2, "") and "unknown CMS 'nosuchcms'" in err and "auto, " in err
    code, _, err = run(capsys, str(page("article-no-date")), "--selector", "title")
    assert code == 2 and "FIELD=CSS" in err
    code, _, err = run(capsys, str(page("article-no-date")), "--timezone", "Nowhere/Town")
    assert code == 2 and "unknown time zone" in err


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, tuple[int, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body = self.pages.get(self.path, (500, b"boom"))
        self.server.user_agents.append(self.headers.get("User-Agent", ""))  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, ThreadingHTTPServer]]:
    _Handler.pages = {
        "/bai": (200, page("article-no-date").read_bytes()),
        "/da-xoa": (404, b"<html><body><div class='portlet-msg-error'>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y"
                         b"</div></body></html>"),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.user_agents = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", httpd
    httpd.shutdown()
    httpd.server_close()


def test_url_argument_is_fetched_with_a_portalwatch_user_agent(
        capsys: pytest.CaptureFixture[str], server: tuple[str, ThreadingHTTPServer]) -> None:
    base, httpd = server
    code, out, _ = run(capsys, f"{base}/bai")
    assert code == 0
    record = json.loads(out)
    assert record["url"] == f"{base}/bai" and record["title"] == "Thông báo lịch tiếp công dân"
    assert httpd.user_agents[0].startswith("portalwatch/")  # type: ignore[attr-defined]


def test_http_404_page_is_not_found_and_server_error_is_a_user_error(
        capsys: pytest.CaptureFixture[str], server: tuple[str, ThreadingHTTPServer]) -> None:
    base, _ = server
    code, out, _ = run(capsys, f"{base}/da-xoa")
    assert code == 5 and json.loads(out)["message"] == "Không tìm thấy"
    code, out, err = run(capsys, f"{base}/loi")
    assert code == 2 and out == "" and f"could not fetch {base}/loi: HTTP 500" in err


def test_unreachable_url_is_a_user_error_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "http://127.0.0.1:9/bai")  # discard port: nothing listens
    assert code == 2 and "could not fetch http://127.0.0.1:9/bai" in err


def test_several_pages_print_one_line_each_in_order_and_a_failure_does_not_stop_the_batch(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    code, out, err = run(capsys, str(page("article-em-captions")), str(missing), str(page("listing-middle")),
                         str(page("truncated")))
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 4
    assert lines[0]["kind"] == "article"
    assert lines[0]["title"] == "Ra quân chiến dịch làm sạch sông Cầu năm 2024"
    assert lines[0]["cms"] == "liferay"  # what `--cms auto` chose
    assert lines[1]["source"] == str(missing) and "no such file" in lines[1]["error"]
    assert lines[2]["kind"] == "listing" and len(lines[2]["article_urls"]) == 4
    assert lines[3]["source"] == str(page("truncated")) and "no article title found" in lines[3]["error"]
    assert code == 2  # the first page that gave no record: a missing file
    assert f"2 of 4 pages gave no record: {missing}, {page('truncated')}" in err
    assert "Traceback" not in err


def test_format_jsonl_prints_one_page_on_one_line_and_json_several_as_an_array(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(page("article-no-date")), "--format", "jsonl")
    assert code == 0 and out.count("\n") == 1 and json.loads(out)["kind"] == "article"
    code, out, _ = run(capsys, str(page("article-no-date")), str(page("soft-404")), "--format", "json")
    assert code == 5  # the soft 404 gave no record (5: not found)
    assert [item["kind"] for item in json.loads(out)] == ["article", "not_found"]


def test_url_with_several_files_and_an_unknown_family_are_refused_before_any_parse(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(page("article-no-date")), str(page("soft-404")), "--url", "https://x.vn/a")
    assert (code, out) == (2, "") and "--url" in err
    code, out, err = run(capsys, str(page("article-no-date")), str(page("soft-404")), "--cms", "joomla")
    assert (code, out) == (2, "") and "unknown CMS 'joomla'" in err


def test_cms_choices_in_the_help_come_from_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.parsing import family_names

    with pytest.raises(SystemExit):
        main(["parse", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"auto, {', '.join(family_names())}" in help_text
