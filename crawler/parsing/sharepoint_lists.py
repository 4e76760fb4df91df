"""News kept in SharePoint lists rather than publishing pages: an item's display form
(`Lists/<list>/DispForm.aspx?ID=N`), and list views that SharePoint 2013+ draws in the browser from
the rows of an inline script (`var WPQ2ListData = {"Row": [...], "NextHref": "?Paged=TRUE&p_ID=.."}`),
whose HTML holds no link to the items.

The form is SharePoint's own whatever the theme: `table.ms-formtable`, one `td.ms-formlabel` (the
field's display name in `h3.ms-standardheader`, 2013+: `span.ms-h3.ms-standardheader`) before each
`td.ms-formbody`, which opens with the comment `<!-- FieldName="Tiêu đề" FieldInternalName="Title"
FieldType="SPFieldText" -->`; attachments under `#idAttachmentsTable`; "Được tạo lúc ... bởi ..." /
"Created at ... by ..." in the toolbar under the form. Display names vary by site language and by
whoever made the list ("Tiêu đề"/"Title", "Ngày đăng"/"Ngày xuất bản"), so a field is known by its
display name or by its internal name (`Ng_x00e0_y_x0020__x0111__x0103_ng` = "Ngày đăng").
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import Attachment, ListingEntry
from crawler.parsing.base import HtmlElement, PageContext, join_url, line_dates, text_of
from crawler.parsing.content import Block
from crawler.parsing.region import RegionArticlePage

# Display and internal names of the fields a news item is read from, folded; the first listed wins
# when an item has several (a "Ngày đăng" before the item's "Created").
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("tieu de", "tieu de tin", "ten bai viet", "title"),
    "body": ("noi dung", "noi dung chi tiet", "noi dung tin", "chi tiet", "body", "page content",
             "publishingpagecontent"),
    "date": ("ngay dang", "ngay dang tin", "ngay xuat ban", "ngay phat hanh", "ngay ban hanh",
             "ngay dang bai", "article date", "articlestartdate", "publish date", "published", "ngay tao",
             "created"),
    "lead": ("tom tat", "tom tat noi dung", "mo ta", "mo ta ngan", "trich yeu", "sapo", "summary",
             "description", "comments"),
    "author": ("tac gia", "nguoi viet", "but danh", "author", "byline", "articlebyline"),
    "source": ("nguon", "nguon tin", "source"),
    "category": ("chuyen muc", "danh muc", "loai tin", "nhom tin", "the loai", "category"),
    "image": ("anh dai dien", "anh minh hoa", "hinh anh", "anh", "image", "picture", "page image",
              "publishingpageimage", "rollup image", "publishingrollupimage"),
}
# Internal names whose usual display name says otherwise: the item's creator and last editor.
_NOT_BY_INTERNAL_NAME = frozenset({"author", "editor"})
_FIELD_COMMENT = re.compile(r'FieldName="([^"]*)"\s+FieldInternalName="([^"]*)"')
_ENCODED_CHAR = re.compile(r"_x([0-9a-fA-F]{4})_")
CREATED_INFO = "[id*='createdModifiedInfo'], #onetidinfoblock1, #onetidinfoblock2"
ATTACHMENTS = "#idAttachmentsTable a[href]"
_DISPLAY_FORM = re.compile(r"/DispForm\.aspx$", re.I)
# What a display form's URL carries besides the item: where to go back to, how it was opened.
_FORM_STATE = frozenset({"source", "contenttypeid", "isdlg", "rootfolder", "initialtabid",
                         "visibilitycontext"})


def internal_name(name: str) -> str:
    """A field's internal name as the words it encodes: Ng_x00e0_y_x0020__x0111__x0103_ng -> Ngày đăng."""
    return _ENCODED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), name)


def form_fields(ctx: PageContext) -> dict[str, HtmlElement]:
    """The display form's value cells by what they hold ("title", "body", "date", ...), each the
    best-named field of the form; empty when the page has no list item form."""
    if "sp:form" in ctx.memo:
        found: dict[str, HtmlElement] = ctx.memo["sp:form"]
        return found
    ranked: dict[str, tuple[int, HtmlElement]] = {}
    for table in ctx.css("table.ms-formtable"):
        label = ""
        for cell in ctx.css("td.ms-formlabel, td.ms-formbody", table):
            if "ms-formlabel" in (cell.get("class") or "").split():
                label = fold(text_of(cell)).strip(" *:")
                continue
            names = [label]
            comments = (_FIELD_COMMENT.search(c.text or "") for c in cell.iter(etree.Comment))
            declared = next((m for m in comments if m), None)
            if declared is not None:
                shown, internal = declared.groups()
                names.append(fold(shown))
                if internal.lower() not in _NOT_BY_INTERNAL_NAME:
                    names.append(fold(internal_name(internal)).replace("_", " "))
            for kind, known in FIELD_NAMES.items():
                rank = min((known.index(n) for n in names if n in known), default=None)
                if rank is None:
                    continue
                holds = cell.find(".//img") is not None if kind == "image" else bool(text_of(cell))
                if holds and (kind not in ranked or rank < ranked[kind][0]):
                    ranked[kind] = (rank, cell)
            label = ""
    fields = {kind: cell for kind, (_, cell) in ranked.items()}
    ctx.memo["sp:form"] = fields
    return fields


def is_list_item(ctx: PageContext) -> bool:
    fields = form_fields(ctx)
    return "title" in fields and ("body" in fields or "lead" in fields)


def item_url(url: str) -> str:
    """A display form's URL without the state it was opened with (Source=<the listing>, IsDlg=1):
    one URL for one item, whichever listing linked to it."""
    parts = urlsplit(url)
    if not _DISPLAY_FORM.search(parts.path):
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _FORM_STATE]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def image_blocks(ctx: PageContext, cell: HtmlElement | None) -> list[Block]:
    """A picture field's image, shown above the text."""
    if cell is None:
        return []
    blocks = []
    for img in cell.iter("img"):
        src = ctx.absolute(img.get("src"))
        if src:
            blocks.append(Block(images=[src], framed=True, caption=clean_text(img.get("alt")) or None))
    return blocks


class ListItemArticlePage(RegionArticlePage):
    """A news item of a list: the region is its display form, the record's fields its fields."""

    def _field_text(self, kind: str) -> str | None:
        cell = form_fields(self.ctx).get(kind)
        text = text_of(cell) if cell is not None else ""
        return text if text and len(text) <= 200 else None

    def source(self) -> str | None:
        if self.ctx.override("source"):
            return super().source()
        return self._field_text("source") or super().source()

    def category(self) -> str | None:
        if self.ctx.override("category"):
            return super().category()
        return self._field_text("category") or super().category()

    def attachments(self) -> list[Attachment]:
        found = super().attachments()
        seen = {a.url for a in found}
        for link in self.ctx.css(ATTACHMENTS):
            url = self.ctx.absolute(link.get("href"))
            if url and url not in seen:
                seen.add(url)
                found.append(Attachment(url=url, title=text_of(link) or url.rsplit("/", 1)[-1]))
        return found

    def canonical_url(self) -> str:
        return canonicalize_url(item_url(super().canonical_url()))


# --- client-rendered list views (SharePoint 2013+) ---------------------------------------------

_LIST_DATA = re.compile(r"\bWPQ\d+ListData\s*=\s*")
_LIST_URL_DIR = re.compile(r"\bctx\.listUrlDir\s*=\s*(\"(?:[^\"\\]|\\.)*\")")
_LIST_ITEM_FILE = re.compile(r"/\d+_\.000$")


@dataclass(frozen=True)
class ClientListData:
    """A list view that draws itself in the browser: its rows, the page after (NextHref, a query
    relative to the page) and the list's folder (ctx.listUrlDir), from the view's inline script."""

    rows: list[dict[str, Any]]
    next_href: str | None
    list_dir: str | None


def client_list_data(ctx: PageContext) -> ClientListData | None:
    """The largest `WPQnListData = {"Row": [...], ..., "NextHref": "?Paged=TRUE&p_ID=.."}` of the page."""
    if "sp:csr" in ctx.memo:
        memo: ClientListData | None = ctx.memo["sp:csr"]
        return memo
    found: list[ClientListData] = []
    decoder = json.JSONDecoder()
    for script in ctx.root.iter("script"):
        text = script.text or ""
        for start in _LIST_DATA.finditer(text):
            try:
                data, _ = decoder.raw_decode(text, start.end())
            except ValueError:
                continue
            if not isinstance(data, dict) or not isinstance(data.get("Row"), list):
                continue
            rows = [row for row in data["Row"] if isinstance(row, dict)]
            folder = _LIST_URL_DIR.search(text)
            list_dir = json.loads(folder.group(1)) if folder else None
            next_href = data.get("NextHref")
            found.append(ClientListData(rows, next_href if isinstance(next_href, str) and next_href else None,
                                        list_dir if isinstance(list_dir, str) and list_dir else None))
    best = max(found, key=lambda d: len(d.rows), default=None)
    ctx.memo["sp:csr"] = best
    return best


def client_entries(ctx: PageContext, data: ClientListData) -> list[ListingEntry]:
    """The view's rows as listing entries: a page of a pages library at its FileRef, a list item at
    its display form; folders left out; dated by the row's publication field (ArticleStartDate,
    "Ngày đăng", ... as for a display form), else its Created."""
    entries: list[ListingEntry] = []
    seen: set[str] = set()
    for row in data.rows:
        if str(row.get("FSObjType", "0")) == "1":
            continue
        url = _row_url(ctx, row, data.list_dir)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = clean_text(html.unescape(str(row.get("Title") or ""))) or None
        hits = (h for value in _row_dates(row) for h in line_dates(value, ctx.zone) if not h.updated)
        hit = next(hits, None)
        entries.append(ListingEntry(url=url, title=title, published_text=hit.printed if hit else None,
                                    published_at=hit.value if hit else None))
    return entries


def client_next_page(ctx: PageContext, data: ClientListData) -> str | None:
    return join_url(ctx.url, data.next_href) if data.next_href else None


def _row_url(ctx: PageContext, row: dict[str, Any], list_dir: str | None) -> str | None:
    ref = str(row.get("FileRef") or row.get("ServerRelativeUrl") or "")
    if ref.lower().endswith(".aspx"):
        target: str | None = ref
    elif _LIST_ITEM_FILE.search(ref) and str(row.get("ID", "")).isdigit():
        folder = list_dir or str(row.get("FileDirRef") or "") or ref.rsplit("/", 1)[0]
        target = f"{folder.rstrip('/')}/DispForm.aspx?ID={row['ID']}"
    else:
        target = None  # a document, a link: no news page
    url = ctx.absolute(target) if target else None
    return canonicalize_url(url) if url else None


def _row_dates(row: dict[str, Any]) -> list[str]:
    """The row's date values, the best-named field first."""
    known = FIELD_NAMES["date"]
    named = []
    for key, value in row.items():
        name = fold(internal_name(key)).replace("_", " ")
        if "." not in key and name in known and isinstance(value, str) and value:
            named.append((known.index(name), value))
    return [value for _, value in sorted(named)]
