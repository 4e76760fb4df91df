"""SharePoint 2013 publishing portal with the "tandan" theme (the one Điện Biên and Thanh Hóa run):
the seattle master page's structure (s4-workspace, DeltaPlaceHolderMain, the ASP.NET form with its
__REQUESTDIGEST, _spPageContextInfo, /_layouts/15/ assets, the GENERATOR meta), the publishing
page's rich-text field (`ms-rtestate-field`), the theme's article and list classes, and its URLs:

    /portal/KenhTin/Tin-tuc-su-kien.aspx?PageIndex=N     the news channel, paged
    /portal/Pages/<yyyy-m-d>/<Slug>-<id>.aspx             an article (its date in the URL)
"""

from __future__ import annotations

import hashlib
import re

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site, attr_html, text_html
from crawler.sim.skins import ArticleRef, Skin, body_html

CHANNEL = "/portal/KenhTin/Tin-tuc-su-kien.aspx"
_ARTICLE = re.compile(r"^/portal/Pages/\d{4}-\d{1,2}-\d{1,2}/([A-Za-z0-9-]+)-(\d+)\.aspx$")


def _shell(site: Site, title: str, content: str, form_action: str) -> str:
    b = site.base
    digest = hashlib.blake2b(site.token.encode(), digest_size=16).hexdigest().upper()
    menu = [("/portal/Pages/default.aspx", "Trang chủ"), ("/portal/Pages/gioi-thieu.aspx", "Giới thiệu"),
            (CHANNEL, pages.CATEGORY), ("/portal/Pages/van-ban.aspx", "Văn bản chỉ đạo điều hành")]
    nav = "".join(f'<li class="tandan-menu-item"><a href="{path}">{text_html(name)}</a></li>'
                  for path, name in menu)
    return f"""<!DOCTYPE html>
<html dir="ltr" lang="vi-VN">
<head><meta name="GENERATOR" content="Microsoft SharePoint" /><meta http-equiv="Content-type" content="text/html; charset=utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=10" />
<title>{text_html(title)}</title>
<link rel="stylesheet" type="text/css" href="/_layouts/15/1066/styles/Themable/corev15.css?rev=OqAycmyMLoQIDkAlzHdMhQ%3D%3D"/>
<link rel="stylesheet" type="text/css" href="/portal/Style%20Library/tandan/css/style.css"/>
<script type="text/javascript" src="/_layouts/15/init.js?rev=ZoDV2UNwvWIxd1k%2BMjjXTQ%3D%3D"></script>
<script type="text/javascript">var _spPageContextInfo = {{webServerRelativeUrl: "\\u002fportal", webAbsoluteUrl: "{b}\\u002fportal", siteAbsoluteUrl: "{b}", currentLanguage: 1066, webTitle: "{pages.SITE_NAME}", serverRequestPath: "{form_action}"}};</script>
</head>
<body>
<form method="post" action="{attr_html(form_action)}" id="aspnetForm">
<div class="aspNetHidden"><input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x{digest},22 Sep 2025 14:28:00 -0000" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUBMA9kFgJmD2QWAgIBD2QWBAIBD2QWAgIFD2QWAmYPZBYCAgEPFgIeE1ByZXZpb3VzQ29udHJvbE1vZGULKYgBTWljcm9zb2Z0LlNoYXJlUG9pbnQuV2ViQ29udHJvbHMuU1BDb250cm9sTW9kZQ==" /></div>
<div id="s4-workspace"><div id="s4-bodyContainer">
<div class="tandan-header"><a class="tandan-logo" href="/portal"><img src="/portal/Style%20Library/tandan/images/logo.png" alt="{pages.SITE_NAME}" /></a>
<ul class="tandan-menu">{nav}</ul></div>
<div id="contentRow"><div id="contentBox" aria-live="polite" aria-relevant="all">
<div id="DeltaPlaceHolderMain">
<a id="mainContent" name="mainContent" tabindex="-1"></a>
{content}</div></div></div>
<div class="tandan-footer"><p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh An Hòa</p><p>Lượt truy cập: {site.visits}</p></div>
</div></div>
</form>
</body>
</html>
"""  # noqa: E501  (the master page's markup, as it serves it)


class SharePointSkin(Skin):
    name = "sharepoint"
    description = "SharePoint 2013 publishing portal, tandan theme"
    listing_path = CHANNEL
    headers = (("MicrosoftSharePointTeamServices", "15.0.0.4569"), ("X-AspNet-Version", "4.0.30319"),
               ("SPRequestGuid", "8d2f5b9e-1c3a-4e7f-9a0b-2c4d6e8f0a1b"))

    def article_path(self, instance: str, art: ArticleRef) -> str:
        when = art.published  # tandan's URLs carry the date
        day = f"{when.year}-{when.month}-{when.day}"
        return f"/portal/Pages/{day}/{art.slug[:1].upper()}{art.slug[1:]}-{3000 + art.uid}.aspx"

    def article_slug(self, route: str, instance: str) -> str | None:
        match = _ARTICLE.match(route)
        return match.group(1).lower() if match else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        if route.lower() != CHANNEL.lower():
            return None
        try:
            return int((query.get("PageIndex") or ["1"])[0]), per_page
        except ValueError:
            return 1, per_page

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return f"{site.base}{CHANNEL}" + (f"?PageIndex={page}" if page > 1 else "")

    def published_text(self, art: SimArticle) -> str:
        return f"Đăng ngày {art.published:%d/%m/%Y %H:%M}"

    def listed_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y}"

    def _path(self, site: Site, art: SimArticle) -> str:
        return self.article_path(site.instance, art)

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        items = "".join(f'<li class="dfwp-item"><div class="link-item"><a href="{self._path(site, a)}">'
                        f"{text_html(a.title)}</a></div></li>\n" for a in latest)
        content = (f'<div class="ms-webpart-zone"><div id="WebPartWPQ2" class="ms-WPBody">'
                   f'<h2 class="ms-webpart-titleText">Tin mới</h2><ul class="dfwp-list">\n{items}</ul>'
                   "</div></div>\n")
        return _shell(site, pages.SITE_NAME, content, "/portal/Pages/default.aspx")

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        rows = "".join(
            f'<div class="tandan-div-article-news-item">'
            f'<p class="tandan-p-article-news-title"><a href="{attr_html(self._path(site, a))}">'
            f"{text_html(a.title)}</a></p>"
            f'<span class="tandan-span-date-publish">{self.listed_text(a)}</span>'
            f'<p class="tandan-p-article-news-summary">{text_html(a.summary)}</p></div>\n' for a, _ in items)
        links = "".join(f'<span class="current">{n}</span> ' if n == page
                        else f'<a href="{CHANNEL}?PageIndex={n}">{n}</a> ' for n in range(1, pages_ + 1))
        if page < pages_:
            links += f'<a href="{CHANNEL}?PageIndex={page + 1}">Trang sau</a>'
        crumbs = f'<a href="/portal">Trang chủ</a> &gt; <span>{pages.CATEGORY}</span>'
        content = (f'<div class="tandan-breadcrumb">{crumbs}</div>\n'
                   f'<div class="tandan-div-list-news">\n{rows}</div>\n'
                   f'<div class="tandan-paging">{links}</div>\n')
        return _shell(site, pages.CATEGORY, content, CHANNEL)

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        byline = ""
        if art.author:
            byline += f'<p class="tandan-p-article-author">{text_html(art.author)}</p>\n'
        if art.source:
            byline += f'<p class="tandan-p-article-source">Nguồn: {text_html(art.source)}</p>\n'
        other = "".join(f'<li><a href="{self._path(site, o)}">{text_html(o.title)}</a> '
                        f'<span>({o.published:%d/%m/%Y})</span></li>\n' for o in others)
        content = f"""<div class="tandan-breadcrumb"><a href="/portal">Trang chủ</a> &gt; <a href="{CHANNEL}">{pages.CATEGORY}</a></div>
<div class="tandan-div-article">
<p class="tandan-p-article-news-title">{text_html(art.title)}</p>
<span class="tandan-span-date-publish">{self.published_text(art)}</span>
<p class="tandan-p-article-news-summary">{text_html(art.paragraphs[0])}</p>
<div id="ctl00_PlaceHolderMain_ctl01__ControlWrapper_RichHtmlField" class="ms-rtestate-field" style="display:inline" aria-labelledby="ctl00_PlaceHolderMain_ctl01_label">
{body_html(site, art, start=1)}
</div>
{byline}</div>
<div class="tandan-div-article-other"><p class="tandan-p-article-other">Tin khác</p><ul>
{other}</ul></div>
"""  # noqa: E501
        return _shell(site, art.title, content, self._path(site, art))

    def render_not_found(self, site: Site) -> str:
        content = ('<div id="ms-error-header" class="ms-pageerror"><h1>Xin lỗi, đã xảy ra sự cố.</h1></div>\n'
                   '<div id="ms-error-body"><span id="ctl00_PlaceHolderMain_LabelMessage">Không tìm thấy tệp.'
                   '</span></div>\n')
        return _shell(site, "Lỗi", content, "/_layouts/15/error.aspx")
