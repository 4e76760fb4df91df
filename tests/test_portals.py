import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.core.errors import UserError
from crawler.portals import (
    BUILTIN_REGISTRY,
    PORTALS_ENV,
    PortalConfig,
    PortalEntry,
    get_portal,
    load_registry,
    parse_duration,
    read_registry_file,
    remove_portal,
    save_portal,
    user_registry_path,
)
from crawler.sim.portal import SimulatedPortal
from tests.conftest import REPO


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
        ('[portals.x]\nname = "X"', "give start_urls (a non-empty list of news listing URLs) or home_url"),
        ('[portals.x]\nhome_url = "https://x.vn"\nverified = "no"', "verified must be true or false"),
        ('[portals.x]\nhome_url = "x.vn"', "home_url 'x.vn' is not an http(s) URL"),
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
    registry = load_registry(path)
    assert "thainguyen" not in registry and registry["hanoi"].start_urls == ("https://hanoi.gov.vn/tin-tuc",)
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


# --- the built-in registry: every provincial-level portal after the July 2025 merger ---------------

PROVINCIAL_UNITS = {  # id: the unit's name in the portal's name
    "hanoi": "thành phố Hà Nội", "haiphong": "thành phố Hải Phòng", "hue": "thành phố Huế",
    "danang": "thành phố Đà Nẵng", "hochiminhcity": "Thành phố Hồ Chí Minh", "cantho": "thành phố Cần Thơ",
    "laichau": "Lai Châu", "dienbien": "Điện Biên", "sonla": "Sơn La", "langson": "Lạng Sơn",
    "quangninh": "Quảng Ninh", "thanhhoa": "Thanh Hóa", "nghean": "Nghệ An", "hatinh": "Hà Tĩnh",
    "caobang": "Cao Bằng", "tuyenquang": "Tuyên Quang", "laocai": "Lào Cai", "thainguyen": "Thái Nguyên",
    "phutho": "Phú Thọ", "bacninh": "Bắc Ninh", "hungyen": "Hưng Yên", "ninhbinh": "Ninh Bình",
    "quangtri": "Quảng Trị", "quangngai": "Quảng Ngãi", "gialai": "Gia Lai", "khanhhoa": "Khánh Hòa",
    "lamdong": "Lâm Đồng", "daklak": "Đắk Lắk", "dongnai": "Đồng Nai", "tayninh": "Tây Ninh",
    "vinhlong": "Vĩnh Long", "dongthap": "Đồng Tháp", "camau": "Cà Mau", "angiang": "An Giang",
}


def builtin_only() -> dict[str, PortalConfig]:
    return read_registry_file(BUILTIN_REGISTRY)


def test_the_builtin_registry_has_the_34_provincial_portals_and_the_national_one() -> None:
    registry = builtin_only()
    assert len(PROVINCIAL_UNITS) == 34 and set(registry) == {*PROVINCIAL_UNITS, "chinhphu"}
    for portal_id, unit in PROVINCIAL_UNITS.items():
        portal = registry[portal_id]
        assert portal.name.endswith(unit), portal_id
        assert portal.home_url and portal.domain.endswith(".gov.vn") and portal.home_url.startswith("https://")
    assert "Chính phủ" in registry["chinhphu"].name and registry["chinhphu"].domain == "baochinhphu.vn"
    # only what was checked against the live site (thainguyen's saved pages) says so
    assert [pid for pid, portal in registry.items() if portal.verified] == ["thainguyen"]
    # the families known from public traces; an unverified entry's pages are read by their markers
    known = ("thainguyen", "daklak", "dienbien", "hanoi", "dongnai")
    assert {pid: registry[pid].family for pid in known} == {
        "thainguyen": "liferay", "daklak": "liferay", "dienbien": "sharepoint", "hanoi": "baochinhphu",
        "dongnai": "nukeviet"}
    assert registry["thainguyen"].cms == "liferay"
    assert all(portal.cms == "auto" for pid, portal in registry.items() if pid != "thainguyen")
    # without a listing, the crawl looks for it on the home page; thainguyen's is known
    assert all(portal.discovers_listing for pid, portal in registry.items() if pid != "thainguyen")
    assert not registry["thainguyen"].discovers_listing


def test_an_entry_may_give_only_its_home_page(tmp_path: Path) -> None:
    path = write(tmp_path, 'builtin_portals = false\n[portals.x]\nhome_url = "https://x.gov.vn/"\n'
                           'family = "liferay"\n[portals.y]\nhome_url = "https://y.gov.vn/"\n'
                           'family = "liferay"\nverified = false\nstart_urls = ["https://y.gov.vn/tin"]\n')
    registry = load_registry(path)
    assert list(registry) == ["x", "y"]  # builtin_portals = false: the file is the whole registry
    x, y = registry["x"], registry["y"]
    assert x.start_urls == () and x.domains == ("x.gov.vn",) and x.discovers_listing
    assert x.cms == "liferay"  # verified (the default) and a family with a parser: its parser
    assert y.cms == "auto" and y.discovers_listing  # unverified: markers decide; a failing guess is probed


def test_the_portals_command_lists_35_with_family_and_verification(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "portals", "--db",
                             f"sqlite:///{tmp_path / 'none.db'}"], capture_output=True, text=True, timeout=60,
                            env=isolated_env(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines()[1:] if line.strip()]
    assert len(lines) == 35
    rows = {line.split()[0]: line.split() for line in lines}
    assert rows["thainguyen"][1:3] == ["liferay", "yes"]
    assert rows["dienbien"][1:5] == ["sharepoint", "(read:", "auto)", "no"]
    assert rows["cantho"][1:3] == ["auto", "no"]
    assert "found on https://cantho.gov.vn/" in " ".join(rows["cantho"])


# --- the user's file: portals add / remove ----------------------------------------------------------

def isolated_env(tmp_path: Path, portals: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != PORTALS_ENV}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # never the user's own ~/.config
    if portals is not None:
        env[PORTALS_ENV] = str(portals)
    return env


def test_saved_portals_are_read_back_refused_twice_and_removed(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine" / "portals.toml"
    monkeypatch.setenv(PORTALS_ENV, str(mine))
    assert user_registry_path() is None  # not written yet: nothing to read, no error
    entry = PortalEntry(id="tinh-x", name='Cổng "X"', home_url="http://127.0.0.1:9/", family="nukeviet",
                        start_urls=("http://127.0.0.1:9/vi/news/",), every="1h")
    assert save_portal(user_registry_path(for_writing=True), entry) is False  # type: ignore[arg-type]
    portal = get_portal("tinh-x")  # no --portals: the file $PORTALWATCH_PORTALS names
    assert (portal.name, portal.home_url, portal.family, portal.start_urls, portal.every.total_seconds()) == (
        'Cổng "X"', "http://127.0.0.1:9/", "nukeviet", ("http://127.0.0.1:9/vi/news/",), 3600)
    assert "thainguyen" in load_registry()  # the built-in ones stay
    with pytest.raises(UserError, match="already in"):
        save_portal(mine, entry)
    assert save_portal(mine, PortalEntry(id="hanoi", name="HN", home_url="https://hanoi.gov.vn/",
                                         family="generic", start_urls=("https://hanoi.gov.vn/tin",))) is True
    assert get_portal("hanoi").start_urls == ("https://hanoi.gov.vn/tin",)
    with pytest.raises(UserError, match="is built in, not one of yours"):
        remove_portal(mine, "thainguyen")
    assert remove_portal(mine, "tinh-x") is False
    assert "tinh-x" not in load_registry() and get_portal("hanoi").name == "HN"
    assert remove_portal(mine, "hanoi") is True and not mine.exists()  # no portal left: no file left
    assert get_portal("hanoi").name.endswith("Hà Nội")


def test_the_default_file_is_in_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PORTALS_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert user_registry_path() is None
    assert user_registry_path(for_writing=True) == tmp_path / "portalwatch" / "portals.toml"
    with pytest.raises(UserError, match="portals file not found"):
        load_registry(tmp_path / "typo.toml")  # a --portals FILE must exist


def cli(tmp_path: Path, *args: str, portals: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=isolated_env(tmp_path, portals), cwd=REPO)


@pytest.mark.parametrize("family", ["liferay", "nukeviet", "sharepoint", "baochinhphu", "hanoi", "custom"])
def test_probe_then_add_then_crawl_a_portal_by_its_home_url(tmp_path: Path, family: str) -> None:
    mine = tmp_path / "portals.toml"
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    with SimulatedPortal(articles=12, per_page=5, family=family) as portal:
        probed = cli(tmp_path, "portals", "probe", portal.home_url, portals=mine)
        assert probed.returncode == 0, probed.stderr
        newest = portal.expected_articles()[0]
        assert "listing:" in probed.stdout and "5 articles" in probed.stdout
        assert f"title:   {newest['title']}" in probed.stdout
        assert not mine.exists()  # probe saves nothing
        added = cli(tmp_path, "portals", "add", "tinh", portal.home_url, "--every", "1h", portals=mine)
        assert added.returncode == 0, added.stderr
        assert f"saved portal 'tinh' to {mine}" in added.stderr
        listed = cli(tmp_path, "portals", "--db", db, portals=mine)
        assert len([line for line in listed.stdout.splitlines()[1:] if line.strip()]) == 36
        row = next(line for line in listed.stdout.splitlines() if line.startswith("tinh "))
        assert " yes " in row and "Cổng thông tin điện tử tỉnh An Hòa" in row
        crawled = cli(tmp_path, "crawl", "tinh", "--db", db, "--no-throttle", portals=mine)
        assert crawled.returncode == 0, crawled.stderr
        assert "12 new" in crawled.stdout + crawled.stderr  # every page of the listing the probe found
        removed = cli(tmp_path, "portals", "remove", "tinh", portals=mine)
        assert removed.returncode == 0 and not mine.exists()


def test_add_refuses_a_bad_id_before_any_request_and_an_unreachable_portal_with_exit_1(
        tmp_path: Path) -> None:
    mine = tmp_path / "portals.toml"
    bad = cli(tmp_path, "portals", "add", "Bad Id", "http://127.0.0.1:9/", portals=mine)
    assert bad.returncode == 2 and "ids are lower-case" in bad.stderr
    down = cli(tmp_path, "portals", "add", "down", "http://127.0.0.1:9/", "--timeout", "5", portals=mine)
    assert down.returncode == 1 and "cannot be reached" in down.stderr and not mine.exists()


def test_a_portal_with_only_a_home_page_is_crawled_from_the_listing_found_there(tmp_path: Path) -> None:
    """The built-in entries without start_urls, and any such entry of yours: the crawl looks for
    the listing on the home page, then walks it as if it had been given."""
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    # (8 = two full pages: the generic reader takes a last listing page of one entry for an article)
    with SimulatedPortal(articles=8, per_page=4, family="custom") as portal:
        mine = write(tmp_path, f'[portals.tinh]\nname = "Tỉnh"\nhome_url = "{portal.home_url}"\n')
        crawled = cli(tmp_path, "crawl", "tinh", "--db", db, "--no-throttle", portals=mine)
        assert crawled.returncode == 0, crawled.stderr
        assert "8 new" in crawled.stdout and "0 errors" in crawled.stdout
        assert any(r.path == "/tin-tuc" for r in portal.requests)  # the menu's "Tin tức"


def test_an_unverified_entry_whose_guessed_listing_fails_is_probed_instead(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    with SimulatedPortal(articles=7, per_page=5, family="nukeviet") as portal:
        mine = write(tmp_path, f'[portals.tinh]\nhome_url = "{portal.home_url}"\nverified = false\n'
                               f'start_urls = ["{portal.base_url}/tin-tuc-su-kien.html"]\n')
        crawled = cli(tmp_path, "crawl", "tinh", "--db", db, "--no-throttle", portals=mine)
        assert crawled.returncode == 0, crawled.stderr
        assert "7 new" in crawled.stdout + crawled.stderr and "0 errors" in crawled.stdout + crawled.stderr
        # the same guess on a verified entry is the portal's error: nothing is looked for
        mine.write_text(mine.read_text(encoding="utf-8").replace("verified = false", "verified = true"),
                        encoding="utf-8")
        again = cli(tmp_path, "crawl", "tinh", "--db", f"sqlite:///{tmp_path / 'other.db'}", "--no-throttle",
                    portals=mine)
        assert again.returncode == 1 and "404" in again.stdout + again.stderr


def test_scrapy_crawl_reads_the_portals_file_the_environment_names(tmp_path: Path) -> None:
    with SimulatedPortal(articles=3, per_page=5, family="custom") as portal:
        mine = write(tmp_path, f'[portals.tinh]\nhome_url = "{portal.home_url}"\n')
        db = f"sqlite:///{tmp_path / 'pw.db'}"
        result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "portal=tinh",
                                 "-s", f"PORTALWATCH_DB={db}", "-s", "AUTOTHROTTLE_ENABLED=False",
                                 "-s", "DOWNLOAD_DELAY=0"],
                                capture_output=True, text=True, timeout=120, cwd=REPO,
                                env=isolated_env(tmp_path, mine))
        assert result.returncode == 0, result.stderr[-2000:]
        assert portal.request_count("/tin-tuc/") == 3  # its three articles, from the listing found


def test_the_crawl_walks_the_listing_the_probe_shows(tmp_path: Path) -> None:
    """The menu's listing fails; a feed (newest items only) and a paged listing are left: both the
    probe and the crawl choose the paged one, the one a first crawl can backfill from."""
    from crawler.crawling.discovery import probe

    db = f"sqlite:///{tmp_path / 'pw.db'}"
    with SimulatedPortal(articles=12, per_page=5, family="nukeviet") as portal:
        portal.set_failure("/vi/news/", 503)
        shown = probe(portal.home_url)
        assert shown.listing.next_page is not None and shown.listing_why != "feed"
        portal.reset_log()
        mine = write(tmp_path, f'[portals.tinh]\nhome_url = "{portal.home_url}"\n')
        crawled = cli(tmp_path, "crawl", "tinh", "--db", db, "--no-throttle", portals=mine)
        assert crawled.returncode == 0, crawled.stderr
        walked = [r.path for r in portal.requests if r.status == 200]
        assert shown.listing_url.removeprefix(portal.base_url) in walked
        assert shown.listing.next_page.removeprefix(portal.base_url) in walked  # backfilled page by page
        assert "12 new" in crawled.stdout


def test_the_listing_found_on_the_home_page_is_where_the_next_crawls_start(tmp_path: Path) -> None:
    """Found once, kept: later crawls go straight to it (no home page, no candidates), and look on
    the home page again only when it fails, keeping the listing found then."""
    db = f"sqlite:///{tmp_path / 'pw.db'}"
    with SimulatedPortal(articles=12, per_page=5, family="nukeviet") as portal:
        mine = write(tmp_path, f'[portals.tinh]\nhome_url = "{portal.home_url}"\n')
        home = urlsplit(portal.home_url).path or "/"

        def crawl() -> list[str]:
            portal.reset_log()
            crawled = cli(tmp_path, "crawl", "tinh", "--db", db, "--no-throttle", portals=mine)
            assert crawled.returncode == 0, crawled.stderr
            return [r.path for r in portal.requests if r.path != "/robots.txt"]

        def found() -> str:
            listed = " ".join(cli(tmp_path, "portals", "--db", db, portals=mine).stdout.split())
            shown = re.search(r"(\S+) \(found on the home page\)", listed)
            assert shown, listed
            return urlsplit(shown[1]).path

        first = crawl()
        assert first[0] == home and found() == "/vi/news/" and "/vi/news/" in first  # the menu's
        second = crawl()
        assert home not in second and second[0] == "/vi/news/", second
        portal.set_failure("/vi/news/", 503)  # the listing moves: the home page is looked at again
        third = crawl()
        assert home in third and found() != "/vi/news/"
        fourth = crawl()
        assert home not in fourth and "/vi/news/" not in fourth and fourth[0] == found(), fourth
