"""NukeViet 4 news module, default (bootstrap) theme: the markup of its public templates
(themes/default/modules/news: viewcat_page_new, detail; the theme's header with the generator meta
and the RSS link; `nv_generate_page` pagers), the URLs of its rewrite rules:

    /vi/news/                                   the module's main listing
    /vi/news/<category>/ , .../page-N/          a category and its pages
    /vi/news/<category>/<alias>-<id>.html       an article
    /vi/news/rss/ , /vi/news/rss/<category>/    RSS 2.0
"""

from __future__ import annotations

import re

from crawler.sim import pages
from crawler.sim.pages import SimArticle, Site, attr_html, text_html
from crawler.sim.skins import ArticleRef, Skin, body_html, weekday_vi

MODULE = "/vi/news"
CATEGORY_ALIAS = "tin-tuc-su-kien"
_LISTING = re.compile(rf"^{MODULE}(?:/{CATEGORY_ALIAS})?(?:/page-(\d+))?$")
_ARTICLE = re.compile(rf"^{MODULE}/{CATEGORY_ALIAS}/([a-z0-9-]+)-(\d+)\.html$")


def _shell(site: Site, title: str, description: str, canonical: str, content: str,
           breadcrumb: list[tuple[str, str]]) -> str:
    b = site.base
    crumbs = "".join(f'<li itemprop="itemListElement" itemscope itemtype="http://schema.org/ListItem">'
                     f'<a href="{b}{path}" itemprop="item" title="{attr_html(name)}"><span itemprop="name">'
                     f"{text_html(name)}</span></a></li>" for path, name in breadcrumb)
    return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{text_html(title)} - {pages.SITE_NAME}</title>
<meta name="description" content="{attr_html(description)}" />
<meta name="author" content="{pages.SITE_NAME}" />
<meta name="copyright" content="{pages.SITE_NAME} [webmaster@anhoa.gov.vn]" />
<meta name="generator" content="NukeViet v4.5" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta property="og:title" content="{attr_html(title)}" />
<meta property="og:site_name" content="{pages.SITE_NAME}" />
<meta property="og:url" content="{canonical}" />
<link rel="canonical" href="{canonical}" />
<link rel="alternate" href="{b}{MODULE}/rss/" title="Tin Tức" type="application/rss+xml" />
<link rel="alternate" href="{b}{MODULE}/rss/{CATEGORY_ALIAS}/" title="Tin Tức - {pages.CATEGORY}" type="application/rss+xml" />
<link rel="StyleSheet" href="{b}/themes/default/css/style.css?t=1695" />
<script data-show="inline" type="text/javascript">var nv_base_siteurl="/",nv_lang_data="vi",nv_name_variable="nv",nv_module_name="news",nv_func_name="main";</script>
</head>
<body>
<div class="body-bg"><div class="wraper">
<header><div class="container"><div id="header" class="row"><div class="logo col-xs-24 col-sm-24 col-md-8">
<a title="{pages.SITE_NAME}" href="{b}/vi/"><img src="{b}/uploads/logo.png" alt="{pages.SITE_NAME}" /></a>
<span class="site_name">{pages.SITE_NAME}</span></div></div></div></header>
<nav class="second-nav" id="menusite"><div class="container"><div class="row"><div class="bg box-shadow">
<div class="navbar navbar-default navbar-static-top" role="navigation"><div class="collapse navbar-collapse" id="menu-site-default">
<ul class="nav navbar-nav">
<li><a class="home" title="Trang nhất" href="{b}/vi/"><em class="fa fa-lg fa-home">&nbsp;</em><span class="visible-xs-inline-block"> Trang nhất</span></a></li>
<li><a title="Giới thiệu" href="{b}/vi/about/">Giới thiệu</a></li>
<li class="dropdown"><a title="Tin Tức" href="{b}{MODULE}/">Tin Tức</a></li>
<li><a title="Văn bản" href="{b}/vi/laws/">Văn bản</a></li>
<li><a title="Liên hệ" href="{b}/vi/contact/">Liên hệ</a></li>
</ul></div></div></div></div></div></nav>
<section><div class="container" id="body"><nav class="third-nav"><div class="row"><div class="bg"><div class="clearfix">
<div class="col-xs-24 col-sm-18 col-md-18"><div class="breadcrumbs-wrap"><div class="display">
<ul class="breadcrumbs list-none" itemscope itemtype="http://schema.org/BreadcrumbList">{crumbs}</ul>
</div></div></div></div></div></div></nav>
<div class="row"><div class="col-md-24">
{content}</div></div></div></section>
<footer id="footer" class="wraper"><div class="container"><div class="row"><div class="col-xs-24">
<div class="copyright">&copy;&nbsp;Bản quyền thuộc về <a href="{b}/vi/">{pages.SITE_NAME}</a></div>
<div class="counter"><ul class="counter list-none display-table"><li><span><em class="fa fa-bolt fa-lg fa-horizon"></em>Đang truy cập</span><span>37</span></li>
<li><span><em class="fa fa-filter fa-lg fa-horizon"></em>Tổng lượt truy cập</span><span>{site.visits}</span></li></ul></div>
</div></div></div></footer>
</div></div>
</body>
</html>
"""  # noqa: E501  (the theme's markup, as it serves it)


class NukeVietSkin(Skin):
    name = "nukeviet"
    description = "NukeViet 4 news module"
    listing_path = f"{MODULE}/{CATEGORY_ALIAS}/"
    feed_path = f"{MODULE}/rss/"
    headers = (("X-Powered-By", "PHP/7.4.33"),)

    def article_path(self, instance: str, art: ArticleRef) -> str:
        return f"{MODULE}/{CATEGORY_ALIAS}/{art.slug}-{1000 + art.uid}.html"

    def _path(self, site: Site, art: SimArticle) -> str:
        return self.article_path(site.instance, art)

    def article_slug(self, route: str, instance: str) -> str | None:
        match = _ARTICLE.match(route)
        return match.group(1) if match else None

    def listing_page(self, route: str, query: dict[str, list[str]], instance: str,
                     per_page: int) -> tuple[int, int] | None:
        match = _LISTING.match(route)
        if match is None:
            return None
        return int(match.group(1) or 1), per_page

    def pager_url(self, site: Site, page: int, delta: int) -> str:
        return f"{site.base}{MODULE}/{CATEGORY_ALIAS}/" + (f"page-{page}/" if page > 1 else "")

    def is_feed(self, route: str) -> bool:
        return route in (f"{MODULE}/rss", f"{MODULE}/rss/{CATEGORY_ALIAS}")

    def published_text(self, art: SimArticle) -> str:
        return f"{weekday_vi(art.published)} - {art.published:%d/%m/%Y %H:%M}"

    def listed_text(self, art: SimArticle) -> str:
        return f"{art.published:%d/%m/%Y %H:%M}"

    def _crumbs(self) -> list[tuple[str, str]]:
        return [(f"{MODULE}/", "Tin Tức"), (f"{MODULE}/{CATEGORY_ALIAS}/", pages.CATEGORY)]

    def render_home(self, site: Site, latest: list[SimArticle]) -> str:
        items = "".join(
            f'<li class="clearfix"><a href="{site.base}{self.article_path(site.instance, a)}" '
            f'title="{attr_html(a.title)}">{text_html(a.title)}</a></li>\n' for a in latest)
        content = (f'<div class="panel panel-default"><div class="panel-heading">Tin mới</div>'
                   f'<div class="panel-body"><ul class="block_groups list-none list-items">\n{items}</ul>'
                   f'</div></div>\n')
        return _shell(site, "Trang nhất", pages.SITE_NAME, f"{site.base}/", content, [])

    def render_listing(self, site: Site, items: list[tuple[SimArticle, int]], page: int, pages_: int,
                       delta: int) -> str:
        rows = []
        for art, views in items:
            link = attr_html(site.base + self.article_path(site.instance, art))
            title = attr_html(art.title)
            rows.append(f"""<div class="panel panel-default">
 <div class="panel-body">
  <h3><a href="{link}" title="{title}">{text_html(art.title)}</a></h3>
  <div class="text-muted"><ul class="list-unstyled list-inline">
   <li><em class="fa fa-clock-o">&nbsp;</em> {self.listed_text(art)}</li>
   <li><em class="fa fa-eye">&nbsp;</em> Xem: {views}</li>
   <li><em class="fa fa-comment-o">&nbsp;</em> Bình luận: 0</li>
  </ul></div>
  <p>{text_html(art.summary)}</p>
 </div>
</div>
""")
        content = '<div class="news_column">\n' + "".join(rows) + "</div>\n"
        if pages_ > 1:
            pager = self._pager(site, page, pages_)
            content += f'<div class="clearfix"></div>\n<div class="text-center">{pager}</div>\n'
        return _shell(site, pages.CATEGORY, pages.CATEGORY, self.pager_url(site, page, delta), content,
                      self._crumbs())

    def _pager(self, site: Site, page: int, count: int) -> str:
        """nv_generate_page: « 1 2 … N », the current page a span in an active item."""
        def item(target: int, label: str, rel: str = "") -> str:
            rel_attr = f' rel="{rel}"' if rel else ""
            return f'<li><a{rel_attr} href="{self.pager_url(site, target, 0)}">{label}</a></li>'

        first = '<li class="disabled"><span>&laquo;</span></li>'
        last = '<li class="disabled"><span>&raquo;</span></li>'
        out = [item(page - 1, "&laquo;", "prev")] if page > 1 else [first]
        for n in range(1, count + 1):
            out.append(f'<li class="active"><span>{n}</span></li>' if n == page else item(n, str(n)))
        out.append(item(page + 1, "&raquo;", "next") if page < count else last)
        return '<ul class="pagination">' + "".join(out) + "</ul>"

    def render_article(self, site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
        url = site.base + self.article_path(site.instance, art)
        byline = ""
        if art.author:
            byline += f'<p class="h5 text-right"><strong>{text_html(art.author)}</strong></p>\n'
        if art.source:
            byline += f'<p class="h5 text-right">Nguồn: <strong>{text_html(art.source)}</strong></p>\n'
        related = "".join(
            f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{site.base}{self._path(site, o)}" '
            f'title="{attr_html(o.title)}">{text_html(o.title)}</a> <em>({o.published:%d/%m/%Y})</em></li>\n'
            for o in others)
        content = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
 <div class="panel-body">
  <h1 class="title margin-bottom-lg" itemprop="headline">{text_html(art.title)}</h1>
  <div class="row margin-bottom-lg"><div class="col-md-12"><span class="h5">{self.published_text(art)}</span></div>
   <div class="col-md-12"><ul class="list-inline text-right"><li><a class="dimgray" rel="nofollow" title="In ra" href="{url}?print=1"><em class="fa fa-print fa-lg">&nbsp;</em></a></li></ul></div></div>
  <div class="clearfix"><div class="hometext m-bottom" itemprop="description">{text_html(art.paragraphs[0])}</div></div>
  <div id="news-bodyhtml" class="bodytext margin-bottom-lg">
{body_html(site, art, start=1)}
  </div>
  <div class="margin-bottom-lg">
{byline}  </div>
 </div>
</div>
<div class="news_column panel panel-default"><div class="panel-body other-news">
 <p class="h3"><strong>Những tin mới hơn</strong></p>
 <ul class="related list-items">
{related} </ul>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body"><em class="fa fa-eye">&nbsp;</em> Xem: {views}</div></div>
"""  # noqa: E501
        return _shell(site, art.title, art.summary, url, content, self._crumbs())

    def render_not_found(self, site: Site) -> str:
        content = '<div class="alert alert-danger">Bài viết bạn yêu cầu không tồn tại hoặc đã bị xóa.</div>\n'
        return _shell(site, "Lỗi", "", f"{site.base}{MODULE}/", content, self._crumbs())
