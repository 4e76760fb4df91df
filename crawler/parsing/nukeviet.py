"""NukeViet 4.x portals (Đồng Nai and many districts, departments and schools): its news module.

Read from the module's public templates (themes/default/modules/news/*.tpl), which themes copy:
an article (`detail.tpl`) is `h1.title` / `itemprop=headline`, the date `<span class="h5">`, the
hometext (`.hometext`, the lead) beside the home picture (`figure.article` with its figcaption), the
body `#news-bodyhtml.bodytext`, the file list (`.news-download-file`), then "Tác giả:" and
"Nguồn tin:" lines; related news ("Những tin mới hơn", "Những tin cũ hơn", `.related`) sit in
panels of their own and are never body. Article URLs end in `<slug>-<id>.html`
(`/<lang>/<module>/<cat>/<slug>-<id>.html`).

Listings are the viewcat layouts (`viewcat_page`: `.news_column` panels with h2/h3 links and the
date in `.text-muted`; `viewcat_list`: `.list-group` links; grids of thumbnails), paged by
`nv_alias_page`: `/page-N` path segments in a `.pagination` whose later links all say rel="next".
A missing article is `nv_info_die`'s page (`.nv-infodie`, "Lỗi truy cập 404"), served with 404.
The module's RSS feeds (`/<lang>/<module>/rss/<cat>/`) are read as the generic family reads feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from urllib.parse import urlsplit

from crawler.core.normalize import clean_text, fold
from crawler.core.records import ArticleRecord, Attachment, ListingPage, NotFoundPage
from crawler.parsing.base import CmsParser, HtmlElement, PageContext, PageKind, text_of
from crawler.parsing.generic_listing import GenericListingPage, is_feed, next_page_url, page_number
from crawler.parsing.markup import MarkupArticlePage, MarkupListingPage

ARTICLE_URL = re.compile(r"/[^/?#]+-\d+\.html(?![\w.])")
_PAGE_SEGMENT = re.compile(r"/page-(\d+)/?$")
# What NukeViet puts in its pages whatever the theme: its generator meta, its JavaScript globals and
# functions, its asset and theme paths, the news module's markup. `markers()` counts distinct ones.
_MARKERS = re.compile(
    r"content=\"NukeViet|nv_base_siteurl|nv_lang_data|nv_open_browse|nv_urldecode_ajax|nv_(?:is_|check|siteroot)|"
    r"/assets/js/global\.js|/assets/js/language/|/themes/[\w-]+/js/main\.js|news_column|news-bodyhtml|"
    r"news-download-file|class=\"hometext|nv-infodie|nv-block-|list-group-item-heading|/rss/[\w-]+/\""
)
_NOT_FOUND = re.compile(r"\b404\b|khong ton tai|khong tim thay|not found|does not exist")


class NukevietArticlePage(MarkupArticlePage):
    TITLE = [".news_column h1.title", "[itemprop='headline']", ".news_column h1", "h1"]
    LEAD = ["div.hometext", ".news_column div[itemprop='description']"]
    BODY = ["#news-bodyhtml", ".bodytext"]
    DATE = [".news_column .panel-body > .row .h5", ".news_column span.h5", ".news_column .h5"]
    CATEGORY = [".breadcrumbs li", ".breadcrumb li", ".breadcrumbs-wrap a"]
    NOISE = (".detail-related, .related, .other-news, .news-download-file, .fb-like, .zalo-share-button, "
             ".twitter-share-button, #imgpreview")
    CAPTION = "figcaption, .caption, .image-caption"
    LEAD_IMAGES = ".news_column figure.article"

    @cached_property
    def _noise(self) -> set[HtmlElement]:
        """The files panel whole (its heading "Tập tin đính kèm" is no byline), besides NOISE."""
        found = set(super()._noise)
        for files in self.ctx.css(".news-download-file"):
            panels = [a for a in files.iterancestors() if "panel" in (a.get("class") or "").split()]
            panel = panels[0] if panels else None
            found.add(panel if panel is not None else files)
        return found

    def extra_attachments(self) -> Iterator[Attachment]:
        """The files panel: each download link, titled by the file's own name (in <strong>)."""
        for link in self.ctx.css(".news-download-file a[href]"):
            url = self.ctx.absolute(link.get("href"))  # the preview toggles are "#file-0", no URL
            if not url:
                continue
            strong = link.find(".//strong")
            title = text_of(strong) if strong is not None else ""
            yield Attachment(url=url, title=title or clean_text(link.get("title")) or text_of(link))


class NukevietListingPage(MarkupListingPage):
    ITEM = (".news_column .panel-body, .list-group > a[href], .list-group-item, .news_column .thumbnail, "
            ".viewcat_grid .col-md-8, .news_column li")
    LINK = ["h2 a[href]", "h3 a[href]", "h4 a[href]", "a[href]"]
    DATE = ".text-muted, .list-inline, .time"
    ARTICLE_URL = ARTICLE_URL
    NOT_TITLE = ".label, .icon_new"  # viewcat_list numbers its entries

    def next_page(self) -> str | None:
        """The pager's link to `/page-(N+1)` (every later page is rel="next" there), else the
        generic pager reading ("Tiếp", "»")."""
        ctx = self.ctx
        if ctx.override("next_page"):
            link = ctx.first(ctx.selectors["next_page"])
            return ctx.absolute(link.get("href")) if link is not None else None
        current = page_number(ctx.url) or 1
        for link in ctx.css(".pagination a[href], .generate_page a[href], #generate_page a[href]"):
            href = ctx.absolute(link.get("href"))
            found = _PAGE_SEGMENT.search(urlsplit(href).path) if href else None
            if found and int(found.group(1)) == current + 1:
                return href
        if ctx.css(".pagination"):
            return None  # the last page: its pager links only back
        return next_page_url(ctx.root, ctx.url, ctx.absolute, skip=self.in_chrome)


class NukevietParser(CmsParser):
    name = "nukeviet"

    def markers(self, ctx: PageContext) -> int:
        if is_feed(ctx.source):
            return 0  # the module's RSS is a plain feed: the generic family reads every feed
        found = set(_MARKERS.findall(ctx.source))
        if found and ARTICLE_URL.search(urlsplit(ctx.url).path):
            found.add("url")
        return len(found)

    def detect_kind(self, ctx: PageContext) -> PageKind:
        if is_feed(ctx.source):
            return PageKind.LISTING
        article = NukevietArticlePage(ctx)
        if article._body_el is not None and article._title_el is not None:
            return PageKind.ARTICLE
        if self._not_found_message(ctx):
            return PageKind.NOT_FOUND
        if NukevietListingPage(ctx).items():
            return PageKind.LISTING
        return PageKind.UNKNOWN

    def article(self, ctx: PageContext) -> ArticleRecord:
        return NukevietArticlePage(ctx).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        if is_feed(ctx.source):
            return GenericListingPage(ctx).to_item()
        return NukevietListingPage(ctx).to_item()

    def _not_found_message(self, ctx: PageContext) -> str | None:
        places = [*ctx.css(".nv-infodie h2"), *ctx.css(".nv-infodie .m-bottom, .alert-danger")]
        for el in [*places, ctx.root.find(".//title")]:
            if el is None:
                continue
            text = text_of(el)
            if text and len(text) <= 300 and _NOT_FOUND.search(fold(text)):
                return text
        return None

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        return NotFoundPage(url=ctx.url, message=self._not_found_message(ctx) or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        return ("no article (#news-bodyhtml under an h1), no listing (news_column or list-group entries "
                "linking to <slug>-<id>.html) and no not-found page (nv-infodie)")
