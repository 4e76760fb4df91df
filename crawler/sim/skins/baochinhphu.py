"""The newsroom CMS of baochinhphu.vn (also the national portal's news and ministries' sites): the
markup of its public pages (the zone page's `box-stream` entries with `#hdZoneId`, the article's
`detail-*` parts, the editor's `VCSortableInPreviewMode` photo frames with `PhotoCMS_Caption`
captions), and its URLs:

    /tin-tuc-su-kien.htm                          a zone (category): its newest entries
    /timelinelist/<zone id>/<N>.htm               "Xem thêm": the zone's entries of page N, as a
                                                  bare fragment, empty past the last one
    /<alias>-<18 digits>.htm                      an article
"""

from __future__ import annotations

import re

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site, attr_html, text_html
from crawler.sim.skins import ArticleRef, Skin

ZONE_ID = 1027
ZONE_PATH = "/tin-tuc-su-kien.htm"
_TIMELINE = re.compile(rf"^/timelinelist/{ZONE_ID}/(\d+)\.htm$")
_ARTICLE = re.compile(r"^/([a-z0-9-]+)-(1022\d{14})\.htm$")


def _shell(site: Site, title: str, canonical: str, content: str, zone_input: bool) -> str:
    zone = (f"<input type='hidden' name='hdZoneId' id='hdZoneId' value='{ZONE_ID}' />\n"
            f"<input type='hidden' name='hdZoneUrl' id='hdZoneUrl' value='{ZONE_PATH[1:-4]}' />\n"
            if zone_input else "")
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8" />
<title>{text_html(title)} | {pages.SITE_NAME}</title>
<link rel="canonical" href="{attr_html(canonical)}" />
<link rel="stylesheet" href="https://static.mediacdn.vn/baochinhphu/web_css/20250901/bcp.min.css" />
</head>
<body>
{zone}<header class="header">
<div class="header-logo"><a href="/" title="{pages.SITE_NAME}"><img src="/image/logo.png" alt="{pages.SITE_NAME}" /></a></div>
<nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/chinh-phu.htm">Chính phủ</a></li>
<li class="active"><a href="{ZONE_PATH}">{pages.CATEGORY}</a></li><li><a href="/van-ban.htm">Văn bản</a></li></ul></nav>
</header>
<div class="container">
{content}</div>
<footer class="footer"><p>{pages.SITE_NAME}</p><p>Lượt truy cập: {site.visits}</p></footer>
</body>
</html>
"""  # noqa: E501  (the site's markup, as it serves it)


class BaochinhphuSkin(Skin):
    name = "baochinhphu"
    description = "baochinhphu.vn newsroom CMS (zone pages, timeline 'see more')"
    listing_path = ZONE_PATH
    clamps_past_end = False  # a timeline page past the last answers with no entries
    headers = (("X-Powered-By", "ASP.NET"), ("X-Cache", "MISS"))

    def article_path(self, instance: str, art: ArticleRef) -> str:
        return f"/{art.slug}-1022{max(art.uid, 0):014d}.htm"

    def article_slug(self, route: str, instance: str) -> str | None:
        match = _ARTICLE.match(route)
        return match.group(1) if match else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        if route == ZONE_PATH:
            return 1, per_page
        timeline = _TIMELINE.match(route)
        return (int(timeline.group(1)), per_page) if timeline else None

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return site.base + (ZONE_PATH if page <= 1 else f"/timelinelist/{ZONE_ID}/{page}.htm")

    def listed_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y %H:%M}"

    def published_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y %H:%M}"

    def _entry(self, site: Site, art: SimArticle) -> str:
        link = attr_html(self.article_path(site.instance, art))
        title = attr_html(art.title)
        return f"""<div class="box-stream-item" data-id="1022{art.uid:014d}">
<a class="box-stream-link-with-avatar" href="{link}" title="{title}"><img src="/thumb_w/300/{art.slug}.jpg" alt="" /></a>
<div class="box-stream-content">
<h2><a class="box-stream-link-title" data-type="title" data-linktype="newsdetail" href="{link}" title="{title}">{text_html(art.title)}</a></h2>
<span class="box-stream-time" title="{self.listed_text(art)}">{self.listed_text(art)}</span>
<p class="box-stream-sapo">{text_html(art.summary)}</p>
</div>
</div>
"""  # noqa: E501

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        items = "".join(self._entry(site, a) for a in latest)
        content = f'<div class="home__focus"><div class="box-stream">\n{items}</div></div>\n'
        return _shell(site, pages.SITE_NAME, f"{site.base}/", content, zone_input=False)

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        entries = "".join(self._entry(site, a) for a, _ in items)
        if page > 1:  # what "Xem thêm" fetches: the entries alone, no page around them
            return entries
        content = (f'<div class="list__main"><h1 class="list__title">{pages.CATEGORY}</h1>\n'
                   f'<div class="box-stream" id="loadmore-stream">\n{entries}</div>\n'
                   f'<a href="javascript:;" class="list__viewmore" data-zone="{ZONE_ID}">Xem thêm</a>'
                   "</div>\n")
        return _shell(site, pages.CATEGORY, site.base + ZONE_PATH, content, zone_input=True)

    def _body(self, site: Site, art: SimArticle) -> str:
        parts: list[str] = []
        for i, text in enumerate(art.paragraphs):
            if i >= 1:
                parts.append(pages.paragraph_html(art, i, text))
            for figure in (f for f in art.figures if f.after == i):
                src = attr_html(site.base + figure.src if figure.absolute else figure.src)
                caption = (f'<figcaption class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">'
                           f"{text_html(figure.caption)}</p></figcaption>" if figure.caption else "")
                parts.append(f'<figure class="VCSortableInPreviewMode" type="Photo" style="">'
                             f'<div><img src="{src}" alt="{attr_html(art.title)}" /></div>{caption}</figure>')
        parts.extend(f'<p><a href="{attr_html(href)}" target="_blank">{text_html(title)}</a></p>'
                     for href, title in art.attachments)
        if art.source:
            parts.append(f'<p style="text-align: right;">Nguồn: {text_html(art.source)}</p>')
        return "\n".join(parts)

    def _info(self, art: SimArticle, views: int) -> str:
        """The line under the title: the date, the share buttons, the view counter."""
        return ('<div class="detail-info"><div class="detail-time" data-role="publishdate">'
                f'{self.published_text(art)}</div>\n<div class="detail-share">'
                '<a href="javascript:;" class="print" title="In bài">In bài</a>'
                f'<span class="view-count">{views}</span></div></div>')

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        url = site.base + self.article_path(site.instance, art)
        author = f'<div class="detail-author" data-role="author">{text_html(art.author)}</div>\n' \
            if art.author else ""
        related = "".join(
            f'<div class="box-category-item"><a class="box-category-link-title" data-type="title" '
            f'href="{attr_html(self.article_path(site.instance, o))}" title="{attr_html(o.title)}">'
            f"{text_html(o.title)}</a></div>\n" for o in others)
        content = f"""<div class="detail-container">
<div class="detail-top"><a class="detail-cate" data-role="cate-name" href="{ZONE_PATH}" title="{pages.CATEGORY}">{pages.CATEGORY}</a></div>
<h1 class="detail-title" data-role="title">{text_html(art.title)}</h1>
{self._info(art, views)}
<h2 class="detail-sapo" data-role="sapo">{text_html(art.paragraphs[0])}</h2>
<div class="detail-content afcbc-body" data-role="content" itemprop="articleBody">
{self._body(site, art)}
</div>
{author}<div class="detail-related"><h3 class="box-title">Tin liên quan</h3>
{related}</div>
</div>
"""  # noqa: E501
        return _shell(site, art.title, url, content, zone_input=False)

    def render_not_found(self, site: Site) -> str:
        content = ('<div class="page-404"><h1>404</h1><p>Trang bạn tìm kiếm không tồn tại hoặc đã bị xóa.</p>'
                   '<a href="/">Về trang chủ</a></div>\n')
        return _shell(site, "Không tìm thấy trang", f"{site.base}/404.htm", content, zone_input=False)


HANOI_ZONE = "/tin-tuc-su-kien"
HANOI_API = "/api/NewsZone/NewsZone"
# The opaque values Hà Nội's page prints into its "see more" script; its API refuses other ones.
HANOI_FORM = {"PageSize": "DxZD1w2i+8E=", "Catname": "fFeUG2QagshQSId/gnsY7cA7vzDD4bMURXrY7ae9cm68Fy==",
              "LanguageId": "jM2HDDVEz40=", "Site": "/CP0MQRJUt0="}
_HANOI_ARTICLE = re.compile(rf"^{HANOI_ZONE}/([a-z0-9-]+)-(4\d{{15}})\.htm$")


class HanoiSkin(BaochinhphuSkin):
    """The same CMS as Hà Nội runs it (hanoi.gov.vn): `news-item` entries, times printed "17:15,
    05/03/2024", and "Xem thêm" POSTing the zone's opaque parameters to /api/NewsZone/NewsZone,
    which answers the entries of page `PageIndex` as a fragment (none past the last)."""

    name = "hanoi"
    family = "baochinhphu"
    description = "hanoi.gov.vn: the baochinhphu CMS, 'see more' POSTed to /api/NewsZone/NewsZone"
    listing_path = HANOI_ZONE

    def article_path(self, instance: str, art: ArticleRef) -> str:
        return f"{HANOI_ZONE}/{art.slug}-4{max(art.uid, 0):015d}.htm"

    def article_slug(self, route: str, instance: str) -> str | None:
        match = _HANOI_ARTICLE.match(route)
        return match.group(1) if match else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        if route == HANOI_ZONE:
            return 1, per_page
        if route != HANOI_API or any(query.get(name) != [value] for name, value in HANOI_FORM.items()):
            return None
        index = (query.get("PageIndex") or [""])[0]
        return (int(index), per_page) if index.isdigit() else None

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return site.base + (HANOI_ZONE if page <= 1 else HANOI_API)

    def listed_text(self, art: SimArticle) -> str:
        return f"{art.published:%H:%M, %d/%m/%Y}"

    def published_text(self, art: SimArticle) -> str:
        return f"{art.published:%H:%M, %d/%m/%Y}"

    def _entry(self, site: Site, art: SimArticle) -> str:
        link = attr_html(self.article_path(site.instance, art))
        return (f'<div class="news-item" data-id="4{art.uid:015d}">\n'
                f'<a href="{link}" title="{attr_html(art.title)}">'
                f'<img src="/thumb_w/400/{art.slug}.jpg" alt="" /></a>\n'
                f'<a class="news-title" href="{link}">{text_html(art.title)}</a>\n'
                f'<span class="news-time" title="{self.listed_text(art)}">{self.listed_text(art)}</span>\n'
                f'<div class="news-sapo">{text_html(art.summary)}</div>\n</div>\n')

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        entries = "".join(self._entry(site, a) for a, _ in items)
        if page > 1:  # the API's answer: the entries alone
            return entries
        form = ", ".join(f"{name}: '{value}'" for name, value in HANOI_FORM.items())
        content = f"""<div class="main"><h1 class="zone-title">{pages.CATEGORY}</h1>
<div class="list-news" id="list-news">
{entries}</div>
<div class="view-more"><a href="javascript:;" id="btnViewMore" class="btn-viewmore">Xem thêm</a></div>
</div>
<script type="text/javascript">
  var pageIndex = 1;
  $('#btnViewMore').on('click', function () {{
    $.ajax({{ url: '{HANOI_API}', type: 'POST', data: {{ PageIndex: pageIndex, {form} }},
      success: function (html) {{ $('#list-news').append(html); pageIndex++; }} }});
  }});
</script>
"""
        return _shell(site, pages.CATEGORY, site.base + HANOI_ZONE, content, zone_input=False)

    def _info(self, art: SimArticle, views: int) -> str:
        return (f'<div class="news-info"><span class="time">{self.published_text(art)}</span>'
                f'<span class="view">Lượt xem: {views}</span></div>')
