"""The markup families the simulated portal can wear: one module a family, one Skin subclass each.

The articles (crawler/sim/pages.py) are the same whatever the skin; a skin decides the URLs, the
markup of the home page, listing, article, not-found page and feed, and what a correct parser of
that family reads from them (`expected_record`). A portal switches skin mid-life
(`SimulatedPortal.set_family`), as a portal whose theme or CMS changes: every skin's URLs keep
answering, in the new markup, so the crawler's stored URLs still resolve.

    liferay   Liferay 6.2 asset publisher (the provincial portals' most common CMS)
    nukeviet  NukeViet 4 news module (bootstrap theme, RSS, /vi/news/<cat>/<alias>-<id>.html)
    sharepoint  SharePoint 2013 publishing portal, "tandan" theme (/portal/Pages/<date>/<Slug>-<id>.aspx)
    baochinhphu  baochinhphu.vn's newsroom CMS (zone pages, /timelinelist/ "see more" fragments)
    hanoi     the same CMS as hanoi.gov.vn runs it ("see more" POSTed to /api/NewsZone/NewsZone)
    custom    a hand-made site: plain HTML5, RSS autodiscovery, a "Tin tức" menu link
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import urljoin

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site, attr_html, text_html

WEEKDAYS_VI = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


class ArticleRef(Protocol):
    """What an article's URL is made of, in any family (a SimArticle is one)."""

    @property
    def slug(self) -> str: ...

    @property
    def uid(self) -> int: ...

    @property
    def published(self) -> datetime: ...


@dataclass(frozen=True)
class UnknownArticle:
    """An article the portal never had, to make the URL of (a page that answers "not found")."""

    slug: str
    uid: int = -1
    published: datetime = pages.BASE_DATE


class Skin:
    """One CMS family's public markup and URL scheme."""

    name = ""
    family = ""  # the CMS family a parser knows it by, when the skin is one portal's variant of it
    description = ""
    listing_path = ""  # the news listing's path: the start URL
    feed_path: str | None = None  # the RSS feed's path, if the family serves one
    headers: tuple[tuple[str, str], ...] = ()  # response headers the family's servers send
    category = pages.CATEGORY  # the news category, as the article page's breadcrumb names it
    clamps_past_end = True  # a listing page past the last shows the last (Liferay's cur); else none

    # -- URLs -----------------------------------------------------------------------------------

    def article_path(self, instance: str, art: ArticleRef) -> str:
        raise NotImplementedError

    def article_slug(self, route: str, instance: str) -> str | None:
        """The slug of the article `route` (a path without query or trailing slash) names, if any."""
        raise NotImplementedError

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        """(page, page size) when `route` + `query` ask for this family's listing, else None."""
        raise NotImplementedError

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        raise NotImplementedError

    def is_feed(self, route: str) -> bool:
        return self.feed_path is not None and route == self.feed_path.rstrip("/")

    # -- markup ---------------------------------------------------------------------------------

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        raise NotImplementedError

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages: int,
                       delta: int) -> str:
        raise NotImplementedError

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        raise NotImplementedError

    def render_not_found(self, site: Site) -> str:
        raise NotImplementedError

    def render_feed(self, site: Site, items: list[SimArticle]) -> str:
        return rss(site, items, self, self.category)

    # -- what a parser of the family reads --------------------------------------------------------

    def published_text(self, art: SimArticle) -> str:
        """The date as the article page prints it."""
        return art.published_text()

    def listed_text(self, art: SimArticle) -> str:
        """The date as the listing prints it."""
        return f"{art.published:%d-%m-%Y %H:%M}"

    def expected_record(self, base: str, instance: str, art: SimArticle) -> dict:
        url = base + self.article_path(instance, art)
        return {
            "url": url,
            "canonical_url": url,
            "slug": art.slug,
            "title": art.title,
            "published_at": art.published,
            "published_text": self.published_text(art),
            "lead": art.paragraphs[0],
            "body": list(art.paragraphs),
            "images": [{"url": urljoin(base + "/", f.src), "caption": f.caption}
                       for f in sorted(art.figures, key=lambda f: f.after)],
            "attachments": [{"url": urljoin(base + "/", href), "title": title}
                            for href, title in art.attachments],
            "author": art.author,
            "source": art.source,
            "category": self.category,
            "language": "vi",
        }


def body_html(site: Site, art: SimArticle, start: int = 0) -> str:
    """The editor's HTML of the body from paragraph `start` on: paragraphs, figures, attachments
    (CKEditor's output, the same whatever CMS stores it)."""
    parts: list[str] = []
    for i, text in enumerate(art.paragraphs):
        if i >= start:
            parts.append(pages.paragraph_html(art, i, text))
        parts.extend(pages.figure_html(site, f) for f in art.figures if f.after == i)
    parts.extend(f'<p><a href="{attr_html(href)}" target="_blank">{text_html(title)}</a></p>'
                 for href, title in art.attachments)
    return "\n".join(parts)


def rss(site: Site, items: list[SimArticle], skin: Skin, title: str) -> str:
    """An RSS 2.0 feed of `items`, as every family that has one serves it."""
    entries = []
    for a in items:
        link = site.base + skin.article_path(site.instance, a)
        entries.append(f"<item><title>{text_html(a.title)}</title><link>{link}</link>"
                       f'<guid isPermaLink="true">{link}</guid>'
                       f"<description>{text_html(a.summary)}</description>"
                       f"<pubDate>{format_datetime(a.published)}</pubDate></item>\n")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>{text_html(title)} - {text_html(pages.SITE_NAME)}</title><link>{site.base}/</link>\n"
            f"<description>{text_html(title)}</description><language>vi</language>\n{''.join(entries)}</channel></rss>\n")


def weekday_vi(when: datetime) -> str:
    return WEEKDAYS_VI[when.weekday()]


def _registry() -> dict[str, Skin]:
    from crawler.sim.skins.baochinhphu import BaochinhphuSkin, HanoiSkin
    from crawler.sim.skins.custom import CustomSkin
    from crawler.sim.skins.liferay import LiferaySkin
    from crawler.sim.skins.nukeviet import NukeVietSkin
    from crawler.sim.skins.sharepoint import SharePointSkin

    skins = (LiferaySkin(), NukeVietSkin(), SharePointSkin(), BaochinhphuSkin(), HanoiSkin(), CustomSkin())
    return {skin.name: skin for skin in skins}


SKINS: dict[str, Skin] = {}


def get_skin(name: str) -> Skin:
    if not SKINS:
        SKINS.update(_registry())
    try:
        return SKINS[name.strip().lower()]
    except KeyError:
        known = ", ".join(skin_names())
        raise ValueError(f"unknown family {name!r} (the simulator knows: {known})") from None


def skin_names() -> list[str]:
    if not SKINS:
        SKINS.update(_registry())
    return list(SKINS)
