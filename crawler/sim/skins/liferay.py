"""Liferay 6.2: the asset publisher markup of crawler/sim/pages.py."""

from __future__ import annotations

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site
from crawler.sim.skins import ArticleRef, Skin


def _int(values: list[str] | None, default: int) -> int:
    try:
        return int(values[0]) if values else default
    except ValueError:
        return default


class LiferaySkin(Skin):
    name = "liferay"
    description = "Liferay 6.2 asset publisher"
    listing_path = pages.LISTING_PATH
    headers = (("Liferay-Portal", "Liferay Portal Community Edition 6.2 CE GA6 (Build 6205)"),)

    def article_path(self, instance: str, art: ArticleRef) -> str:
        return pages.article_path(instance, art.slug)

    def article_slug(self, route: str, instance: str) -> str | None:
        prefix = pages.article_path(instance, "")
        rest = route[len(prefix):]
        return rest if route.startswith(prefix) and rest and "/" not in rest else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        if route != pages.LISTING_PATH:
            return None
        p = f"_101_INSTANCE_{instance}_"
        return _int(query.get(p + "cur"), 1), min(max(_int(query.get(p + "delta"), per_page), 1), 100)

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return pages.pager_url(site, page, delta)

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        return pages.render_home(site, latest)

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        return pages.render_listing(site, items, page, pages_, delta)

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        return pages.render_article(site, art, views, others)

    def render_not_found(self, site: Site) -> str:
        return pages.render_not_found(site)
