"""ASP.NET WebForms pagers that only post back: links whose href (or onclick) runs
`__doPostBack('ctl00$m$g_..$gvNews', 'Page$2')` or `WebForm_DoPostBackWithOptions(new
WebForm_PostBackOptions("ctl00$..$lnkNext", "", ...))`. A browser then sets the form's
__EVENTTARGET / __EVENTARGUMENT fields and submits the whole form, hidden state included
(__VIEWSTATE, __VIEWSTATEGENERATOR, __EVENTVALIDATION, SharePoint's __REQUESTDIGEST): the server
rebuilds the page from that state and answers with the page asked for. SharePoint (GridView web
parts, the Data View Web Part's `dvt_firstrow={11}` arrows), DotNetNuke and custom WebForms sites
page this way.

Pure: which link is the next page is read from the pager, and the form a browser would send is read
from the page with lxml's own form serialisation (FormElement.form_values: successful controls in
document order, unchecked boxes, buttons and disabled fields left out); the spider sends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urldefrag

from lxml.html import FormElement

from crawler.core.normalize import clean_text, fold
from crawler.core.records import NextRequest
from crawler.parsing.base import HtmlElement, PageContext, text_of
from crawler.parsing.generic_listing import NEXT_LABELS, WEAK_NEXT_LABELS

_DO_POSTBACK = re.compile(r"__doPostBack\(\s*(['\"])(.*?)\1\s*,\s*(['\"])(.*?)\3\s*\)", re.S)
_WITH_OPTIONS = re.compile(r"WebForm_PostBackOptions\(\s*(['\"])(.*?)\1\s*,\s*(['\"])(.*?)\3", re.S)
# Arguments of the data controls' own pagers: GridView/DetailsView "Page$2", "Page$Next",
# "Page$Last"; the Data View Web Part's "dvt_firstrow={11}".
_PAGE_ARGUMENT = re.compile(r"^Page\$(\w+)$|dvt_firstrow=\{\d+\}", re.I)
# Control ids of pagers and of their buttons (DataPager1, rptPager, lnkNext, btnTrangSau, ...).
_PAGER_CONTROL = re.compile(r"pag(?:er|ing|e)|next|tiep|sau", re.I)
EVENT_TARGET, EVENT_ARGUMENT = "__EVENTTARGET", "__EVENTARGUMENT"


@dataclass(frozen=True)
class PostBack:
    link: HtmlElement
    target: str  # the control that raises the event, "ctl00$m$g_..$gvNews"
    argument: str  # what it is told, "Page$2"

    @property
    def page_word(self) -> str | None:
        """What a GridView pager argument asks for: "2", "next", "last", ...; None for others."""
        found = _PAGE_ARGUMENT.match(self.argument)
        return found.group(1).lower() if found and found.group(1) else None


def postback_of(link: HtmlElement) -> PostBack | None:
    """The post-back a link runs, from its href or onclick; None for any other link."""
    for script in (link.get("href") or "", link.get("onclick") or ""):
        found = _DO_POSTBACK.search(script) or _WITH_OPTIONS.search(script)
        if found:
            return PostBack(link, _js_string(found.group(2)), _js_string(found.group(4)))
    return None


def _js_string(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _is_pager(back: PostBack, pagers: set[HtmlElement]) -> bool:
    control = "$".join(back.target.split("$")[-2:])
    return bool(_PAGE_ARGUMENT.match(back.argument)) or bool(_PAGER_CONTROL.search(control)) or \
        any(a in pagers for a in back.link.iterancestors())


def _label(link: HtmlElement) -> str:
    text = text_of(link) or clean_text(link.get("title")) or clean_text(link.get("aria-label")) or \
        next((clean_text(img.get("alt")) for img in link.iter("img") if img.get("alt")), "")
    return fold(text).strip(" .:")


def _current_page(backs: list[PostBack]) -> int:
    """The page the pager shows as current: the number printed without a link (GridView's
    `<span>3</span>`), looked for around the pager's links; 1 when none is printed."""
    links = [b.link for b in backs]
    scope: HtmlElement | None = links[0]
    while scope is not None and not all(any(a is scope for a in link.iterancestors()) for link in links):
        scope = scope.getparent()
    for _ in range(3):
        if scope is None:
            break
        for el in scope.iter():
            if not isinstance(el.tag, str) or el.tag == "a" or next(el.iter("a"), None) is not None \
                    or any(a.tag == "a" for a in el.iterancestors()):
                continue
            text = text_of(el)
            if text.isdigit() and len(text) <= 4:
                return int(text)
        scope = scope.getparent()
    return 1


def next_postback(links: Iterable[HtmlElement], pagers: Iterable[HtmlElement] = ()) -> PostBack | None:
    """The pager link to the page after the current one: the number current+1 (by its GridView
    argument or its text), else a "next" link (Page$Next, "Tiếp", an arrow whose alt says Next),
    else "»" unless its argument says it is the last page. None on the last page."""
    boxes = set(pagers)
    backs = [b for link in links if (b := postback_of(link)) is not None and _is_pager(b, boxes)
             and "aspNetDisabled" not in (link.get("class") or "")]
    if not backs:
        return None
    wanted = str(_current_page(backs) + 1)
    for back in backs:
        if back.page_word == wanted or (back.page_word is None and _label(back.link) == wanted):
            return back
    for back in backs:
        if back.page_word == "next" or (back.page_word is None and _label(back.link) in NEXT_LABELS):
            return back
    for back in backs:
        if back.page_word is None and _label(back.link) in WEAK_NEXT_LABELS:
            return back
    return None


def postback_request(ctx: PageContext, back: PostBack) -> NextRequest | None:
    """The request a browser sends when the link is clicked: its form's fields as the browser would
    submit them, with the event's target and argument set, to the form's action."""
    form = next((a for a in back.link.iterancestors() if isinstance(a, FormElement)), None)
    if form is None:  # a pager outside the form: WebForms has one form a page, the one holding the state
        form = next((f for f in ctx.root.iter("form") if isinstance(f, FormElement)
                     and f.find(".//input[@name='__VIEWSTATE']") is not None), None)
    if form is None:
        return None
    fields = list(form.form_values())
    for name, value in ((EVENT_TARGET, back.target), (EVENT_ARGUMENT, back.argument)):
        at = next((i for i, (key, _) in enumerate(fields) if key == name), None)
        if at is None:
            fields.insert(0 if name == EVENT_TARGET else 1, (name, value))
        else:
            fields[at] = (name, value)
    action = ctx.absolute(form.get("action")) or ctx.url
    method = (form.get("method") or "post").upper()
    return NextRequest(urldefrag(action)[0], method=method, form=tuple(fields))
