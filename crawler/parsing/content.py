"""An article body as a flat list of blocks, and what each block is: body text, image, caption,
attachment, byline or noise. Decided from the editor's markup (alignment, italics, font size, links, the
CKEditor image table), which is the same under every portal theme.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlsplit

from crawler.core.normalize import DateParseError, clean_text, find_datetime, fold
from crawler.core.records import Attachment, Image
from crawler.parsing.base import HtmlElement, is_element, only_date_words

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4",
    "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "caption", "figure", "figcaption", "center", "address", "hr", "form",
    "fieldset",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "video",
                       "audio", "button", "input", "select", "textarea", "svg", "map"})
_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|zip|rar|pptx?|mp4|webm|mp3|m4a|wmv|flv|avi|mov)$", re.I)
# Embedded media (video, audio, maps, a YouTube player) is what some articles hold: it is an
# attachment of the record. Social buttons and counters loaded in frames are not.
MEDIA_TAGS = frozenset({"iframe", "video", "audio", "embed", "object", "source"})
_WIDGET_FRAME = re.compile(r"facebook\.com/plugins/(?:like|share|follow|comments)|platform\.twitter\.com|"
                           r"addthis|sharethis|zalo\.me/plugins|googletagmanager|doubleclick|recaptcha", re.I)
_ATTACHMENT_LABEL = re.compile(r"^(tai ve|tai file|tai xuong|file dinh kem|tep dinh kem|tai lieu dinh kem|"
                               r"van ban dinh kem|dinh kem|xem file|xem chi tiet|xem tai day|download)?$")
_SOURCE = re.compile(r"^(?P<pre>.*?)[\s\-–|,]*\(?\s*Nguồn(?: tin)?\s*:\s*(?P<src>[^()]+?)\s*\)?\s*\.?$", re.I)
_THEO = re.compile(r"^\(\s*Theo\s+(?P<src>[^()]+?)\s*\)\.?$|^Theo\s+(?P<src2>[^()]{2,60}?)\.?$", re.I)
_AUTHOR_PREFIX = re.compile(r"^(tác giả|tin,? ảnh|tin và ảnh|bài,? ảnh|bài và ảnh|bài|tin|người viết)\s*:\s*",
                            re.I)
_VIEW_COUNTER = re.compile(r"^(lượt xem|số lượt xem|lượt truy cập|số lượt truy cập|lượt đọc|views?)\s*:?\s*"
                           r"[\d.,\s]+$", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)")
_FONT_SIZE = re.compile(r"font-size\s*:\s*(?:(?P<value>[\d.]+)\s*(?P<unit>px|pt|em|rem|%)|(?P<word>[a-z-]+))")
_FONT_WORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
               "x-large": 24.0}
_FONT_TAG_SIZES = {"1": 10.0, "2": 13.0, "3": 16.0, "4": 18.0, "5": 24.0, "6": 32.0, "7": 48.0}
_TEXT_SIZE = 16.0  # px, the browsers' size of unstyled text, that editors' sizes are set against


def font_size(el: HtmlElement, style: str, inherited: float | None) -> float | None:
    """The font size (px) an element sets for its text, else the one it inherits (None: unset)."""
    if el.tag == "small":
        return (inherited or _TEXT_SIZE) * 0.83
    if el.tag == "font" and el.get("size", "").strip() in _FONT_TAG_SIZES:
        return _FONT_TAG_SIZES[el.get("size", "").strip()]
    found = _FONT_SIZE.search(style) if "font-size" in style else None
    if found is None:
        return inherited
    if found.group("word"):
        if found.group("word") == "smaller":
            return (inherited or _TEXT_SIZE) * 0.83
        return _FONT_WORDS.get(found.group("word"), inherited)
    try:
        value = float(found.group("value"))
    except ValueError:
        return inherited
    unit = found.group("unit")
    if unit == "px":
        return value
    if unit == "pt":
        return value * 4 / 3
    if unit == "rem":
        return value * _TEXT_SIZE
    return (inherited or _TEXT_SIZE) * (value / 100 if unit == "%" else value)


def is_attachment_url(url: str) -> bool:
    path = urlsplit(url).path
    if _ATTACHMENT_EXT.search(path) or "/document_library/get_file" in path:
        return True
    # Liferay document URLs put the file name before the uuid: /documents/10181/0/QD+12.pdf/3f2a-...
    return "/documents/" in path and any(_ATTACHMENT_EXT.search(seg) for seg in path.split("/"))


def _media_name(url: str, tag: str) -> str:
    """A name for an embed with no title: the file's name, else the host's ("www.youtube.com")."""
    if _ATTACHMENT_EXT.search(urlsplit(url).path):
        return file_name(url)
    host = urlsplit(url).hostname or ""
    kind = "Audio" if tag == "audio" else "Video" if tag in ("video", "source") or "video" in url or \
        "youtu" in host else "Media"
    return f"{kind} ({host})" if host else kind


def file_name(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    named = [s for s in segments if _ATTACHMENT_EXT.search(s)]
    return clean_text(unquote_plus((named or segments or [url])[-1]))


@dataclass
class Block:
    """One paragraph-like unit of the body, with the markup facts the classification needs."""

    lines: list[str] = field(default_factory=list)  # text split at <br>
    align: str | None = None
    italic: bool = False  # every visible character is emphasised
    bold: bool = False
    size: float | None = None  # the font size (px) of its largest character, when the markup sets them all
    images: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (url, text, title attribute)
    caption: str | None = None  # image tables and figures carry their caption themselves
    framed: bool = False  # an image table or figure: its text is never body
    media: list[tuple[str, str]] = field(default_factory=list)  # (url, title) of embedded media
    text: str = ""  # the lines joined: what a reader sees of the block


def element_align(el: HtmlElement) -> str | None:
    style = (el.get("style") or "").lower()
    found = re.search(r"text-align\s*:\s*(left|right|center|justify)", style)
    if found:
        return found.group(1)
    if el.get("align"):
        return el.get("align", "").lower()
    classes = (el.get("class") or "").lower()
    for name in ("right", "center"):
        if f"text-{name}" in classes or f"rte{name}" in classes:  # Bootstrap, CKEditor
            return name
    return None


class _Run:
    """Inline content accumulated until the next block element. A blank line (two <br> with nothing
    but spaces between) ends a paragraph, as a reader sees it; a single <br> is a line break inside it."""

    def __init__(self, absolute: Callable[[str | None], str | None], align: str | None) -> None:
        self.absolute = absolute
        self.done: list[Block] = []
        self.link: list[str] | None = None
        self.in_file_link = False
        self._start(align)

    def _start(self, align: str | None) -> None:
        self.block = Block(align=align)
        self.parts: list[str] = []
        self.chars = self.italic_chars = self.bold_chars = self.unsized_chars = 0
        self.size = 0.0
        self.after_br = False  # nothing but spaces since the last <br>
        self.closed = False  # an inline element just ended, no text after it yet
        self.between = False  # and another began: its first text meets the previous one's last

    def text(self, value: str | None, italic: bool, bold: bool, size: float | None = None) -> None:
        if not value:
            return
        if self.between and self.parts and _glued(self.parts[-1], value):
            self.parts.append(" ")
        self.closed = self.between = False
        self.parts.append(value)
        if self.after_br and not value.isspace():
            self.after_br = False
        if self.link is not None:
            self.link.append(value)
        visible = len("".join(value.split()))
        self.chars += visible
        self.italic_chars += visible if italic else 0
        self.bold_chars += visible if bold else 0
        if size is None:
            self.unsized_chars += visible
        elif visible:
            self.size = max(self.size, size)

    def walk(self, el: HtmlElement, italic: bool = False, bold: bool = False,
             size: float | None = None) -> None:
        if is_element(el):
            tag = el.tag
            self.between = self.between or (self.closed and tag not in ("sup", "sub"))
            if tag == "br":
                self.closed = self.between = False
                if self.after_br and self.link is None:
                    self._end_paragraph()
                else:
                    self.parts.append("\n")
                    self.after_br = True
            elif tag in MEDIA_TAGS:
                self.media(el)
                self.after_br = False
            elif tag == "img":
                src = self.absolute(el.get("data-src") or el.get("data-original") or el.get("src"))
                if src and not self.in_file_link:  # a file-type icon, not a picture of the article
                    self.block.images.append(src)
                    self.after_br = False
            elif tag not in SKIP_TAGS:
                style = (el.get("style") or "").lower()
                inner_italic = italic or tag in ("em", "i") or "italic" in style
                inner_bold = bold or tag in ("strong", "b") or bool(_BOLD_STYLE.search(style))
                inner_size = font_size(el, style, size)
                href = self.absolute(el.get("href")) if tag == "a" else None
                outer_link, outer_file = self.link, self.in_file_link
                if href:
                    self.link = []
                    self.in_file_link = is_attachment_url(href)
                self.text(el.text, inner_italic, inner_bold, inner_size)
                for child in el:
                    self.walk(child, inner_italic, inner_bold, inner_size)
                if href and self.link is not None:
                    self.block.links.append((href, clean_text("".join(self.link)), el.get("title") or ""))
                    self.link, self.in_file_link = outer_link, outer_file
                self.closed = True
        self.text(el.tail, italic, bold, size)

    def media(self, el: HtmlElement) -> None:
        src = el.get("src") or el.get("data-src") or el.get("data") or ""
        url = self.absolute(src.strip()) if src.strip() else None
        if url and not _WIDGET_FRAME.search(url):
            title = clean_text(el.get("title") or el.get("aria-label") or "") or _media_name(url, str(el.tag))
            if url not in (known for known, _ in self.block.media):
                self.block.media.append((url, title))
        for child in el:  # <video><source src=...></video>
            if is_element(child) and child.tag in MEDIA_TAGS:
                self.media(child)

    def _end_paragraph(self) -> None:
        block = self.block
        block.lines = [line for line in (clean_text(x) for x in "".join(self.parts).split("\n")) if line]
        block.text = " ".join(block.lines)
        block.italic = self.chars > 0 and self.italic_chars == self.chars
        block.bold = self.chars > 0 and self.bold_chars == self.chars
        block.size = self.size if self.chars > 0 and not self.unsized_chars else None
        if block.lines or block.images or block.links or block.media:
            self.done.append(block)
        self._start(block.align)

    def finish(self) -> list[Block]:
        """The run's paragraphs, in order."""
        self._end_paragraph()
        return self.done


def _glued(before: str, after: str) -> bool:
    """Two sibling inline elements' texts that run a figure into a word ("15/02/2024</span><span>Lượt
    xem"): their own boxes on the screen, styled apart, never one word."""
    last, first = before[-1], after[0]
    return (last.isdigit() and first.isalpha()) or (last.isalpha() and first.isdigit())


def _has_block(el: HtmlElement) -> bool:
    return next(el.iterdescendants(*BLOCK_TAGS), None) is not None


def flatten(container: HtmlElement, absolute: Callable[[str | None], str | None],
            is_noise: Callable[[HtmlElement], bool], align: str | None = None) -> list[Block]:
    """The blocks of a container in reading order; inline runs between block children become blocks too."""
    blocks: list[Block] = []
    run = _Run(absolute, align)
    run.text(container.text, False, False)
    for child in container:
        if is_element(child) and child.tag in MEDIA_TAGS:
            run.media(child)
            run.text(child.tail, False, False)
            continue
        if not is_element(child) or child.tag in SKIP_TAGS or is_noise(child):
            run.text(child.tail, False, False)
            continue
        if child.tag in BLOCK_TAGS or _has_block(child):
            blocks.extend(run.finish())
            blocks.extend(_block(child, absolute, is_noise, element_align(child) or align))
            run = _Run(absolute, align)
            run.text(child.tail, False, False)
        else:
            run.walk(child)
    blocks.extend(run.finish())
    return blocks


def blocks_of(el: HtmlElement, absolute: Callable[[str | None], str | None],
              is_noise: Callable[[HtmlElement], bool]) -> list[Block]:
    """The blocks of one element taken alone (its tail belongs to its parent)."""
    if is_element(el) and el.tag in MEDIA_TAGS:
        return _inline_media(el, absolute)
    if not is_element(el) or el.tag in SKIP_TAGS or is_noise(el):
        return []
    if el.tag in BLOCK_TAGS or _has_block(el):
        return _block(el, absolute, is_noise, element_align(el))
    return _inline(el, absolute, None)


def _block(el: HtmlElement, absolute: Callable[[str | None], str | None],
           is_noise: Callable[[HtmlElement], bool], align: str | None) -> list[Block]:
    if el.tag == "hr":
        return []
    if el.tag in ("table", "figure") and _is_image_frame(el):
        return _image_frame(el, absolute)
    if _has_block(el):
        return flatten(el, absolute, is_noise, align)
    return _inline(el, absolute, align)


def _inline(el: HtmlElement, absolute: Callable[[str | None], str | None], align: str | None) -> list[Block]:
    """An element holding no blocks, as the one block its text and inline children make."""
    run = _Run(absolute, align)
    run.text(el.text, False, False)
    for child in el:
        run.walk(child)
    return run.finish()


def _inline_media(el: HtmlElement, absolute: Callable[[str | None], str | None]) -> list[Block]:
    run = _Run(absolute, None)
    run.media(el)
    return run.finish()


def _is_image_frame(el: HtmlElement) -> bool:
    """CKEditor's image table / figure, as opposed to a data or layout table that holds an image."""
    if next(el.iter("img"), None) is None:
        return False
    if el.tag == "figure" or "image" in (el.get("class") or "").split():
        return True
    return len(el.xpath("string()").strip()) <= 300 and len(el.findall(".//tr")) <= 4


def _image_frame(el: HtmlElement, absolute: Callable[[str | None], str | None]) -> list[Block]:
    """One block an image, each with the text of the rows (or figcaption) under it as its caption; a
    table's own <caption> is its last picture's when the rows give that one none."""
    out: list[Block] = []
    rows = el.findall(".//tr") or [el]
    for row in rows:
        run = _Run(absolute, None)
        run.text(row.text, False, False)
        for child in row:
            run.walk(child)
        for cell in run.finish():
            if cell.images:
                out.extend(Block(images=[src], framed=True) for src in cell.images)
                if cell.text:
                    out[-1].caption = cell.text
            elif out:
                out[-1].caption = clean_text(f"{out[-1].caption or ''} {cell.text}") or None
    titled = el.find("caption") if el.tag == "table" else None
    if titled is not None and out and not out[-1].caption:
        out[-1].caption = " ".join(block.text for block in _inline(titled, absolute, None)) or None
    return out


# --- classification --------------------------------------------------------------------------

@dataclass
class Content:
    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    date_lines: list[str] = field(default_factory=list)  # date-only lines inside the body


def is_date_line(text: str) -> bool:
    if len(text) > 60:
        return False
    try:
        found = find_datetime(text)
    except DateParseError:
        return True  # shaped like a date: the date finder will report it, the body must not hold it
    return found is not None and only_date_words(text.replace(found[1], " "))


def _attachment_only(block: Block) -> bool:
    files = [(url, text) for url, text, _ in block.links if is_attachment_url(url)]
    if not files:
        return False
    rest = block.text
    for _, text in files:
        rest = rest.replace(text, " ", 1)
    return bool(_ATTACHMENT_LABEL.match(re.sub(r"[\W_]+", " ", fold(rest)).strip()))


def _caption_like(block: Block, *, own: bool = False) -> bool:
    """Styled as a caption; `own` when the text shares the paragraph of its image."""
    if not block.text or (block.images and not own) or _attachment_only(block) or len(block.text) > 400:
        return False
    return block.italic or (block.align == "center" and not block.bold)


# A caption typed as a plain paragraph under its picture: "Ảnh: ...", "Hình ảnh ...", "... (Ảnh: X)".
# Folded; "Ảnh hưởng ..." (anh huong) is prose, hence the colon after a bare "ảnh".
_CAPTION_CUE = re.compile(r"^(?:anh|hinh|photo)\s*:|^(?:hinh anh|anh minh hoa)\b|"
                          r"\((?:anh|nguon anh|photo)\s*:[^)]*\)\.?$")


def mark_plain_captions(blocks: list[Block]) -> None:
    """Mark as captions (for `classify`) the short paragraphs right under a picture that say they are
    one ("Ảnh: …") or are set smaller than the article's text, as editors of rich-text fields without
    a caption style type them. A paragraph of the text's own size and style stays text."""
    text_size: float | None = None
    for above, block in zip(blocks, blocks[1:], strict=False):
        if not above.images or above.text or not block.text or block.images or len(block.text) > 250:
            continue
        if block.size is not None and text_size is None:
            text_size = _text_size(blocks)
        smaller = block.size is not None and block.size < (text_size or 0)
        if smaller or _CAPTION_CUE.search(fold(block.text)):
            block.italic = True


def _text_size(blocks: list[Block]) -> float:
    """The font size most of the article's text is set in (px); the browsers' own where unset."""
    chars: dict[float, int] = {}
    for block in blocks:
        if block.text and not block.images:
            size = block.size or _TEXT_SIZE
            chars[size] = chars.get(size, 0) + len(block.text)
    return max(chars, key=lambda size: chars[size]) if chars else _TEXT_SIZE


def byline(block: Block, *, trailing: bool) -> tuple[list[str], list[str]] | None:
    """(authors, sources) when every line of the block is a source or author line, else None."""
    if block.images or not block.lines:
        return None
    if block.links and sum(len(t) for _, t, _ in block.links) >= len(block.text):
        return None  # share/print links, "Tin khác" entries
    authors: list[str] = []
    sources: list[str] = []
    for line in block.lines:
        source = _SOURCE.match(line)
        theo = _THEO.match(line) if (trailing and block.align == "right") or line.startswith("(") else None
        if source:
            sources.append(clean_text(source.group("src")))
            pre = clean_text(source.group("pre").strip(" -–|,("))
            if pre:
                if not _author_like(pre, block):
                    return None
                authors.append(_AUTHOR_PREFIX.sub("", pre))
        elif theo:
            sources.append(clean_text(theo.group("src") or theo.group("src2")))
        elif trailing and (_author_like(line, block) or _AUTHOR_PREFIX.match(line)):
            authors.append(clean_text(_AUTHOR_PREFIX.sub("", line)))
        else:
            return None
    return authors, sources


def _author_like(line: str, block: Block) -> bool:
    """A signature: short, right-aligned or all bold, and not a sentence."""
    if len(line) > 80 or len(line.split()) > 12 or line.endswith((":", ";")):
        return False
    return block.align == "right" or (block.bold and len(line.split()) <= 6 and not line.endswith("."))


# The page's tools under an article, never its text (folded): its tag line ("Từ khóa: …", "Tags:…",
# a row of links to tag pages) and its share / print / e-mail / back links.
_TAG_LABEL = re.compile(r"^(?:tu khoa|tags?|keywords?|the|nhan)\s*:")
_TAG_URL = re.compile(r"/(?:tags?|tu-?khoa|keywords?)(?:[/.?]|$)|[?&](?:tags?|keywords?|tukhoa)=", re.I)
_TOOL_WORDS = re.compile(r"\b(?:chia se|share|in bai(?: viet)?|in trang|ban in|print|"
                         r"gui (?:e-?mail|bai(?: viet)?)|e-?mail|facebook|twitter|zalo|tweet|quay lai|tro ve|"
                         r"tro lai|(?:ve |len )?dau trang|back|top)\b")


def is_page_tool(block: Block) -> bool:
    """A line of the page's tools, whatever block of the page holds it (no class names needed)."""
    if not block.text or block.images or len(block.text) > 300:
        return False
    folded = fold(block.text)
    if _TAG_LABEL.match(folded):
        return True
    tag_links = [text for url, text, _ in block.links if _TAG_URL.search(url.split("//", 1)[-1])]
    if tag_links and len(tag_links) == len(block.links) and sum(map(len, tag_links)) * 2 >= len(block.text):
        return True
    return len(folded) <= 100 and _TOOL_WORDS.search(folded) is not None \
        and not re.sub(r"[\W\d_]+", "", _TOOL_WORDS.sub(" ", folded))


def is_noise(block: Block) -> bool:
    """A view counter or one of the page's tools: not the article's text, and no end of its byline."""
    return bool(_VIEW_COUNTER.match(block.text)) or is_page_tool(block)


def classify(inside: list[Block], after: list[Block]) -> Content:
    """Sort the body's blocks (and those right after the body) into the record's fields."""
    content = Content()
    mark_plain_captions(inside)
    roles: list[str] = []
    for block in inside:
        if block.framed or block.images:
            roles.append("image")
        elif block.media and not block.text:
            roles.append("media")
        elif _attachment_only(block):
            roles.append("attachment")
        elif not block.text or is_noise(block):
            roles.append("noise")
        elif is_date_line(block.text):
            roles.append("date")
            content.date_lines.append(block.text)
        else:
            roles.append("text")

    # The byline is what trails the body: walk back over it, past attachment paragraphs.
    byline_at: dict[int, tuple[list[str], list[str]]] = {}
    for i in range(len(inside) - 1, -1, -1):
        if roles[i] in ("attachment", "noise", "date", "media"):
            continue
        found = byline(inside[i], trailing=True) if roles[i] == "text" else None
        if not found:
            break
        byline_at[i] = found
        roles[i] = "byline"
    for i in sorted(byline_at):
        content.authors += byline_at[i][0]
        content.sources += byline_at[i][1]

    for i, block in enumerate(inside):
        role = roles[i]
        if role == "image":
            content.images.extend(_images_of(block, inside, roles, i, content))
        elif role == "text":
            content.body.append(block.text)

    for block in after:
        if not block.text or is_noise(block):
            continue
        found = byline(block, trailing=True)
        if found:
            content.authors += found[0]
            content.sources += found[1]

    seen: set[str] = set()
    for block in inside:
        for url, title in block.media:
            if url not in seen:
                seen.add(url)
                content.attachments.append(Attachment(url=url, title=title))
    for block in inside + after:
        for url, text, hint in block.links:
            if is_attachment_url(url) and url not in seen:
                seen.add(url)
                name = text or clean_text(hint) or file_name(url)
                content.attachments.append(Attachment(url=url, title=name))
    return content


def _images_of(block: Block, blocks: list[Block], roles: list[str], i: int, content: Content) -> list[Image]:
    captions: list[str | None] = [None] * len(block.images)
    if block.caption:
        captions[-1] = block.caption
    elif block.text and not block.framed:
        if _caption_like(block, own=True):
            captions[-1] = block.text
        else:
            content.body.append(block.text)  # prose with an inline picture
    elif not block.framed or not block.caption:
        nxt = i + 1
        if nxt < len(blocks) and roles[nxt] == "text" and _caption_like(blocks[nxt]):
            captions[-1] = blocks[nxt].text
            roles[nxt] = "caption"
    return [Image(url=src, caption=cap) for src, cap in zip(block.images, captions, strict=True)]
