from pathlib import Path

import pytest

from crawler.core.errors import UserError
from crawler.portals import get_portal, load_registry, parse_duration


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_registry_has_thainguyen_with_defaults() -> None:
    portal = get_portal("thainguyen")
    assert portal.cms == "liferay" and portal.timezone == "Asia/Ho_Chi_Minh"
    assert portal.start_urls == ("https://thainguyen.gov.vn/tin-tuc-su-kien",)
    assert portal.every.total_seconds() == 1800 and portal.pages == 5


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, """
[portals.thainguyen]
name = "TN"
start_urls = ["http://127.0.0.1:8080/tin-tuc-su-kien"]
every = "15m"
[portals.hanoi]
name = "Hà Nội"
cms = "liferay"
start_urls = ["https://hanoi.gov.vn/tin-tuc"]
[portals.hanoi.selectors]
title = "h1.title"
""")
    registry = load_registry(path)
    assert registry["thainguyen"].start_urls == ("http://127.0.0.1:8080/tin-tuc-su-kien",)
    assert registry["thainguyen"].every.total_seconds() == 900
    assert registry["hanoi"].selectors == {"title": "h1.title"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[portals.x]\ncms = "wordpress"\nstart_urls = ["https://x.vn"]', "unknown cms 'wordpress'"),
        ('[portals.x]\nname = "X"', "start_urls must be a non-empty list"),
        ('[portals.x]\nstart_urls = ["ftp://x.vn/a"]', "is not an http(s) URL"),
        ('[portals.x\nstart_urls = ["https://x.vn"]', "not a valid TOML file"),
        ('[portals.x]\nstart_urls = ["https://x.vn"]\nevery = "soon"', "not a duration"),
        ('[portals.x]\nstart_urls = ["https://x.vn"]\ntimezone = "Mars/Base"', "unknown timezone"),
        ('[portals.x]\nstart_urls = ["https://x.vn"]\nstart_url = "typo"', "unknown setting(s) start_url"),
    ],
)
def test_bad_file_is_refused_naming_file_portal_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_registry(path)
    assert str(path) in str(err.value) and message in str(err.value)
    if "TOML" not in message:
        assert "'x'" in str(err.value)


def test_unknown_portal_names_the_known_ones() -> None:
    with pytest.raises(UserError, match="unknown portal 'nowhere'.*thainguyen"):
        get_portal("nowhere")


def test_durations() -> None:
    assert parse_duration("2h").total_seconds() == 7200
    assert parse_duration(45).total_seconds() == 45
    with pytest.raises(UserError):
        parse_duration("0m")


def test_a_user_file_can_switch_off_a_builtin_portal(tmp_path: Path) -> None:
    path = write(tmp_path, """
[portals.thainguyen]
enabled = false
[portals.hanoi]
start_urls = ["https://hanoi.gov.vn/tin-tuc"]
""")
    assert list(load_registry(path)) == ["hanoi"]
    with pytest.raises(UserError, match="unknown portal 'thainguyen'"):
        get_portal("thainguyen", path)


def test_cms_is_auto_by_default_and_any_registered_family_is_accepted(tmp_path: Path) -> None:
    from crawler.parsing import FAMILIES

    path = write(tmp_path, "".join(
        f'[portals.p{i}]\ncms = "{name}"\nstart_urls = ["https://p{i}.gov.vn/tin-tuc"]\n'
        for i, name in enumerate(["AUTO", *FAMILIES])) + '[portals.plain]\nstart_urls = ["https://x.vn/tin"]\n')
    registry = load_registry(path)
    assert registry["plain"].cms == "auto" and registry["p0"].cms == "auto"
    assert [registry[f"p{i + 1}"].cms for i in range(len(FAMILIES))] == list(FAMILIES)


def test_unknown_cms_names_the_families_of_the_registry(tmp_path: Path) -> None:
    from crawler.parsing import family_names

    path = write(tmp_path, '[portals.x]\ncms = "joomla"\nstart_urls = ["https://x.vn"]')
    with pytest.raises(UserError) as err:
        load_registry(path)
    assert f"known: auto, {', '.join(family_names())}" in str(err.value)
