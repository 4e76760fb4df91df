"""News kept in SharePoint lists rather than publishing pages: an item's display form
(`Lists/<list>/DispForm.aspx?ID=N`).

The form is SharePoint's own whatever the theme: `table.ms-formtable`, one `td.ms-formlabel` (the
field's display name in `h3.ms-standardheader`, 2013+: `span.ms-h3.ms-standardheader`) before each
`td.ms-formbody`, which opens with the comment `<!-- FieldName="Tiêu đề" FieldInternalName="Title"
FieldType="SPFieldText" -->`; attachments under `#idAttachmentsTable`; "Được tạo lúc ... bởi ..." /
"Created at ... by ..." in the toolbar under the form. Display names vary by site language and by
whoever made the list ("Tiêu đề"/"Title", "Ngày đăng"/"Ngày xuất bản"), so a field is known by its
display name or by its internal name (`Ng_x00e0_y_x0020__x0111__x0103_ng` = "Ngày đăng").
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from crawler.core.normalize import canonicalize_url, clean_text, fold
from crawler.core.records import Attachment
from crawler.parsing.base import HtmlElement, PageContext, text_of
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
