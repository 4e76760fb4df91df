"""The generic family: article pages of portals no CMS family knows, read by their content alone.

trafilatura (the best-measured open extractor) decides which text of the page is the article; the
page's own markup, flattened into blocks by crawler.parsing.content, decides what each block is
(caption, byline, source line, date line, attachment), since trafilatura keeps captions, "Nguồn: …"
lines and "Tin khác" boxes in its text and drops the formatting that tells them apart. Where the text
has no <p> (lines split by <br>) and trafilatura takes the whole page, the densest such text is the
article instead. Related-news
boxes are found by their labels and their links and never count as body. Title, date and author come
from the visible page first (the headline, the date printed beside it), then from JSON-LD / OpenGraph.

Listings (`listing()`) are read by crawler.parsing.generic_listing: feeds, pagers, link groups.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit

from crawler.core.errors import ExtractionError
from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import ArticleRecord, Attachment, Image, ListingPage, NotFoundPage
from crawler.parsing.base import (
    ArticlePage,
    CmsParser,
    DateHit,
    HtmlElement,
    PageContext,
    PageKind,
    canonical_link,
    date_hits,
    impossible_date,
    is_element,
    line_dates,
    only_date_words,
    text_of,
)
from crawler.parsing.content import (
    BLOCK_TAGS,
    SKIP_TAGS,
    Block,
    Content,
    _caption_like,
    blocks_of,
    classify,
    flatten,
    is_attachment_url,
)
from crawler.parsing.content import (
    is_noise as is_tool_or_counter,
)
from crawler.parsing.generic_listing import (
    GenericListingPage,
    LinkGroup,
    is_feed,
    lone_entry,
    main_link_group,
)
from crawler.parsing.generic_meta import PageMeta, is_person_name

# trafilatura logs every page it gives up on at WARNING; a crawl's log is not the place for that.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_WORD = re.compile(r"\w+")
HEADINGS = ("h1", "h2", "h3")
# Class / id words of page furniture: menus, sharing, comments, related boxes, sidebars, footers.
_NOISE_WORDS = frozenset({
    "related", "relate", "relates", "lienquan", "tinlienquan", "tinkhac", "othernews", "other", "others",
    "samecategory", "cungchuyenmuc", "share", "sharing", "social", "socials", "comment", "comments",
    "binhluan", "breadcrumb", "breadcrumbs", "tags", "tag", "keywords", "print", "rating", "ratings",
    "banner", "advert", "advertisement", "ads", "quangcao", "sidebar", "widget", "menu", "navbar", "nav",
    "navigation", "footer", "copyright", "pagination", "pager", "toolbar", "subscribe", "newsletter",
    "popup", "modal", "cookie", "login", "search", "hotnews", "mostview", "xemnhieu", "docnhieu",
})
_NOISE_NAME = re.compile(r"(?:^|[\s_\-])(" + "|".join(sorted(_NOISE_WORDS)) + r")(?=$|[\s_\-])")
# Labels of related-news boxes, folded ("Tin khác", "Các tin đã đưa", "Bài viết liên quan", ...).
RELATED_LABEL = re.compile(
    r"^(cac |nhung )?(tin|bai|bai viet|tin bai|tin tuc|van ban|su kien)\s?"
    r"(khac|lien quan|da dua|da dang|cung chuyen muc|cung danh muc|cung linh vuc|cung loai|moi hon|cu hon|"
    r"moi nhat|moi|xem nhieu|doc nhieu|noi bat|tieu diem|truoc|sau)( khac)?$|"
    r"^xem them$|^(related|more|other|recommended|popular|latest|trending|top)( \w+){0,3}$|"
    r"^read (more|next|also)$|^you (may|might) (also )?like$|^see also$")
_LABEL_HINT = re.compile(r"\b(tin|bài|bai|xem|related|more|other|recommended|popular|latest|trending|top|"
                         r"read|like|see)\b", re.I)
_NOT_FOUND = re.compile(r"\b404\b|khong tim thay|khong ton tai|da bi xoa|not found|"
                        r"no longer (exists|available)|trang ban yeu cau|doesn.t exist|does not exist")


def says_not_found(text: str) -> bool:
    """A short text that says the page does not exist ("Không tìm thấy", "404", "đã bị xóa", ...)."""
    return len(text) <= 200 and _NOT_FOUND.search(fold(text)) is not None


_ERROR_CSS = ('.alert, .error, .portlet-msg-error, .message-error, .not-found, .notfound, .page-404, '
              '.error-404, #error, .msg-error')
_CAPTION_XPATH = "//figcaption | //*[contains(@class, 'aption')][not(.//img)]"  # caption, Caption, ...
_LEAD_CLASSES = ("sapo", "lead", "hometext", "summary", "tomtat", "trich-dan", "excerpt", "intro",
                 "description")
_LEAD_XPATH = "//body//*[" + " or ".join(f"contains(@class, '{name}')" for name in _LEAD_CLASSES) + "]"
# "title", "tieu-de" / "tieude" (Vietnamese for it) in a class, or an ASP.NET Label's id ("…_lblTieuDe")
_TITLE_CLASS_XPATH = ("//body//*[contains(@class, 'title') or contains(@class, 'tieu-de') or "
                      "contains(@class, 'tieude') or contains(@id, 'TieuDe')][not(self::a)]")
_HOME = {"trang chu", "home", "trang chinh", "homepage"}
_AUTHOR_CSS = ('[rel="author"], [itemprop="author"], .author, .byline, .tacgia, .tac-gia, .news-author, '
               '.post-author, .article-author, .author-name')
_BREADCRUMB_CSS = ('.breadcrumb li, .breadcrumbs li, .breadcrumb-item, .breadcrumb a, .breadcrumbs a, '
                   'nav[aria-label] li, [itemtype*="BreadcrumbList"] [itemprop="name"]')
_AUTHOR_LABEL = re.compile(r"^(tác giả|người viết|by|posted by|written by|bài|tin)\s*[:\-]?\s*", re.I)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Approval:
    """The text trafilatura judged to be the article, to test the page's blocks against.

    A block is the article's when most of its word trigrams are in trafilatura's text: tolerant of the
    spaces and line breaks the two readings put differently, strict about boxes trafilatura left out.
    """

    def __init__(self, text: str) -> None:
        found = words(text)
        self.size = len(text)
        self.trigrams = {tuple(found[i:i + 3]) for i in range(len(found) - 2)}
        self.lines = {" ".join(words(line)) for line in text.splitlines()}

    def approves(self, text: str) -> bool:
        found = words(text)
        if not found:
            return False
        if len(found) < 3:  # too short to test by trigrams: one of trafilatura's lines, whole
            return " ".join(found) in self.lines
        grams = [tuple(found[i:i + 3]) for i in range(len(found) - 2)]
        hits = sum(g in self.trigrams for g in grams)
        # trafilatura sometimes keeps only the start of a paragraph whose markup it found odd
        return hits * 2 >= len(grams) or (hits >= 5 and hits * 4 >= len(grams))


@lru_cache(maxsize=1)
def _trafilatura_options() -> Any:
    """One set of trafilatura options for every page: building them reads its config file's values
    each time, a tenth of its cost on a small page. Fast mode (no readability/justext comparison)
    scored higher on the shared benchmark here (0.955 vs 0.953) at 1.7x the speed."""
    from trafilatura.settings import Extractor  # imported on first use: 0.3 s that Liferay-only runs skip

    return Extractor(output_format="python", fast=True, comments=False, tables=True, with_metadata=False)


_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp|bmp)$", re.I)


def _full_size_links(root: HtmlElement) -> list[HtmlElement]:
    """Text-less links from a picture to its own full-size file (a lightbox), not to a page."""
    return [a for a in root.xpath("//a[@href][.//img][not(normalize-space())]")
            if _IMAGE_FILE.search(urlsplit(a.get("href", "").strip()).path)]


def _for_trafilatura(root: HtmlElement) -> HtmlElement:
    """The page as trafilatura should read it: pictures without their links to their full size.
    trafilatura takes a short block whose links hold no text for a row of icons and drops it whole:
    a short article's image table with the paragraphs under it."""
    if not _full_size_links(root):
        return root
    copy = deepcopy(root)
    for link in _full_size_links(copy):
        link.drop_tag()
    return copy


def trafilatura_text(root: HtmlElement) -> str | None:
    """trafilatura's main text of the page (it works on a copy of the tree), or None when it finds none."""
    from trafilatura import bare_extraction

    try:
        document = bare_extraction(_for_trafilatura(root), options=_trafilatura_options())
    except Exception:  # noqa: BLE001  (a third-party heuristic failing is "no opinion", not a crash)
        return None
    if document is None or isinstance(document, dict) or document.body is None:
        return None
    text: str = document.text or ""  # paragraphs one a line, inline markup joined as it reads
    return text if text.strip() else None


def _visible_chars(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _inline_text(el: HtmlElement) -> tuple[int, int]:
    """(characters, of which in links) of the text an element holds outside its block children:
    what reads as its own paragraphs when <br> is all that separates them."""
    total, linked = _visible_chars(el.text), 0
    for child in el:
        if is_element(child) and child.tag not in SKIP_TAGS and child.tag not in BLOCK_TAGS:
            size = _visible_chars(child.text_content()) if child.tag == "a" else 0
            if size:
                total, linked = total + size, linked + size
            else:
                inner, inner_linked = _inline_text(child)
                total, linked = total + inner, linked + inner_linked
        total += _visible_chars(child.tail)
    return total, linked


_LINE_TEXT_MIN = 250  # visible characters: a paragraph or two of prose, more than any box's blurb


def line_text_container(root: HtmlElement, is_noise: Callable[[HtmlElement], bool]) -> HtmlElement | None:
    """The element holding the most prose as lines split by <br> (an ASP.NET Label's or an old
    editor's text with no <p>): the densest parent of <br>s, its text mostly not links."""
    best, best_size = None, _LINE_TEXT_MIN - 1
    for parent in {br.getparent() for br in root.iter("br")}:
        if parent is None or parent.tag in ("body", "html") or len(parent.findall("br")) < 2:
            continue
        total, linked = _inline_text(parent)
        if total - linked > best_size and linked * 4 < total:
            best, best_size = parent, total - linked
    if best is None:
        return None
    if any(is_noise(a) for a in (best, *best.iterancestors()) if a.tag not in ("body", "html")):
        return None
    return best


# Markup no reader sees: Bootstrap's / the themes' hiding classes and inline "display: none". NukeViet
# prints the author's and dates' microdata in such elements right under the headline.
_HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "screen-reader-text"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def is_hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None:
        return True
    names = el.get("class")
    if names and not _HIDDEN_CLASSES.isdisjoint(names.split()):
        return True
    style = el.get("style")
    return style is not None and _HIDDEN_STYLE.search(style.lower()) is not None


def _noise_words(el: HtmlElement) -> bool:
    names = el.get("class") or ""
    if el.get("id"):
        names = f"{names} {el.get('id')}"
    return bool(names) and _NOISE_NAME.search(names.lower()) is not None


def _link_share(el: HtmlElement) -> tuple[int, int]:
    text = len(clean_text(el.text_content()))
    linked = sum(len(clean_text(a.text_content())) for a in el.iter("a"))
    return text, linked


_BOX_PROSE = 1000  # a box of titles (and short summaries) holds less text outside its links than this


def related_boxes(root: HtmlElement) -> set[HtmlElement]:
    """Related-news boxes: the link-dense element under a "Tin khác"-like label, or the label and the
    link lists that follow it when the label sits beside them."""
    boxes: set[HtmlElement] = set()
    for text in root.xpath("//body//text()[string-length(normalize-space()) > 3]"
                           "[string-length(normalize-space()) < 45]"):
        if not _LABEL_HINT.search(text) or not RELATED_LABEL.match(fold(text).strip(" :.»>-–|")):
            continue
        label = text.getparent()
        if text.is_tail or label is None:
            continue
        while (parent := label.getparent()) is not None and parent.tag not in ("body", "html") \
                and len(clean_text(parent.text_content())) <= len(clean_text(text)) + 12:
            label = parent
        box, box_size = None, 0
        for ancestor in label.iterancestors():
            if ancestor.tag in ("body", "html"):
                break
            size, linked = _link_share(ancestor)
            if size - linked > _BOX_PROSE or linked * 10 < (size - len(text)) * 6:
                break
            if box is not None and size * 10 > box_size * 13:
                break  # more than wrappers of the box: the column or page that also holds other lists
            if linked:
                box, box_size = ancestor, box_size or size
        if box is not None:
            boxes.add(box)
            continue
        boxes.add(label)
        for sibling in label.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            size, linked = _link_share(sibling)
            if not size or size - linked > _BOX_PROSE or linked * 10 < size * 6:
                break
            boxes.add(sibling)
    return boxes


_SOURCE_LINE = re.compile(r"^\(?\s*Nguồn(?: tin)?\s*:", re.I)
_META_WORDS = re.compile(r"\b(thoi gian|luot xem|so lan xem|luot doc|luot truy cap|views?|print|in bai|"
                         r"ngay dang|ngay cap nhat|dang luc|cap nhat luc|chia se|share)\b")


def _meta_line(text: str) -> bool:
    """A line of article metadata: its date with labels and a view counter ("Thời gian: 11/05/2022
    12:15 Lượt xem: 1.254"), never prose."""
    if len(text) > 120 or not re.search(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}", text):
        return False
    rest = _META_WORDS.sub(" ", fold(text))
    rest = re.sub(r"\d{1,2}[:h]\d{2}(?::\d{2})?|\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}|[\d.,]+", " ", rest)
    return only_date_words(rest)


def _end_at_source_line(blocks: list[Block], approved: list[bool], start: int, end: int) -> int:
    """Where the article ends when a "Nguồn: ..." line is followed by page furniture (two blocks
    trafilatura left out) and then more text: that text is another box of the page (a side column's
    introduction), not the article; a source line inside the text (under a table) is followed by
    more of the article at once."""
    for i in range(start, end):
        if approved[i] and _SOURCE_LINE.match(blocks[i].text):
            gap = 0
            for j in range(i + 1, end + 1):
                if approved[j]:
                    break
                gap += 1 if blocks[j].text else 0
            if gap >= 2:
                return i
    return end


# Labels of a comment form under an article, folded ("Ý kiến bạn đọc", "Gửi bình luận", ...).
_COMMENT_LABEL = re.compile(r"^(y kien ban doc|y kien cua ban|gui y kien|(gui |viet )?binh luan|"
                            r"comments?|leave a (reply|comment))\b")


def _ends_article(block: Block) -> bool:
    """Page furniture that follows an article and never stands inside its text: the tag line, the
    share / print bar, a comment form's label, a related-news box's label."""
    if is_tool_or_counter(block):
        return True
    if len(block.text) >= 45:
        return False
    label = fold(block.text).strip(" :.»>-–|")
    return bool(RELATED_LABEL.match(label) or _COMMENT_LABEL.match(label))


def _prose(block: Block) -> bool:
    """A paragraph of running text: long, mostly not links, no date line or page tool."""
    linked = sum(len(t) for _, t, _ in block.links)
    return len(block.text) >= 60 and linked * 3 < len(block.text) and not block.framed \
        and not is_tool_or_counter(block) and not _meta_line(block.text)


def _run_at(blocks: list[Block], run: list[Block]) -> int | None:
    """Where the blocks of one element (flattened alone) stand among the page's blocks."""
    texts = [b.text for b in run]
    if not texts:
        return None
    for i, block in enumerate(blocks):
        if block.text == texts[0] and [b.text for b in blocks[i:i + len(texts)]] == texts:
            return i
    return None


def _without_second_copy(body: list[str]) -> list[str]:
    """The text once when the page holds it twice (a print view, a hidden mobile copy): runs of three or
    more paragraphs repeating earlier ones go; a paragraph repeated on its own (a recipe's "Eat every
    2-3 hours") stays."""
    seen: set[str] = set()
    repeated = []
    for p in body:
        repeated.append(len(p) >= 30 and p in seen)
        seen.add(p)
    keep = [True] * len(body)
    i = 0
    while i < len(body):
        j = i
        while j < len(body) and repeated[j]:
            j += 1
        if j - i >= 3:
            keep[i:j] = [False] * (j - i)
        i = j + 1
    return [p for p, k in zip(body, keep, strict=True) if k]


_AGENCY_TAG = re.compile(r"^\(\s*[^()]{1,30}\)\s*[-–—:]?\s*")  # "(TTĐT) - ", "(Chinhphu.vn) - "


def _lead_once(body: list[str]) -> list[str]:
    """The sapo once when the text repeats it as its first paragraph (NukeViet's hometext above a
    body pasted whole, maybe after an agency tag) or starts with it (a hometext cut from the first
    paragraph): the fuller copy."""
    if len(body) < 2:
        return body
    lead, first = fold(body[0]).rstrip(" .…"), _AGENCY_TAG.sub("", fold(body[1]))
    if len(lead) >= 20 and first.startswith(lead):
        return body[1:]
    return body


class GenericArticlePage(ArticlePage):
    """An article of a portal of no known family: page in, one record out, one method per field."""

    # -- structure ---------------------------------------------------------------------------
    @cached_property
    def meta(self) -> PageMeta:
        return PageMeta(self.ctx.root, self.ctx.zone)

    @cached_property
    def _trafilatura(self) -> Approval | None:
        text = trafilatura_text(self.ctx.root)
        return Approval(text) if text else None

    @cached_property
    def _approval(self) -> Approval | None:
        return Approval(self._line_text[1]) if self._line_text is not None else self._trafilatura

    @cached_property
    def _line_text(self) -> tuple[HtmlElement, str] | None:
        """The element of the article's text, and that text, when it is lines split by <br>, the page
        has no paragraphs of its own elsewhere and trafilatura took much more than it: with no <p> to
        go by, trafilatura reads a table layout's side columns, menus and footer as the article."""
        container = line_text_container(self.ctx.root, self._is_furniture)
        if container is None:
            return None
        text = "\n".join(b.text for b in flatten(container, self.ctx.absolute, self._is_furniture) if b.text)
        found = self._trafilatura
        if found is not None and (found.size * 10 <= len(text) * 13 or not found.approves(text)):
            return None  # trafilatura's choice is that text (and little more), or another text
        paragraphs = sum(len(p.text_content()) for p in self.ctx.root.iter("p")
                         if container not in p.iterancestors()
                         and (found is None or found.approves(p.text_content())))
        return (container, text) if paragraphs * 2 < len(text) else None

    def _is_furniture(self, el: HtmlElement) -> bool:
        """Noise by its tag, class or hiding alone: `_is_noise` before the article's size is known."""
        return el in self._boxes or el.tag in ("nav", "aside", "footer") or is_hidden(el) or _noise_words(el)

    @cached_property
    def _boxes(self) -> set[HtmlElement]:
        return related_boxes(self.ctx.root)

    def _is_noise(self, el: HtmlElement) -> bool:
        if el in self._boxes or el.tag in ("nav", "aside") or is_hidden(el):
            return True
        if el.tag == "footer" and next(el.iterancestors("article"), None) is None:
            return True
        if not _noise_words(el):
            return False
        # a wrapper named "...-social-..." that holds most of the article is still the article
        article_size = self._approval.size if self._approval else 0
        return len(el.text_content()) * 2 < article_size or not article_size

    def _in_box(self, el: HtmlElement) -> bool:
        boxes = self._boxes
        return bool(boxes) and any(a in boxes for a in el.iterancestors())

    def _in_noise(self, el: HtmlElement) -> bool:
        return any(self._is_noise(a) for a in (el, *el.iterancestors()) if a.tag not in ("body", "html"))

    def _approves(self, block: Block) -> bool:
        if not block.text:
            return False
        linked = sum(len(t) for _, t, _ in block.links)
        if block.links and len(block.text) < 60 and linked >= len(block.text) * 0.9:
            return False  # a link on its own line: "Trở lại", a category, a skip link
        if self._approval is not None:
            return self._approval.approves(block.text)
        # trafilatura found nothing: prose is what is long and mostly not links
        linked = sum(len(t) for _, t, _ in block.links)
        return len(block.text) >= 60 and linked * 3 < len(block.text)

    @cached_property
    def _blocks(self) -> list[Block]:
        body = self.ctx.root.find("body")
        return flatten(body if body is not None else self.ctx.root, self.ctx.absolute, self._is_noise)

    @cached_property
    def _caption_texts(self) -> set[str]:
        """Texts the markup itself calls captions (figcaption, class "...caption..."): themes that
        neither italicise nor centre them still say so in their class names."""
        return {text for el in self.ctx.root.xpath(_CAPTION_XPATH)
                if (text := text_of(el)) and len(text) <= 400}

    @cached_property
    def _content(self) -> Content:
        blocks = self._blocks
        captions = self._caption_texts
        for block in blocks:
            if block.text in captions and not block.images:
                block.italic = True  # styled as a caption for classify, which pairs it with its image
        approved = [self._approves(b) for b in blocks]
        added = self._by_text_element(blocks, approved)
        found = [i for i, ok in enumerate(approved) if ok]
        title = fold(self.title_text) if self.title_text else None
        if not found:
            return self._media_only(blocks, title)
        start, end = found[0], found[-1]
        lead: str | None = None
        for i in found[:8]:
            if fold(blocks[i].text) == title:  # what stands above the headline is not the article
                start = next((j for j in found if j > i), end + 1)
                break
        for i in range(start - 1, max(start - 5, -1), -1):
            if blocks[i].text and fold(blocks[i].text) == title:
                break  # nothing above the headline
            if self._is_lead(blocks[i]):  # a sapo trafilatura left out, between headline and text
                approved[i], start, lead = True, i, blocks[i].text
                break
        end = _end_at_source_line(blocks, approved, start, end)
        for _ in range(5):  # pictures and embeds right under the last paragraph (a video article's player)
            below = blocks[end + 1] if end + 1 < len(blocks) else None
            if below is not None and not below.text and (below.media or below.images):
                end += 1
        while start > 0 and (blocks[start - 1].images or blocks[start - 1].framed) and start > found[0] - 2:
            start -= 1  # the lead picture right above the first paragraph
        inside: list[Block] = []
        for i in range(start, end + 1):
            block = blocks[i]
            files = any(is_attachment_url(url) for url, _, _ in block.links)
            follows_image = bool(inside) and bool(inside[-1].images) and _caption_like(block)
            if approved[i] or block.images or block.framed or block.media or files or follows_image:
                inside.append(block)
        after: list[Block] = []
        for block in blocks[end + 1:end + 6]:
            if len(block.text) > 200:
                break
            after.append(block)
        content = classify(inside, after)
        body: list[str] = []
        for p in content.body:
            short = len(p) <= 300  # folding costs: only what could be the headline or a box label
            if (short and (fold(p) == title or _meta_line(p) or p in captions)) \
                    or (p != lead and p not in added and not self._approves(Block(text=p))) \
                    or (len(p) < 45 and RELATED_LABEL.match(fold(p).strip(" :.»>-–|"))):
                continue
            body.append(p)
        content.body = _lead_once(_without_second_copy(body))
        return content

    @cached_property
    def _text_element(self) -> tuple[HtmlElement, list[HtmlElement]] | None:
        """The element holding the article's paragraphs, the parent of the most text in the <p>s
        trafilatura chose; and its children after the first of them that are prose trafilatura left
        out: an unpaired <div> or <p> of plain text among or after the paragraphs (no blocks, pictures
        or links in it), up to the first child that is anything else."""
        scores: dict[HtmlElement, int] = {}
        for p in self.ctx.root.iter("p"):
            parent = p.getparent()
            text = text_of(p)
            if parent is not None and len(text) >= 40 and self._approves(Block(text=text)):
                scores[parent] = scores.get(parent, 0) + len(text)
        if not scores:
            return None
        element = max(scores, key=lambda el: scores[el])
        left_out: list[HtmlElement] = []
        started = False
        for child in element:
            text = text_of(child) if is_element(child) and child.tag not in SKIP_TAGS else ""
            if not text:
                continue
            if self._approves(Block(text=text)):
                started = True
                continue
            if not started:
                continue
            if child.tag not in ("p", "div", "span", "font") or self._is_noise(child) \
                    or next(child.iterdescendants(*BLOCK_TAGS, "a", "img"), None) is not None \
                    or len(text) < 60 or _meta_line(text):
                break
            left_out.append(child)
        return element, left_out

    def _by_text_element(self, blocks: list[Block], approved: list[bool]) -> set[str]:
        """trafilatura's choice corrected by the element of the article's paragraphs: prose it left out
        there is the article's; what it took after that element, past the page's tools, comment form
        or a related-news label, is not. The texts approved here."""
        found = self._text_element
        if found is None:
            return set()
        element, left_out = found
        run = flatten(element, self.ctx.absolute, self._is_noise)
        first = _run_at(blocks, run)
        if first is None:
            return set()
        last = first + len(run) - 1
        added = {b.text for child in left_out for b in blocks_of(child, self.ctx.absolute, self._is_noise)
                 if not is_tool_or_counter(b)}
        for i in range(first, last + 1):
            if blocks[i].text in added:
                approved[i] = True
        cut = next((j for j in range(last + 1, len(blocks)) if _ends_article(blocks[j])), len(blocks))
        approved[cut:] = [False] * (len(blocks) - cut)
        return added

    @cached_property
    def _lead_texts(self) -> set[str]:
        return {text for el in self.ctx.root.xpath(_LEAD_XPATH)
                if (text := text_of(el)) and len(text) <= 1500}

    def _is_lead(self, block: Block) -> bool:
        """The sapo: a paragraph the theme names so (sapo, lead, hometext, summary, ...) or that the
        page's description summarises; never a line of links or metadata."""
        linked = sum(len(t) for _, t, _ in block.links)
        if block.images or _meta_line(block.text) or linked * 3 > len(block.text):
            return False
        if block.text in self._lead_texts:
            return len(words(block.text)) >= 6  # the theme says so: a short sapo is still the sapo
        if len(block.text) < 60:
            return False
        description = self.meta.description()
        if not description or len(words(description)) < 6:
            return False
        return Approval(block.text).approves(description)

    def _media_only(self, blocks: list[Block], title: str | None) -> Content:
        """An article with no text (a video, a gallery): the media and pictures under its headline."""
        at = next((i for i, b in enumerate(blocks) if title and b.text and fold(b.text) == title), None)
        if at is None:
            return Content()
        inside: list[Block] = []
        for block in blocks[at + 1:at + 8]:
            if len(block.text) > 200:
                break
            if block.media or block.images or block.framed:
                inside.append(block)
        return classify(inside, []) if inside else Content()

    # -- headline ----------------------------------------------------------------------------
    @cached_property
    def _anchor(self) -> HtmlElement | None:
        """The article's longest paragraph: the headline is the nearest heading above it."""
        best, best_size = None, 0
        for p in self.ctx.root.iter("p"):
            size = len(p.text_content())
            if size > best_size and (self._approval is None or self._approval.approves(p.text_content())):
                best, best_size = p, size
        if best is None and self._line_text is not None:
            return self._line_text[0]  # an article of <br>-split lines has no paragraph elements
        return best

    @cached_property
    def _title_el(self) -> HtmlElement | None:
        declared = [fold(t) for t in (self.meta.title(), self.meta.headline(), self._html_title()) if t]
        headings = [el for el in self.ctx.root.iter(*HEADINGS) if 3 <= len(text_of(el).split()) <= 60]
        if declared:  # themes that print the headline in a <p> or <span> still name it a title
            headings += [el for el in self.ctx.root.xpath(_TITLE_CLASS_XPATH)
                         if el.tag not in HEADINGS and 3 <= len(text_of(el).split()) <= 60]
        for el in headings:
            text = fold(text_of(el))
            if any(text == d or (text in d and len(text) * 2 >= len(d)) for d in declared) \
                    and not self._in_noise(el):
                return el
        anchor = self._anchor
        if anchor is None:
            return None
        nearest = None
        titled: set[HtmlElement] = set()
        if self._line_text is not None and anchor is self._line_text[0]:
            # the old themes that print text with no <p> print headlines with no <h*>, named a title
            titled = {el for el in self.ctx.root.xpath(_TITLE_CLASS_XPATH) if el.find(".//a") is None}
        for el in self.ctx.root.iter():
            if el is anchor:
                break
            if (el.tag in HEADINGS or el in titled) and 3 <= len(text_of(el).split()) <= 40:
                nearest = el
        if nearest is not None and not self._in_noise(nearest) \
                and not RELATED_LABEL.match(fold(text_of(nearest))):
            return nearest
        return None

    def _html_title(self) -> str | None:
        el = self.ctx.root.find(".//title")
        return text_of(el) or None if el is not None else None

    @cached_property
    def title_text(self) -> str | None:
        if self._title_el is not None:
            return text_of(self._title_el)
        declared = self.meta.title() or self._html_title()
        if declared:
            # "<title>Headline - Site name</title>": the headline alone
            if " - " in declared or " | " in declared:
                return re.split(r"\s+[|–—-]\s+(?=[^|–—-]*$)", declared)[0]
            return declared
        return None

    # -- dates -------------------------------------------------------------------------------
    @cached_property
    def _printed_dates(self) -> list[DateHit]:
        """Date lines beside the headline: after it first, then before it, nearest first, up to three
        levels out; else a date line the body starts with."""
        ctx, title = self.ctx, self._title_el
        if title is not None:
            node: HtmlElement | None = title
            for _ in range(3):
                if node is None:
                    break
                for sibling in (*node.itersiblings(), *node.itersiblings(preceding=True)):
                    if isinstance(sibling.tag, str) and not self._is_noise(sibling):
                        near = list(date_hits(sibling, ctx.zone, exclude=self._is_noise))
                        if near:
                            return near
                node = node.getparent()
                if node is None or node.tag in ("body", "html"):
                    break
        hits: list[DateHit] = []
        for line in self._content.date_lines:
            hits.extend(line_dates(line, ctx.zone))
        return hits

    def _printed(self, updated: bool) -> DateHit | None:
        hit = next((h for h in self._printed_dates if h.updated == updated), None)
        if hit is None and not updated and not self.meta.published():
            # "Cập nhật lúc 21:28 22/09/2025" as the page's only date is when it was put online
            hit = next(iter(self._printed_dates), None)
        if hit is not None and hit.error:
            if (self.meta.modified() if updated else self.meta.published()) is not None:
                return None  # the declared date stands in for an impossible printed one
            raise impossible_date(self.ctx.url, hit)
        return hit

    def _date(self, updated: bool) -> tuple[datetime | None, str | None]:
        """The printed date beside the headline, given the declared one's seconds and zone when both
        say the same day; else the declared date (JSON-LD, article:* meta, a <time datetime>)."""
        printed = self._printed(updated)
        timed = self.meta.time_element(updated)
        declared = self.meta.modified() if updated else self.meta.published()
        declared = declared or (timed[0] if timed else None)
        if printed is None and timed is not None and declared is not None:
            same_day = timed[0].value.astimezone(self.ctx.zone).date() == \
                declared.value.astimezone(self.ctx.zone).date()
            words = timed[1] if same_day else declared.raw
            return declared.value.astimezone(self.ctx.zone), words
        if declared is None:
            return (printed.value, printed.printed) if printed else (None, None)
        value = declared.value.astimezone(self.ctx.zone)
        if printed is None or printed.value is None:
            return value, declared.raw
        if declared.has_time and printed.value.date() == value.date():
            return value, printed.printed  # its seconds and zone, with the page's own words
        return printed.value, printed.printed

    # -- fields ------------------------------------------------------------------------------
    def title(self) -> str:
        if not self.title_text:
            raise ExtractionError(f"{self.ctx.url}: no article title found (no headline above the text, "
                                  "no og:title, JSON-LD headline or <title>)")
        return self.title_text

    def published_at(self) -> datetime | None:
        return self._date(updated=False)[0]

    def published_text(self) -> str | None:
        return self._date(updated=False)[1]

    def updated_at(self) -> datetime | None:
        return self._date(updated=True)[0]

    def body(self) -> list[str]:
        content = self._content
        if not (content.body or content.images or content.attachments):
            raise ExtractionError(f"{self.ctx.url}: no article text found (no paragraphs, images or "
                                  "attachments in the page's main content)")
        return list(content.body)

    def lead(self) -> str | None:
        body = self.body()
        return body[0] if body else None

    def images(self) -> list[Image]:
        return list(self._content.images)

    def attachments(self) -> list[Attachment]:
        return list(self._content.attachments)

    def author(self) -> str | None:
        """The signature under the text, else the author the page declares (JSON-LD, meta), else an
        element the theme names "author" / "byline" (a container of those may hold other words)."""
        authors = list(dict.fromkeys(self._content.authors))
        if authors:
            return ", ".join(authors)
        declared = self.meta.author()
        if declared:
            return declared
        for el in self.ctx.css(_AUTHOR_CSS):
            text = _AUTHOR_LABEL.sub("", text_of(el)).strip(" :-–|")
            if text and len(text) <= 60 and not self._in_noise(el) \
                    and is_person_name(text, self.meta.site_names()):
                return text
        return None

    def source(self) -> str | None:
        return ", ".join(dict.fromkeys(self._content.sources)) or None

    def category(self) -> str | None:
        crumbs = [t for t in (text_of(el) for el in self.ctx.css(_BREADCRUMB_CSS)) if t and len(t) <= 80]
        crumbs = [c for c in dict.fromkeys(crumbs) if fold(c) not in _HOME]
        if crumbs and self.title_text and fold(crumbs[-1]) == fold(self.title_text):
            crumbs.pop()
        if crumbs:
            return crumbs[-1]
        tagged = self.ctx.first('a[rel~="category"]')  # WordPress: the post's category link
        return (text_of(tagged) or None if tagged is not None else None) or self.meta.section()

    def canonical_url(self) -> str:
        link = canonical_link(self.ctx.root, self.ctx.base_url) or self.meta.canonical()
        return canonicalize_url(link or self.ctx.url)

    def language(self) -> str:
        lang = (self.ctx.root.get("lang") or self.ctx.root.get("xml:lang") or self.meta.locale() or "vi")
        return re.split(r"[-_]", lang.strip().lower())[0] or "vi"

    # -- what the page is ----------------------------------------------------------------------
    @cached_property
    def listed_group(self) -> LinkGroup | None:
        """The entries of the listing this page is, when what reads as its main text is mostly
        their titles and abstracts. "Tin khác" boxes beside an article are no listing; a listing's
        own list under a label like "Tin mới nhất" still is one when the page holds nothing else."""
        group = main_link_group(self.ctx, skip=self._in_box)
        if group is None or group.size < 2:
            return None
        body = self._content.body
        entries = [clean_text(item.text_content()) for item in dict.fromkeys(group.items)]
        entries = [text for text in entries if len(text) <= 1500]
        inside = [p for p in body if any(p in text for text in entries)]
        total, listed = sum(len(p) for p in body), sum(len(p) for p in inside)
        if listed * 2 >= total and (group.size >= 4 or listed):
            return group
        # most paragraphs are the entries' summaries: a listing beside a long box of prose
        if len(inside) >= 3 and len(inside) * 2 >= len(body):
            return group
        return None

    @cached_property
    def lone_entry(self) -> LinkGroup | None:
        """The one entry of a listing's last page, which would otherwise read as a short article."""
        if self.listed_group is not None:
            return None
        return lone_entry(self.ctx, self._content.body, skip=self._in_box, headline=self._title_el)

    def not_found_message(self) -> str | None:
        """The page's own "not found" words when it holds no article: in its title or a heading, or in
        an error box of a page with no headline (whatever text its side columns hold)."""
        short = sum(len(p) for p in self._content.body) < 400
        root = self.ctx.root
        places = [root.find(".//title"), *root.iter("h1", "h2", "h3")] if short else []
        if short or self._title_el is None:
            places += self.ctx.css(_ERROR_CSS)
        for el in places:
            if el is None:
                continue
            text = text_of(el)
            if text and says_not_found(text):
                return text
        return None


class GenericParser(CmsParser):
    """The fallback of `cms="auto"`: claims no page itself (markers 0), reads any page."""

    name = "generic"

    # detect_kind and article / listing run on the same PageContext one after the other; the page
    # objects (and their trafilatura run, the bulk of the cost) are kept for that one context.
    _last: tuple[PageContext, GenericArticlePage] | None = None

    def _page(self, ctx: PageContext) -> GenericArticlePage:
        last = self._last
        if last is not None and last[0] is ctx:
            return last[1]
        page = GenericArticlePage(ctx)
        self._last = (ctx, page)
        return page

    def detect_kind(self, ctx: PageContext) -> PageKind:
        if is_feed(ctx.source):
            return PageKind.LISTING
        page = self._page(ctx)
        if page.not_found_message():
            return PageKind.NOT_FOUND
        content = page._content
        if page.listed_group is not None or page.lone_entry is not None:
            return PageKind.LISTING
        if (content.body or content.images or content.attachments) and page.title_text:
            return PageKind.ARTICLE
        group = main_link_group(ctx)
        if group is not None and group.size >= 3:
            return PageKind.LISTING
        return PageKind.UNKNOWN

    def article(self, ctx: PageContext) -> ArticleRecord:
        return self._page(ctx).to_item()

    def listing(self, ctx: PageContext) -> ListingPage:
        page = self._page(ctx)
        return GenericListingPage(ctx, skip=page._in_box, lone=page.lone_entry).to_item()

    def not_found(self, ctx: PageContext) -> NotFoundPage:
        return NotFoundPage(url=ctx.url, message=self._page(ctx).not_found_message() or "not found")

    def unknown_reason(self, ctx: PageContext) -> str:
        return ("no article (no main text with a headline) and no listing (no feed, no group of "
                "article links) found on the page")
