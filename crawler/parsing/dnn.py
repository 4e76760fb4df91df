"""DotNetNuke (DNN) portals: news modules (EasyDNNNews and the custom news modules of Vietnamese
portals such as Huế's old `/vi-vn/<Tab>/tid/<slug>/newsid/<GUID>/cid/<GUID>`).

Keyed on what DNN renders whatever the skin: each module in a `DnnModule` container with its
`dnn_ctrNNN_ModuleContent`, the container's title (`dnn_ctrNNN_dnnTITLE_titleLabel`: the section),
module messages (`dnnFormMessage`), DNN's PagingControl and friendly URLs (query parameters written
as path pairs: `/currentpage/2`, `/pgrid/591/pageid/2`). The page is read in its main module: the one
holding an article, else the fullest one; EasyDNNNews classes come first where they exist, the
module's own headline, date line and paragraphs otherwise.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.core.records import ArticleRecord, ListingPage, NotFoundPage
from crawler.parsing.base import (
    CmsParser,
    HtmlElement,
    PageContext,
    PageKind,
    in_chrome,
    listing_entries,
    text_of,
)
from crawler.parsing.generic import GenericArticlePage
from crawler.parsing.generic_listing import main_link_group, page_number
from crawler.parsing.region import (
    Region,
    RegionArticlePage,
    contains,
    entry_date,
    item_of,
    outside,
    pager_next,
    prose_besides,
    prose_container,
    prose_size,
    says_not_found_in,
)

MODULE = ".DnnModule"
# An article shown in full: EasyDNNNews' details view (current and older templates), a module's
# view panel named so.
DETAILS = (".edn_articleDetails, .article.details, [id$='_pnlViewArticle'], .news-detail, .newsdetail, "
           ".news-details, .article-detail, .chitiettin")
TITLE = [".edn_articleTitle", "[id$='_lblTitle']", "[id$='_lblTieuDe']", ".news-title", ".article-title",
         ".title-news", ".newstitle", "h1", "h2", "h3"]
BODY = (".edn_articleContent, .edn_articleText, .main_content, [id$='_lblContent'], [id$='_divContent'], "
        ".news-content, .newscontent, .article-content, .noidung")
LEAD = (".edn_articleSummary, [id$='_lblSummary'], [id$='_lblTomTat'], .news-summary, .news-sapo, .sapo, "
        ".summary, .tomtat")
DATE = ".edn_metaDetails time, [id$='_lblDate'], [id$='_lblNgay'], .news-date, .date, time, .edn_metaDetails"
AUTHOR = ".edn_author, [id$='_lblAuthor'], [id$='_lblTacGia'], .news-author, .author"
SECTION = "[id$='_dnnTITLE_titleLabel'], .Head"
BREADCRUMB = "[id$='_dnnBreadcrumb_lblBreadCrumb'] a, [id*='BREADCRUMB'] a, .breadcrumb a, .breadcrumbs a"
# Title links of news lists: EasyDNNNews' list templates, then a module's own list.
LIST_LINK = (".edn_articleTitle a[href], .article.in_list h1 a[href], .article.in_list h2 a[href], "
             ".edn_article h2 a[href], .edn_article h3 a[href], .news-list .title a[href], "
             ".news-item .title a[href], .news-item h3 a[href]")
PAGER = (".article_pager, .PagingTable, .dnnPager, .pager, .paging, .pagination, .dnnPagination, "
         "[id$='_ctlPagingControl']")
MESSAGE = ".dnnFormMessage, .dnnFormWarning, .dnnFormError, .NormalRed, [id$='_lblMessage'], .MessageBox"
NOISE_CLASS = re.compile(r"(?:^|\s)(edn_socialPrintWrapper|edn_articleTags|eds_viewsComments|"
                         r"box_list_container|edn_relatedArticles|edn_comments|related-news|other-news|tinkhac|news-other|"
                         r"eds_relatedArticles|edn_articleComments)(?:\s|$)")
# DNN friendly URLs write query parameters as path pairs: /currentpage/2, /PgrID/591/PageID/2.
_PATH_PAGE = re.compile(r"/(?:currentpage|pageid|page|pageindex|pagenumber)/(\d{1,5})(?=/|$|\?)", re.I)
ARTICLE_URL = re.compile(r"/newsid/|/articleid/\d+|[?&](?:newsid|articleid|itemid)=|/tid/[^/]+/", re.I)

# What DNN itself puts in a page: module containers and ids, its script and paths, the generator meta.
_MARKERS = re.compile(  # case-sensitive but for the spellings seen: re.I costs 5x per page
    r"DnnModule|DNNModuleContent|id=\"dnn_|/DesktopModules/|/[Pp]ortals/\d+/|/[Pp]ortals/_default/|"
    r"dnn\.js|dnncore\.js|__dnnVariable|content=\"(?:DotNetNuke|DNN)|dnnForm|Start_Module_\d+|"
    r"EasyDNN[Nn]ews|edn_article|/[Tt]ab[Ii]d/\d+/")


def _marker_kind(marker: str) -> str:
    """One kind per marker; DNN's paths all count as one (themes of other CMSs copy its folders)."""
    marker = re.sub(r"\d+", "", marker.lower())
    return "path" if marker.startswith("/") and not marker.endswith(".js") else marker


def dnn_page_number(url: str) -> int | None:
    """The page a DNN listing URL asks for: /currentpage/2 and other path pairs, else the query."""
    found = _PATH_PAGE.findall(urlsplit(url).path)
    return int(found[-1]) if found else page_number(url)


def _noise(el: HtmlElement) -> bool:
    return bool(NOISE_CLASS.search(el.get("class") or ""))


def _outside(el: HtmlElement) -> bool:
    return outside(el, _noise)




def modules(ctx: PageContext) -> list[HtmlElement]:
    """The innermost module containers outside the skin's header, footer and menus."""
    found = [m for m in ctx.css(MODULE) if not in_chrome(m)]
    return [m for m in found if not any(o is not m and contains(m, o) for o in found)]


def main_module(ctx: PageContext) -> HtmlElement:
    """The module the page is about: the one showing an article in full, else the one with the most
    text outside links and title links (a listing with its summaries beats a "Tin mới" box);
    the whole page when the skin renders no module containers."""
    if "dnn:main" not in ctx.memo:
        found = modules(ctx)
        details = [m for m in found if ctx.first(DETAILS, m) is not None]
        if details:
            main = max(details, key=prose_size)
        elif found:
            main = max(found, key=lambda m: prose_size(m) + 200 * len(_title_links(ctx, m)))
        else:
            main = ctx.root
        ctx.memo["dnn:main"] = main
    chosen: HtmlElement = ctx.memo["dnn:main"]
    return chosen


def _title_links(ctx: PageContext, where: HtmlElement) -> list[HtmlElement]:
    return [a for a in ctx.css(LIST_LINK, where) if not _outside(a)]


def article_parts(ctx: PageContext) -> tuple[HtmlElement | None, HtmlElement | None]:
    """(headline, body) of the article in the main module, None where the module has none."""
    if "dnn:parts" not in ctx.memo:
        main = main_module(ctx)
        where = ctx.first(DETAILS, main)
        where = where if where is not None else main
        body = next((el for el in ctx.css(BODY, where) if not _outside(el)), None)
        if ctx.override("body"):
            body = ctx.first(ctx.selectors["body"])
        if body is None or prose_size(body) <= 0:
            body = prose_container(where, lambda el: _outside(el) or el.find(".//a[@href]") is not None
                                   and prose_size(el) < 40)
        title = None
        for selector in TITLE:
            title = next((el for el in ctx.css(selector, where) if text_of(el) and not _outside(el)
                          and el.find(".//a[@href]") is None and not _within_text(body, el)
                          and not el.xpath("ancestor-or-self::*[contains(@id, '_dnnTITLE_')]")), None)
            if title is not None:
                break
        ctx.memo["dnn:parts"] = (title, body)
    parts: tuple[HtmlElement | None, HtmlElement | None] = ctx.memo["dnn:parts"]
    return parts


def _within_text(body: HtmlElement | None, el: HtmlElement) -> bool:
    """A heading inside the article's text (after its first paragraph) is no headline."""
    if body is None or not contains(body, el):
        return False
    for node in body.iter():
        if node is el:
            return False
        if node.tag == "p" and text_of(node):
            return True
    return False


def listing_pairs(ctx: PageContext) -> list[tuple[HtmlElement, HtmlElement]]:
    if "dnn:pairs" not in ctx.memo:
        main = main_module(ctx)
        if ctx.override("listing_item"):
            chosen = ctx.selectors.get("listing_link", "a[href]")
            pairs = [(item, link) for item in ctx.css(ctx.selectors["listing_item"])
                     if (link := ctx.first(chosen, item)) is not None]
        else:
            links = _title_links(ctx, main)
            members = set(links)
            pairs = [(item_of(link, main, members.__contains__), link) for link in links]
            if len(pairs) < 2:
                # a module's own list: its largest group of same-shaped title links
                group = main_link_group(ctx, skip=lambda a: _outside(a) or not contains(main, a))
                pairs = list(zip(group.items, group.anchors, strict=True)) \
                    if group is not None and group.size >= 3 else []
        ctx.memo["dnn:pairs"] = pairs
    found: list[tuple[HtmlElement, HtmlElement]] = ctx.memo["dnn:pairs"]
    return found


def not_found_message(ctx: PageContext) -> str | None:
    """A module message ("Tin không tồn tại", "The article is not available") or a "not found"
    headline of the main module (DNN's own 404 page is a tab of HTML modules)."""
    main = main_module(ctx)
    places = [*ctx.css(MESSAGE), *ctx.css("h1, h2, h3, p, .Normal", main)]
    return says_not_found_in(places, (item for item, _ in listing_pairs(ctx)))


def region(ctx: PageContext) -> Region:
    main = main_module(ctx)
    details = ctx.first(DETAILS, main)
    where = details if details is not None else main
    title, body = article_parts(ctx)
    lead = next((el for el in ctx.css(LEAD, where) if not _outside(el)), None)
    section = ctx.first(SECTION, main)
    crumbs = ctx.css(BREADCRUMB)
    dates = [el for el in ctx.css(DATE, where) if not _outside(el) and (body is None or el is not body)]
    author = ctx.first(AUTHOR, where)
    # a module that prints headline, date line and sapo among its paragraphs: those are no body text
    parts = {el for el in (title, lead, author, *dates) if el is not None}
    return Region(where=where, title=title, bodies=[body] if body is not None else [],
                  lead=lead, dates=dates, author=author, noise=lambda el: _noise(el) or el in parts,
                  breadcrumb=crumbs or ([section] if section is not None else []))


class DnnListingPage:
    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def next_page(self) -> str | None:
        ctx = self.ctx
        main = main_module(ctx)
        pagers = [p for p in ctx.css(PAGER, main) if not in_chrome(p)] or \
            [p for p in ctx.css(PAGER) if not in_chrome(p)]
        return pager_next(ctx, pagers, number=dnn_page_number)

    def to_item(self) -> ListingPage:
        ctx = self.ctx
        entries = listing_entries(ctx, listing_pairs(ctx), entry_date(ctx))
        return ListingPage(url=ctx.url, portal=ctx.portal, entries=entries, next_page=self.next_page())


class DnnParser(CmsParser):
    name = "dnn"

    def markers(self, ctx: PageContext) -> int:
        found = {_marker_kind(m) for m in _MARKERS.findall(ctx.source)}
        if len(found) < 2:  # one path or class name alone is a coincidence: the CMS leaves many
            return 0
        # /newsid/<GUID>, /ArticleID/12 only count beside markup markers
        if found and ARTICLE_URL.search(ctx.url):
            found.add("url")
        return len(found)

    def detect_kind(self, ctx: PageContext) -> PageKind:
        main = main_module(ctx)
        title, body = article_parts(ctx)
        pairs = listing_pairs(ctx)
        details = ctx.first(DETAILS, main) is not None
        prose = prose_besides(body, pairs)
        listed = sum(len(text_of(item)) for item, _ in pairs)
        # an article's text beside a "Tin khác" list; a category page's short intro above its list
        enough = details or prose >= 400 or (prose >= 150 and len(pairs) < 3)
        beside = details or len(pairs) < 3 or prose > listed
        if body is not None and title is not None and enough and beside:
            return PageKind.ARTICLE
        if not_found_message(ctx):
            return PageKind.NOT_FOUND
        if len(pairs) >= 2:
            return PageKind.LISTING
        return PageKind.UNKNOWN

    def article(self, ctx: PageContext) -> ArticleRecord:
        return RegionArticlePage(ctx, region(ctx)).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        return DnnListingPage(ctx).to_item()

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        message = not_found_message(ctx) or GenericArticlePage(ctx).not_found_message()
        return NotFoundPage(url=ctx.url, message=message or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        if not self.markers(ctx):
            return "does not look like a DotNetNuke page (no DnnModule container, dnn_ ids or DNN script)"
        return ("DotNetNuke page with no article (no news module showing one in full), no news list and "
                "no not-found message")
