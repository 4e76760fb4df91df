"""A hand-made portal of no CMS family: plain HTML5 with no family's markers, read only by the
generic extractor. Its home page advertises an RSS feed (`<link rel="alternate">`) and has a
"Tin tức" menu link, as such sites do.

    /tin-tuc?page=N          the news listing
    /tin-tuc/<slug>.html     an article
    /rss/tin-tuc.xml         RSS 2.0 of the newest articles
"""

from __future__ import annotations

import re

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site, attr_html, text_html
from crawler.sim.skins import ArticleRef, Skin, body_html

LISTING = "/tin-tuc"
_ARTICLE = re.compile(rf"^{LISTING}/([a-z0-9-]+)\.html$")


def _shell(site: Site, title: str, content: str, canonical: str) -> str:
    menu = [("/", "Trang chủ"), ("/gioi-thieu.html", "Giới thiệu"), (LISTING, "Tin tức"),
            ("/van-ban.html", "Văn bản"), ("/lien-he.html", "Liên hệ")]
    nav = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in menu)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{text_html(title)} | {pages.SITE_NAME}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{canonical}">
<link rel="alternate" type="application/rss+xml" title="Tin tức" href="/rss/tin-tuc.xml">
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site-header">
<a class="brand" href="/"><img src="/static/logo.png" alt=""> {pages.SITE_NAME}</a>
<nav class="main-menu"><ul>{nav}</ul></nav></header>
<main class="site-main">
{content}</main>
<footer class="site-footer"><p>Ủy ban nhân dân tỉnh An Hòa. Số 1 đường Hòa Bình, thành phố An Hòa.</p>
<p>Lượt truy cập: {site.visits}</p></footer>
</body>
</html>
"""


class CustomSkin(Skin):
    name = "custom"
    description = "a hand-made site (plain HTML, RSS): the generic extractor's"
    listing_path = LISTING
    feed_path = "/rss/tin-tuc.xml"
    category = "Tin tức"

    def article_path(self, instance: str, art: ArticleRef) -> str:
        return f"{LISTING}/{art.slug}.html"

    def _path(self, site: Site, art: SimArticle) -> str:
        return self.article_path(site.instance, art)

    def article_slug(self, route: str, instance: str) -> str | None:
        match = _ARTICLE.match(route)
        return match.group(1) if match else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        if route != LISTING:
            return None
        try:
            return int((query.get("page") or ["1"])[0]), per_page
        except ValueError:
            return 1, per_page

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return f"{site.base}{LISTING}" + (f"?page={page}" if page > 1 else "")

    def published_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y %H:%M}"

    def listed_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y}"

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        items = "".join(f'<li><a href="{self._path(site, a)}">{text_html(a.title)}</a></li>\n'
                        for a in latest)
        content = (f'<section class="home-intro"><h1>{pages.SITE_NAME}</h1>'
                   "<p>Thông tin chỉ đạo, điều hành của tỉnh.</p></section>\n"
                   f'<section class="home-latest"><h2>Tin mới</h2><ul>\n{items}</ul></section>\n')
        return _shell(site, "Trang chủ", content, f"{site.base}/")

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        rows = "".join(
            f'<article class="news-item"><h2><a href="{attr_html(self._path(site, a))}">'
            f'{text_html(a.title)}</a></h2><p class="news-date">{self.listed_text(a)}</p>'
            f'<p class="news-summary">{text_html(a.summary)}</p></article>\n' for a, _ in items)
        links = "".join(f'<span class="current">{n}</span> ' if n == page
                        else f'<a href="{self.pager_url(site, n, delta)}">{n}</a> '
                        for n in range(1, pages_ + 1))
        if page < pages_:
            links += f'<a class="next" href="{self.pager_url(site, page + 1, delta)}">Trang sau</a>'
        content = (f'<h1 class="page-title">Tin tức</h1>\n<div class="news-list">\n{rows}</div>\n'
                   f'<div class="pagination">{links}</div>\n')
        return _shell(site, "Tin tức", content, self.pager_url(site, page, delta))

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        url = site.base + self.article_path(site.instance, art)
        after = ""
        if art.author:
            after += f'<p class="author"><strong>{text_html(art.author)}</strong></p>\n'
        if art.source:
            after += f'<p class="source">Nguồn: {text_html(art.source)}</p>\n'
        related = "".join(f'<li><a href="{self._path(site, o)}">{text_html(o.title)}</a></li>\n'
                          for o in others)
        content = f"""<nav class="breadcrumb"><a href="/">Trang chủ</a> / <a href="{LISTING}">Tin tức</a>
</nav>
<article class="news-detail">
<h1 class="news-title">{text_html(art.title)}</h1>
<p class="news-date">Ngày đăng: {self.published_text(art)}</p>
<div class="news-body">
{body_html(site, art)}
</div>
{after}</article>
<aside class="related-news"><h3>Tin khác</h3><ul>
{related}</ul></aside>
"""
        return _shell(site, art.title, content, url)

    def render_not_found(self, site: Site) -> str:
        return _shell(site, "Không tìm thấy", '<h1>Không tìm thấy trang bạn yêu cầu</h1>\n'
                      '<p><a href="/">Về trang chủ</a></p>\n', f"{site.base}/")
