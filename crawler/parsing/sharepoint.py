"""SharePoint publishing portals (2010-2016), as Vietnamese provinces run them (Quảng Ninh, Điện Biên,
Thanh Hóa; the "tandan" theme of the last two).

Keyed on what SharePoint renders whatever the theme: the page's main placeholder (PlaceHolderMain),
the rich-text field of a publishing page (`ms-rtestate-field`, the RichHtmlField wrapper), web parts
(`WebPartWPQn`, `ms-webpart-zone`), the Content Query Web Part's list (`dfwp-item`), list views
(`ms-listviewtable`, paged by `Paged=TRUE&p_ID=..` links in RefreshPageTo calls), web parts paged by
ASP.NET post-backs (crawler.parsing.postback: the next page is the page's form POSTed back), news
kept as list items and shown by their display form, list views drawn in the browser from their
inline rows (both crawler.parsing.sharepoint_lists) and the error page (`ms-error-*`). Theme classes
(tandan's `tandan-p-article-news-title`, ...) come first where they exist; a missing one falls back
on the structure, then on what the page declares.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from crawler.core.normalize import canonicalize_url, fold
from crawler.core.records import ArticleRecord, ListingPage, NextRequest, NotFoundPage
from crawler.parsing.base import (
    CmsParser,
    DateHit,
    HtmlElement,
    PageContext,
    PageKind,
    in_chrome,
    listing_entries,
    text_of,
)
from crawler.parsing.content import Block
from crawler.parsing.generic import GenericArticlePage
from crawler.parsing.generic_listing import main_link_group
from crawler.parsing.postback import next_postback, postback_request
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
from crawler.parsing.sharepoint_lists import (
    CREATED_INFO,
    ListItemArticlePage,
    client_entries,
    client_list_data,
    client_next_page,
    form_fields,
    image_blocks,
    is_list_item,
    item_url,
)

# The main placeholder as the master pages render it (2013+ seattle/oslo, 2010 v4, custom masters
# keep the control ids).
MAIN = ["#DeltaPlaceHolderMain", "#MSO_ContentTable", "#ctl00_MSO_ContentDiv", "#contentBox",
        "[id$='PlaceHolderMain']"]
RICH_TEXT = (".ms-rtestate-field, .ms-rtestate-read, .ms-wikicontent, .tandan-content-view, "
             ".tandan-p-article-news-content")
TITLE = [".tandan-p-article-news-title", ".tandan-title-view", ".news-title", "#pageTitle",
         ".ms-core-pageTitle", ".ms-pagetitle", ".article-title", "h1"]
DATE = (".tandan-span-date-publish, .tandan-date-view, .date-line, .article-date, .news-date, "
        "[id*='ArticleStartDate']")
LEAD = ".tandan-p-article-news-summary, .tandan-summary-view, .article-summary, .news-summary, .sapo"
AUTHOR = ".by-line, .tandan-p-article-author, .tandan-author, [id*='ArticleByLine']"
BREADCRUMB = (".ms-breadcrumb a, .ms-breadcrumb span.ms-sitemapdirectional, "
              "[id*='PlaceHolderTitleBreadcrumb'] .ms-sitemapdirectional, .breadcrumb li, .breadcrumb a, "
              ".tandan-breadcrumb a")
# The page image of article layouts, with its caption field beside it.
PAGE_IMAGE = ".captioned-image, [id$='RichImageField']"
WEB_PART = "[id^='WebPartWPQ'], .ms-webpart-chrome, .ms-WPBody, .s4-wpcell-plain, .ms-webpartzone-cell"
# Title links of news lists: the Content Query Web Part, tandan's lists, list views.
LIST_LINK = (".dfwp-item .link-item a[href], .tandan-p-article-news-title a[href], "
             ".channel-news-title a[href], .tandan-news-title a[href], a.ms-listlink[href], "
             ".ms-listviewtable td.ms-vb-title a[href]")
PAGER = (".tandan-paging, .tandan-pager, .paging, .pager, .pagination, .ms-paging, "
         "[id^='bottomPagingCell'], [id^='pagingWPQ'], .ms-bottompaging, .dataPager")
ERROR_BOX = "#ms-error-header, #ms-error-body, #ms-error, .ms-error, .ms-pageerror, .tandan-not-found"
# Other news beside an article: never its text or its date.
NOISE_CLASS = re.compile(r"(?:^|\s)(tandan-div-article-other|tandan-p-article-other|td-tags|"
                         r"ms-webpart-titleText|tandan-div-article-relate|ms-socialNotif|ms-comm)")
ARTICLE_URL = re.compile(r"/(?:Pages|Trang)/(?:\d{4}-\d{1,2}-\d{1,2}/)?[^/?#]+\.aspx|"
                         r"[?&](?:nid|ItemID|NewsID|ID)=\d+", re.I)
URL_DATE = re.compile(r"/Pages/(\d{4})-(\d{1,2})-(\d{1,2})/", re.I)
_REFRESH = re.compile(r"RefreshPageTo\(\s*event\s*,\s*([\"'])(.*?)\1", re.S)
_NEXT_WORD = re.compile(r"^(next|tiep|tiep theo|sau|trang sau|trang tiep)$")

# What SharePoint itself puts in a page: its JavaScript globals and form fields, the layouts and
# master-page paths, rich-text and web part markup, the generator meta, and the tandan theme.
_MARKERS = re.compile(  # case-sensitive: SharePoint writes them one way, and re.I costs 5x per page
    r"ms-rtestate-(?:field|read)|ms-rteElement|__REQUESTDIGEST|_spPageContextInfo|MSOWebPartPage|"
    r"/_layouts/|/_catalogs/masterpage/|_spBodyOnLoad|ms-webpart-(?:zone|chrome)|ms-WPBody|s4-wpTopTable|"
    r"WebPartWPQ\d|ctl00_PlaceHolderMain|DeltaPlaceHolderMain|MSO_ContentTable|dfwp-(?:item|list)|"
    r"ms-listviewtable|ms-formtable|WPQ\d+ListData|content=\"Microsoft SharePoint|tandan-(?:p|span|div)-")


def _noise(el: HtmlElement) -> bool:
    return bool(NOISE_CLASS.search(el.get("class") or ""))


def main_area(ctx: PageContext) -> HtmlElement:
    if "sp:main" not in ctx.memo:
        ctx.memo["sp:main"] = ctx.first(MAIN) if ctx.first(MAIN) is not None else ctx.root
    main: HtmlElement = ctx.memo["sp:main"]
    return main


def _outside(el: HtmlElement) -> bool:
    return outside(el, _noise)



def body_fields(ctx: PageContext) -> list[HtmlElement]:
    """The rich-text field holding the article: the fullest outermost one in the main area that is
    no page image or caption field."""
    if "sp:body" not in ctx.memo:
        every = ctx.css(RICH_TEXT, main_area(ctx))
        inner = set(every)
        fields = [el for el in every if not _outside(el) and not _image_field(el)
                  and not any(a in inner for a in el.iterancestors())]
        best = max(fields, key=prose_size, default=None)
        ctx.memo["sp:rich"] = best is not None and prose_size(best) > 0
        if best is None or prose_size(best) <= 0:
            # a web part that prints its news without a rich-text field: its paragraphs
            best = prose_container(main_area(ctx), lambda el: _outside(el) or _in_list_item(el))
        ctx.memo["sp:body"] = [best] if best is not None else []
    found: list[HtmlElement] = ctx.memo["sp:body"]
    return found


def _image_field(el: HtmlElement) -> bool:
    return any("captioned-image" in (a.get("class") or "") or (a.get("id") or "").endswith("RichImageField")
               for a in (el, *el.iterancestors()))


def article_title(ctx: PageContext) -> HtmlElement | None:
    """The headline: the theme's title element, else the page title SharePoint prints; never a link
    to another page (tandan lists wrap each entry's title in the same class)."""
    if "sp:title" not in ctx.memo:
        ctx.memo["sp:title"] = next((
            el for selector in TITLE for el in ctx.css(selector, main_area(ctx)) or ctx.css(selector)
            if text_of(el) and el.find(".//a[@href]") is None and el.tag != "a" and not _outside(el)
            and not _in_list_item(el)), None)
    title: HtmlElement | None = ctx.memo["sp:title"]
    return title


def _in_list_item(el: HtmlElement) -> bool:
    return any("dfwp-item" in (a.get("class") or "") for a in el.iterancestors())


def list_links(ctx: PageContext) -> list[HtmlElement]:
    """Title links of the page's main news list: the web part holding most of them (a "Tin mới" box
    in a side zone loses to the list the page is about)."""
    if "sp:links" not in ctx.memo:
        links = [a for a in ctx.css(LIST_LINK, main_area(ctx)) if not _outside(a)]
        by_part: dict[int, list[HtmlElement]] = {}
        parts: dict[int, HtmlElement | None] = {}
        for link in links:
            part = _web_part(ctx, link)
            by_part.setdefault(id(part), []).append(link)
            parts[id(part)] = part
        best = max(by_part.values(), key=len, default=[])
        ctx.memo["sp:links"] = best
        ctx.memo["sp:list_part"] = parts.get(id(_web_part(ctx, best[0]))) if best else None
    found: list[HtmlElement] = ctx.memo["sp:links"]
    return found


def _web_part(ctx: PageContext, el: HtmlElement) -> HtmlElement | None:
    parts = set(ctx.css(WEB_PART))
    return next((a for a in el.iterancestors() if a in parts), None)


def listing_pairs(ctx: PageContext) -> list[tuple[HtmlElement, HtmlElement]]:
    """(item, link) of each entry: the news list's own markup, else the largest group of article
    links of one shape in the main area (a theme's list of no known class)."""
    if "sp:pairs" not in ctx.memo:
        main = main_area(ctx)
        if ctx.override("listing_item"):
            chosen = ctx.selectors.get("listing_link", "a[href]")
            pairs = [(item, link) for item in ctx.css(ctx.selectors["listing_item"])
                     if (link := ctx.first(chosen, item)) is not None]
        else:
            links = list_links(ctx)
            members = set(links)
            part = ctx.memo.get("sp:list_part")
            stop = part if part is not None else main
            pairs = [(item_of(link, stop, members.__contains__), link) for link in links]
            if len(pairs) < 2:
                group = main_link_group(ctx, skip=lambda a: _outside(a) or not contains(main, a))
                pairs = []
                if group is not None and group.size >= 3 and \
                        sum(bool(ARTICLE_URL.search(a.get("href") or "")) for a in group.anchors) * 2 >= \
                        len(group.anchors):
                    pairs = list(zip(group.items, group.anchors, strict=True))
        ctx.memo["sp:pairs"] = pairs
    found: list[tuple[HtmlElement, HtmlElement]] = ctx.memo["sp:pairs"]
    return found



def not_found_message(ctx: PageContext) -> str | None:
    """SharePoint's error page ("Không tìm thấy tệp.", "File Not Found.") or a theme's "not found"
    message in the main area or its headline."""
    places = [*ctx.css(ERROR_BOX), *ctx.css("h1, h2, h3, .ms-core-pageTitle, .ms-WPBody, "
                                            ".tandan-p-article-news-title", main_area(ctx))]
    return says_not_found_in(places, (item for item, _ in listing_pairs(ctx)))


def url_date(ctx: PageContext) -> DateHit | None:
    """/portal/Pages/2023-2-11/Slug.aspx: the day the tandan theme files an article under."""
    found = URL_DATE.search(urlsplit(ctx.url).path)
    if not found:
        return None
    try:
        value = datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), tzinfo=ctx.zone)
    except ValueError:
        return None
    return DateHit(value, found.group(0).strip("/").split("/")[-1], False)


def _page_image(ctx: PageContext) -> list[Block]:
    """The page image of an article layout, with the text of its caption field."""
    blocks = []
    for frame in ctx.css(PAGE_IMAGE, main_area(ctx)):
        if any(b is not frame and contains(b, frame) for b in ctx.css(PAGE_IMAGE, main_area(ctx))):
            continue
        img = next(frame.iter("img"), None)
        src = ctx.absolute(img.get("src")) if img is not None else None
        if not src:
            continue
        caption_el = ctx.first(".caption", frame)
        caption = text_of(caption_el) if caption_el is not None else None
        blocks.append(Block(images=[src], framed=True, caption=caption or None))
    return blocks


def region(ctx: PageContext) -> Region:
    main = main_area(ctx)
    title = article_title(ctx)
    bodies = ctx.css(ctx.selectors["body"])[:1] if ctx.override("body") else body_fields(ctx)
    where = main
    if title is not None and bodies and not contains(bodies[0], title):
        # the smallest element holding both headline and text, when it sits in the main area: its
        # dates and bylines are the article's
        ancestors = {id(a) for a in bodies[0].iterancestors()}
        common = next((a for a in title.iterancestors() if id(a) in ancestors), None)
        if common is not None and contains(main, common):
            where = common
    lead = ctx.first(LEAD, where)
    return Region(where=where, title=title, bodies=bodies,
                  lead=lead if lead is not None and not any(contains(b, lead) for b in bodies) else None,
                  dates=[el for el in ctx.css(DATE, where) or ctx.css(DATE, main) if not _outside(el)],
                  figures=_page_image(ctx), author=_first_in(ctx, AUTHOR, where, main), noise=_noise,
                  url_date=url_date(ctx),
                  breadcrumb=[el for el in ctx.css(BREADCRUMB) if not _library_root(el)])


def list_item_region(ctx: PageContext) -> Region:
    """A list item's display form as the article's region: its fields are the parts."""
    fields = form_fields(ctx)
    title = fields["title"]
    form = next((a for a in title.iterancestors("table") if "ms-formtable" in (a.get("class") or "")), title)
    dates = [fields["date"]] if "date" in fields else [el for el in ctx.css(CREATED_INFO) if not _outside(el)]
    return Region(where=form, title=title, bodies=[fields["body"]] if "body" in fields else [],
                  lead=fields.get("lead"), dates=dates, figures=image_blocks(ctx, fields.get("image")),
                  author=fields.get("author"), noise=_noise,
                  breadcrumb=[el for el in ctx.css(BREADCRUMB) if not _library_root(el)])


def _first_in(ctx: PageContext, selector: str, *scopes: HtmlElement) -> HtmlElement | None:
    for scope in scopes:
        found = ctx.first(selector, scope)
        if found is not None:
            return found
    return None


def _library_root(crumb: HtmlElement) -> bool:
    """The Pages library's own crumb ("Trang", "Pages"), which SharePoint puts between a site and
    its pages: no category."""
    return fold(text_of(crumb)) in ("trang", "pages") or \
        bool(re.search(r"/(?:Pages|Trang)/(?:default|Forms/AllItems)\.aspx$", crumb.get("href") or "", re.I))


def _list_view_next(ctx: PageContext, scope: HtmlElement) -> str | None:
    """A list view's "next" arrow: its URL (Paged=TRUE&p_ID=..&PageFirstRow=..) sits in the
    RefreshPageTo call of its onclick, JavaScript-escaped, the href being "javascript:"."""
    for link in scope.iter("a"):
        onclick = link.get("onclick") or ""
        found = _REFRESH.search(onclick)
        href = (link.get("href") or "").strip()
        target = found.group(2) if found else (href if "Paged=TRUE" in href else None)
        if not target:
            continue
        holder = link.getparent()
        labels = [link.get("title"), link.get("aria-label"), *(img.get("alt") for img in link.iter("img")),
                  text_of(link), holder.get("id") if holder is not None else None]
        if any(label and (_NEXT_WORD.match(fold(label).strip(" >»")) or label.lower().endswith("next"))
               for label in labels):
            target = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), target)
            return ctx.absolute(target.replace("\\/", "/"))
    return None


class SharePointListingPage:
    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def follow(self) -> NextRequest | None:
        """The next page: a link's URL (list views' RefreshPageTo arrows, pagers), else the form a
        post-back pager submits (GridView web parts, the Data View Web Part's arrows)."""
        ctx = self.ctx
        part = ctx.memo.get("sp:list_part")
        scopes = [s for s in (part, main_area(ctx)) if s is not None]
        for scope in scopes:
            found = _list_view_next(ctx, scope)
            pagers = [p for p in ctx.css(PAGER, scope) if not in_chrome(p)]
            found = found or pager_next(ctx, pagers)
            if found:
                return NextRequest(found)
            back = next_postback((a for a in scope.iter("a") if not _outside(a)), pagers)
            if back is not None:
                return postback_request(ctx, back)
        return None

    def to_item(self) -> ListingPage:
        ctx = self.ctx
        entries = [replace(e, url=canonicalize_url(item_url(e.url)))
                   for e in listing_entries(ctx, listing_pairs(ctx), entry_date(ctx))]
        drawn = client_list_data(ctx)
        if drawn is not None and len(drawn.rows) > len(entries):  # a view the browser draws from its rows
            next_page = client_next_page(ctx, drawn)
            return ListingPage(url=ctx.url, portal=ctx.portal, entries=client_entries(ctx, drawn),
                               next_page=next_page)
        follow = self.follow()
        plain = follow is not None and follow.method == "GET" and not follow.form
        return ListingPage(url=ctx.url, portal=ctx.portal, entries=entries,
                           next_page=follow.url if follow else None,
                           next_request=None if plain or follow is None else follow)


class SharePointParser(CmsParser):
    name = "sharepoint"

    def markers(self, ctx: PageContext) -> int:
        # its paths (/_layouts/, /_catalogs/masterpage/) count as one marker
        found = {"path" if m.startswith("/") else re.sub(r"\d+", "", m.lower())
                 for m in _MARKERS.findall(ctx.source)}
        if len(found) < 2:  # one path or class name alone is a coincidence: the CMS leaves many
            return 0
        # /Pages/x.aspx and /Trang/x.aspx only count beside markup markers (DNN pages are .aspx too)
        if found and ARTICLE_URL.search(ctx.url):
            found.add("url")
        return len(found)

    def detect_kind(self, ctx: PageContext) -> PageKind:
        if ctx.override("body") and ctx.first(ctx.selectors["body"]) is not None:
            return PageKind.ARTICLE
        if is_list_item(ctx):
            return PageKind.ARTICLE
        bodies = body_fields(ctx)
        titled = article_title(ctx) is not None
        # a publishing page's text under its title: no need to look for lists of other shapes
        if bodies and ctx.memo["sp:rich"] and titled and prose_size(bodies[0]) >= 400 \
                and len(list_links(ctx)) < 3:
            return PageKind.ARTICLE
        pairs = listing_pairs(ctx)
        prose = prose_besides(bodies[0] if bodies else None, pairs)
        listed = sum(len(text_of(item)) for item, _ in pairs)
        # an article's text beside a "Tin khác" list; a category page's short intro above its list
        if bodies and (prose >= 400 or (titled and prose >= 80)) and (len(pairs) < 3 or prose > listed):
            return PageKind.ARTICLE
        if not_found_message(ctx):  # before the list: "Tin mới" boxes stay beside the message
            return PageKind.NOT_FOUND
        if len(pairs) >= 2:
            return PageKind.LISTING
        drawn = client_list_data(ctx)
        if drawn is not None and client_entries(ctx, drawn):
            return PageKind.LISTING
        if bodies and prose >= 80:
            return PageKind.ARTICLE
        return PageKind.UNKNOWN

    def article(self, ctx: PageContext) -> ArticleRecord:
        if is_list_item(ctx) and not ctx.override("body"):
            return ListItemArticlePage(ctx, list_item_region(ctx)).to_item()
        return RegionArticlePage(ctx, region(ctx)).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        return SharePointListingPage(ctx).to_item()

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        message = not_found_message(ctx) or GenericArticlePage(ctx).not_found_message()
        return NotFoundPage(url=ctx.url, message=message or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        if not self.markers(ctx):
            return "does not look like a SharePoint page (no rich-text field, web part or SharePoint script)"
        return ("SharePoint page with no article (no rich-text field with text), no news list and no "
                "not-found message")
