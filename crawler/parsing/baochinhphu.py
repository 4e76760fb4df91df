"""The CMS behind baochinhphu.vn (VCCorp's newsroom CMS), also Hà Nội's portal hanoi.gov.vn and
ministries' news sites.

Articles live at `/<slug>-<14 to 18 digits>.htm`: `detail-title`, the sapo `detail-sapo`, the body
`detail-content` (`afcbc-body`), the date `detail-time` (Hà Nội: `news-info .time`), the byline
`detail-author`. Pictures are the editor's `VCSortableInPreviewMode` frames with `PhotoCMS_Caption`
captions, videos its `VideoStream` frames; related boxes (`detail-related`, the in-body
`kbwscwl-relatedbox`, "Tin liên quan") are never body.

Listings (`/<zone>.htm`, tag pages) are `box-stream-item` / `box-category-item` entries (Hà Nội:
`news-item`). Their "see more" loads the next entries as a fragment: `/timelinelist/<zoneid>/<page>.htm`
(a GET), or on Hà Nội a form POSTed to `/api/NewsZone/NewsZone`. Both fragments are read here as
listing pages too; the POSTed one's next page is the same form with the page index one higher.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from crawler.core.normalize import clean_text, fold
from crawler.core.records import ArticleRecord, Attachment, ListingPage, NextRequest, NotFoundPage
from crawler.parsing.base import CmsParser, PageContext, PageKind, text_of
from crawler.parsing.generic_listing import next_page_url
from crawler.parsing.markup import MarkupArticlePage, MarkupListingPage

ARTICLE_URL = re.compile(r"-\d{14,18}\.htm(?![\w.])")
TIMELINE_URL = re.compile(r"/timelinelist/(\d+)/(\d+)\.htm$")
# The family's own markup and paths, counted once each by `markers()`.
_MARKERS = re.compile(
    r"detail-sapo|detail-content|afcbc-body|VCSortableInPreviewMode|PhotoCMS_Caption|VideoCMS_Caption|"
    r"box-stream-item|box-category-item|box-stream-link-title|box-category-link-title|hdZoneId|"
    r"/timelinelist/|/api/NewsZone/|data-linktype=\"newsdetail\"|kbwscwl-relatedbox|detail-related|"
    r"detail-time|detail-author|detail-cate"
)
_NOT_FOUND = re.compile(r"\b404\b|khong tim thay|khong ton tai|da bi xoa|not found|does not exist")
# The fields of the POSTed "see more" form, as the portal's script names them.
_API_FIELDS = ("PageIndex", "PageSize", "Catname", "LanguageId", "Site", "ZoneId")
API_PATH = "/api/NewsZone/NewsZone"
_API_PATH = re.compile(rf"[\"']({API_PATH})[\"']")


class BaochinhphuArticlePage(MarkupArticlePage):
    TITLE = [".detail-title", "h1.title-detail", ".news-title h1", "h1"]
    LEAD = [".detail-sapo", ".sapo-detail", ".news-sapo"]
    BODY = [".detail-content", ".afcbc-body", "[data-role='content']"]
    DATE = [".detail-time", ".news-info .time", ".detail-info .time"]
    AUTHOR = [".detail-author", ".author-info .name", ".news-author"]
    SOURCE = [".link-source-name", ".detail-source"]
    CATEGORY = ["[data-role='cate-name']", ".detail-cate a", ".breadcrumb li", ".breadcrumb a"]
    NOISE = (".detail-related, .kbwscwl-relatedbox, [type='RelatedNews'], [type='RelatedOneNews'], "
             ".detail-tag-list, .detail-tags, .detail-share, .social-share, .VideoCMS_Caption")
    CAPTION = ".PhotoCMS_Caption, figcaption"

    def extra_attachments(self) -> Iterator[Attachment]:
        """The editor's video frames: the stream's file in `data-vid`, its caption as title."""
        body = self._body_el
        if body is None:
            return
        for frame in self.ctx.css(".VCSortableInPreviewMode[data-vid]", body):
            vid = (frame.get("data-vid") or "").strip()
            if not vid:
                continue
            url = self.ctx.absolute(vid if re.match(r"^(https?:)?//", vid) else f"//{vid.lstrip('/')}")
            if not url:
                continue
            caption = self.ctx.first(".VideoCMS_Caption", frame)
            title = (text_of(caption) if caption is not None else "") or \
                clean_text(frame.get("data-info-title") or "") or url.rsplit("/", 1)[-1]
            yield Attachment(url=url, title=title)


class BaochinhphuListingPage(MarkupListingPage):
    ITEM = ".box-stream-item, .box-category-item, .news-item, .item-news"
    LINK = ["a.box-stream-link-title", "a.box-category-link-title", "a[data-linktype='newsdetail']",
            "a[data-type='title']", ".news-title a", "h2 a", "h3 a", "a[href]"]
    DATE = ".box-stream-time, .box-category-time, .news-time, .time"
    ARTICLE_URL = ARTICLE_URL

    def __init__(self, ctx: PageContext, page: PageContext | None = None) -> None:
        super().__init__(page or ctx)
        self.asked = ctx  # the URL asked for (a JSON response is read through its HTML)

    def next_page(self) -> str | None:
        follow = self.next_request()
        return follow.url if follow is not None else None

    def next_request(self) -> NextRequest | None:
        ctx = self.ctx
        url = self.asked.url
        timeline = TIMELINE_URL.search(urlsplit(url).path)
        if timeline:  # a "see more" fragment: the next one, while this one still held entries
            if not self.items():
                return None
            zone, number = timeline.groups()
            return NextRequest(url[:url.rindex(f"/{zone}/{number}.htm")] + f"/{zone}/{int(number) + 1}.htm")
        if urlsplit(url).path.rstrip("/").lower() == API_PATH.lower():
            return None  # a POSTed fragment: the crawler asks for the page after it (NextRequest.advanced)
        if ctx.override("next_page"):
            link = ctx.first(ctx.selectors["next_page"])
            href = ctx.absolute(link.get("href")) if link is not None else None
            return NextRequest(href) if href else None
        pager = next_page_url(ctx.root, url, ctx.absolute, skip=self.in_chrome)  # a tag page's pager
        if pager:
            return NextRequest(pager)
        posted = api_request(ctx)
        if posted is not None:
            return posted
        zone_input = ctx.first("#hdZoneId")
        zone_id = (zone_input.get("value") or "").strip() if zone_input is not None else ""
        if zone_id.isdigit() and int(zone_id) > 0 and self.items():
            return NextRequest(ctx.absolute(f"/timelinelist/{zone_id}/2.htm") or "")
        return None

    def to_item(self) -> ListingPage:
        follow = self.next_request()
        plain = follow is not None and follow.method == "GET" and not follow.form
        return ListingPage(url=self.asked.url, portal=self.asked.portal, entries=self.entries(),
                           next_page=follow.url if follow else None,
                           next_request=None if plain or follow is None else follow)


def is_see_more(url: str) -> bool:
    """A URL the "see more" button asks: its answer is a fragment of the listing."""
    path = urlsplit(url).path
    return bool(TIMELINE_URL.search(path)) or path.rstrip("/").lower() == API_PATH.lower()


def api_request(ctx: PageContext) -> NextRequest | None:
    """Hà Nội's "see more": a script POSTs the listing's (opaque) parameters to /api/NewsZone/NewsZone;
    read them from that script (`Catname: '...'`) or from the button's data-* attributes, and ask for
    the page after the one shown."""
    for script in ctx.root.iter("script"):
        text = script.text or ""
        found = _API_PATH.search(text)
        if not found:
            continue
        values = {}
        for name in _API_FIELDS:
            literal = re.search(rf"[\"']?{name}[\"']?\s*:\s*(?:[\"']([^\"']*)[\"']|(\d+))", text)
            if literal:
                values[name] = literal.group(1) if literal.group(1) is not None else literal.group(2)
        if values:
            return _api_form(ctx, found.group(1), values)
    for el in ctx.css("[data-catname]"):
        values = {name: el.get(f"data-{name.lower()}") or "" for name in _API_FIELDS
                  if el.get(f"data-{name.lower()}") is not None}
        return _api_form(ctx, el.get("data-api") or API_PATH, values)
    return None


def _api_form(ctx: PageContext, path: str, values: dict[str, str]) -> NextRequest | None:
    url = ctx.absolute(path)
    if not url:
        return None
    shown = values.get("PageIndex", "1")
    values["PageIndex"] = str(int(shown) + 1 if shown.isdigit() else 2)
    form = tuple((name, values[name]) for name in _API_FIELDS if name in values)
    return NextRequest(url, method="POST", form=form,
                       headers=(("X-Requested-With", "XMLHttpRequest"),), page_field="PageIndex")


def json_fragment(ctx: PageContext) -> PageContext | None:
    """A "see more" answered in JSON: the HTML it carries, read as a page of its own."""
    if "bcp:json" in ctx.memo:
        found: PageContext | None = ctx.memo["bcp:json"]
        return found
    page = None
    head = ctx.source.lstrip()[:1]
    if head in ("{", "["):
        try:
            data = json.loads(ctx.source)
        except ValueError:
            data = None
        html = "".join(_html_strings(data))
        if html.strip():
            page = PageContext.build(html, ctx.url, portal=ctx.portal, selectors=ctx.selectors,
                                     timezone=ctx.zone.key)
    ctx.memo["bcp:json"] = page
    return page


def _html_strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        if "<" in data and ">" in data:
            yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _html_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _html_strings(value)


class BaochinhphuParser(CmsParser):
    name = "baochinhphu"

    def markers(self, ctx: PageContext) -> int:
        found = set(_MARKERS.findall(ctx.source))
        if found and ARTICLE_URL.search(urlsplit(ctx.url).path + " "):
            found.add("url")
        if len(ARTICLE_URL.findall(ctx.source)) >= 2 and re.search(r"news-item|box-\w+-item", ctx.source):
            found.add("links")  # a fragment of entries, whose markup says little else
        return len(found)

    def _page(self, ctx: PageContext) -> PageContext:
        return json_fragment(ctx) or ctx

    def detect_kind(self, ctx: PageContext) -> PageKind:
        page = self._page(ctx)
        article = BaochinhphuArticlePage(page)
        if article._body_el is not None and (article._title_el is not None or article._lead_el is not None):
            return PageKind.ARTICLE
        if self._not_found_message(page):
            return PageKind.NOT_FOUND
        if BaochinhphuListingPage(ctx, page).items() or is_see_more(ctx.url):
            return PageKind.LISTING  # a "see more" answer with no entries is the end of the listing
        return PageKind.UNKNOWN

    def article(self, ctx: PageContext) -> ArticleRecord:
        return BaochinhphuArticlePage(self._page(ctx)).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        return BaochinhphuListingPage(ctx, self._page(ctx)).to_item()

    def _not_found_message(self, ctx: PageContext) -> str | None:
        places = [ctx.root.find(".//title"), *ctx.css(".page-404, .error-404, .notfound, .not-found, "
                                                      ".error-page, .box-404"), *ctx.root.iter("h1", "h2")]
        for el in places:
            if el is None:
                continue
            text = text_of(el)
            if text and len(text) <= 200 and _NOT_FOUND.search(fold(text)):
                return text
        return None

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        page = self._page(ctx)
        return NotFoundPage(url=ctx.url, message=self._not_found_message(page) or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        return ("no article (detail-content under a detail-title), no listing (box-stream-item, "
                "box-category-item or news-item entries linking to /<slug>-<id>.htm) and no not-found page")

