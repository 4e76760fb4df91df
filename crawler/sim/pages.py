"""Content and markup of the simulated Liferay 6.2 portal (`crawler.sim.portal`).

The markup copies the structure and class names of the real provincial portals (asset publisher
portlets, `journal-content-article`, `date-news`, `source-news`, `author-news`, the Liferay pager)
because parsers key on exactly those. The text is invented, about an invented province, so the demo
never shows fabricated news about a real one.

Every article's content is a pure function of (seed, uid): the same seed always serves the same
portal. Rendering quirks (NFD text, no-break spaces, line breaks inside paragraphs, inline bold) are
applied only when writing HTML; the stored text is the clean text a correct parser must return.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE_DATE = datetime(2025, 9, 22, 21, 28, tzinfo=VN_TZ)  # publication time of the newest article
SITE_NAME = "Cổng thông tin điện tử tỉnh An Hòa"
CATEGORY = "Tin tức - Sự kiện"
LISTING_PATH = "/tin-tuc-su-kien"
NOT_FOUND_VI = "Không tìm thấy tài nguyên được yêu cầu."  # Liferay's own wording, which parsers detect
NOT_FOUND_EN = "The requested resource could not be found."

_ORGS = [
    "UBND tỉnh", "Sở Nông nghiệp và Môi trường", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tài chính", "Sở Xây dựng",
    "Ban Quản lý các khu công nghiệp tỉnh", "Hội Nông dân tỉnh", "Tỉnh đoàn", "Công an tỉnh",
    "Liên đoàn Lao động tỉnh", "Ủy ban MTTQ tỉnh", "Trung tâm Xúc tiến Đầu tư & Thương mại tỉnh",
]
_ACTIONS = [
    "tổ chức hội nghị triển khai", "kiểm tra tiến độ", "sơ kết công tác", "tổng kết công tác",
    "tập huấn về", "ký kết chương trình phối hợp về", "đẩy mạnh", "hướng dẫn thực hiện",
    "khảo sát thực tế về", "đối thoại với người dân về",
]
_TOPICS = [
    "chuyển đổi số trong cơ quan nhà nước", "phòng, chống thiên tai mùa mưa bão",
    "cải cách thủ tục hành chính", "xây dựng nông thôn mới nâng cao", "phát triển du lịch cộng đồng",
    "quản lý, bảo vệ rừng", "bảo đảm an toàn thực phẩm", "tiêm chủng mở rộng",
    "giải phóng mặt bằng các dự án trọng điểm", "hỗ trợ doanh nghiệp nhỏ và vừa",
    "phát triển vùng chè đặc sản", "đào tạo nghề cho lao động nông thôn",
    "phòng cháy, chữa cháy tại khu dân cư", "thu ngân sách nhà nước", "giải ngân vốn đầu tư công",
    "chăm sóc sức khỏe người cao tuổi", "xóa nhà tạm, nhà dột nát", "phát triển kinh tế tập thể",
]
_MOTTOS = [
    "Thi đua lao động sáng tạo", "Ngày thứ Bảy tình nguyện", "Mỗi xã một sản phẩm",
    "Toàn dân đoàn kết xây dựng đời sống văn hóa", "Dân vận khéo",
]
_PLACES = [
    "xã Tân Lập", "xã Hòa Sơn", "phường Bình Minh", "xã Đồng Tiến", "phường Trung Thành",
    "xã Phú Xuân", "xã Yên Lạc", "phường Quang Trung", "xã Thành Công", "xã Minh Đức",
]
_PEOPLE = [
    ("Nguyễn Văn Khánh", "Phó Chủ tịch UBND tỉnh"), ("Trần Thị Hồng Vân", "Giám đốc Sở Y tế"),
    ("Lê Minh Tuấn", "Chủ tịch Ủy ban MTTQ tỉnh"), ("Phạm Quốc Đạt", "Giám đốc Sở Tài chính"),
    ("Hoàng Thị Mai Anh", "Bí thư Tỉnh đoàn"), ("Đỗ Văn Long", "Phó Giám đốc Sở Xây dựng"),
]
_PERIODS = ["9 tháng đầu năm", "quý III", "6 tháng đầu năm", "năm qua", "giai đoạn 2021 - 2025"]
_RESULTS = [
    ("hỗ trợ", "hộ gia đình"), ("cấp mới", "giấy chứng nhận quyền sử dụng đất"),
    ("trồng mới", "ha rừng"), ("giải quyết việc làm cho", "lao động"),
    ("tiếp nhận và giải quyết", "hồ sơ thủ tục hành chính"), ("kiểm tra", "cơ sở sản xuất, kinh doanh"),
]
_PROBLEMS = [
    "nguồn lực đầu tư còn hạn chế", "một số địa phương triển khai còn chậm",
    "sự phối hợp giữa các ngành có lúc chưa chặt chẽ", "thời tiết diễn biến phức tạp, khó lường",
]
_TASKS = [
    "rà soát, hoàn thiện các quy trình nội bộ", "tăng cường tuyên truyền, vận động nhân dân",
    "đẩy nhanh tiến độ thực hiện các dự án", "nâng cao chất lượng phục vụ người dân, doanh nghiệp",
]
_GOALS = ["hoàn thành các chỉ tiêu đề ra trong năm", "an toàn, hiệu quả, đúng quy định",
          "quyền lợi hợp pháp của người dân"]
_TARGETS = ["hoàn thành 100% chỉ tiêu đề ra", "nâng tỷ lệ hồ sơ trực tuyến toàn trình lên trên 80%",
            "có thêm 12 xã đạt chuẩn nông thôn mới nâng cao"]
_CAPTION_SUBJECTS = ["Các đại biểu", "Đoàn công tác", "Lãnh đạo tỉnh", "Người dân", "Học viên"]
_CAPTION_VERBS = ["tham quan mô hình sản xuất", "kiểm tra thực địa", "trao đổi với cán bộ cơ sở",
                  "tham dự hội nghị", "thực hành kỹ năng"]
_AUTHORS = ["Minh Châu", "Thu Hà", "Quang Huy", "Ngọc Lan", "Đức Thắng", "Hoài Thu", "Phương Thảo"]
_SOURCES = ["Báo An Hòa", "Văn phòng UBND tỉnh", "Đài Phát thanh - Truyền hình tỉnh",
            "Sở Khoa học và Công nghệ", "Trung tâm Thông tin tỉnh"]
_FILES = [
    ("Ke+hoach+{n}-KH-UBND.pdf", "Kế hoạch số {n}/KH-UBND"),
    ("Danh+sach+don+vi+{n}.xlsx", "Danh sách đơn vị tham gia"),
    ("Huong+dan+{n}-HD.pdf", "Hướng dẫn số {n}/HD-UBND"),
]


@dataclass
class Figure:
    src: str  # path as the page prints it
    caption: str | None
    table: bool  # CKEditor `table.image` (caption in the second row) vs. <p><img> + centred <em>
    after: int  # index of the body paragraph the figure follows
    absolute: bool = False  # printed with scheme and host


@dataclass
class SimArticle:
    uid: int
    slug: str
    title: str
    summary: str
    published: datetime
    date_style: int  # 0: 11-03-2019 21:31, 1: 11/03/2019 21:31, 2: 21:31 11/03/2019
    paragraphs: list[str]  # clean text, lead first
    figures: list[Figure]
    attachments: list[tuple[str, str]]  # (href as printed, title)
    author: str | None
    author_inside: bool  # right-aligned <strong> inside the article vs. p.author-news after it
    source: str | None
    source_parens: bool  # "(Nguồn: X)" vs. "Nguồn: X"
    views: int
    edited_at: datetime
    noise: int = 0  # bumped by noise-only changes: view count, token, "Tin khác" window
    removed: str | None = None  # None, "soft404", "404" or "410"
    folder: int = field(default=0)

    def published_text(self) -> str:
        p = self.published
        return [f"{p:%d-%m-%Y %H:%M}", f"{p:%d/%m/%Y %H:%M}", f"{p:%H:%M %d/%m/%Y}"][self.date_style]


def liferay_slug(title: str) -> str:
    """Liferay 6.2's friendly URL: diacritics stripped, 'đ' dropped (not turned into 'd'), a closing
    quote left as a trailing dash: the quirks the real portal's URLs show."""
    text = unicodedata.normalize("NFD", title.lower().replace("đ", ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).lstrip("-")


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # Vietnamese thousands separator


def _rng(seed: int, uid: int) -> random.Random:
    return random.Random(f"simportal:{seed}:{uid}")


def gap_minutes(seed: int, uid: int) -> int:
    """Minutes between an article and the next older one: never 0, so printed dates strictly decrease."""
    return _rng(seed, -1 - uid).randint(17, 400)


def make_article(uid: int, seed: int, published: datetime, used_slugs: set[str]) -> SimArticle:
    r = _rng(seed, uid)
    org, topic, place = r.choice(_ORGS), r.choice(_TOPICS), r.choice(_PLACES)
    action = r.choice(_ACTIONS)
    if uid % 9 == 4:
        title = f"{org} phát động phong trào “{r.choice(_MOTTOS)}”"
    else:
        title = f"{org} {action} {topic}" + r.choice(["", f" năm {published.year}", f" tại {place}"])
    slug = base = liferay_slug(title)
    k = 1
    while slug in used_slugs:
        k += 1
        slug = f"{base}-{k}"
    used_slugs.add(slug)

    part = "Sáng" if published.hour < 12 else "Chiều" if published.hour < 18 else "Tối"
    lead = (f"{part} {published.day}/{published.month}, {org} đã {action} {topic} "
            f"tại {place} và các địa phương trong tỉnh.")
    person, role = r.choice(_PEOPLE)
    did, unit = r.choice(_RESULTS)
    pool = [
        f"Theo báo cáo của {r.choice(_ORGS)}, trong {r.choice(_PERIODS)}, toàn tỉnh đã {did} "
        f"{_num(r.randint(120, 9000))} {unit}, đạt {r.randint(60, 99)},{r.randint(1, 9)}% kế hoạch năm.",
        f"Tham dự có đồng chí {person}, {role}; đại diện lãnh đạo các sở, ban, ngành và {place}.",
        f"Phát biểu chỉ đạo, đồng chí {person}, {role} đề nghị các đơn vị tiếp tục {r.choice(_TASKS)}, "
        f"bảo đảm {r.choice(_GOALS)}.",
        f"Bên cạnh kết quả đạt được, công tác {topic} vẫn còn khó khăn như {r.choice(_PROBLEMS)}.",
        f"Dịp này, {org} đã tặng Giấy khen cho {r.randint(5, 70)} tập thể và {r.randint(10, 150)} cá "
        "nhân có thành tích xuất sắc.",
        f"Năm {published.year + 1}, tỉnh phấn đấu {r.choice(_TARGETS)} với tổng kinh phí dự kiến khoảng "
        f"{r.randint(12, 900)} tỷ đồng.",
        f"Thời gian tới, {org} sẽ phối hợp với {r.choice(_PLACES)} tổ chức {r.randint(2, 12)} lớp tập "
        f"huấn cho {_num(r.randint(100, 2500))} học viên.",
    ]
    r.shuffle(pool)
    paragraphs = [lead] + pool[: r.randint(2, 5)]
    has_files = uid % 4 == 2
    if has_files:
        paragraphs.append("Chi tiết xem tại các tệp đính kèm.")

    folder = 2470000 + uid * 13
    last = len(paragraphs) - 1
    stem = slug[:24].strip("-") or "anh"

    def cap() -> str:
        return f"{r.choice(_CAPTION_SUBJECTS)} {r.choice(_CAPTION_VERBS)} tại {r.choice(_PLACES)}"

    def fig(k: int, caption: str | None, table: bool, after: int) -> Figure:
        return Figure(f"/documents/10181/{folder}/{stem}-{k:02d}.jpg", caption, table, min(after, last),
                      absolute=uid % 9 == 8)

    layout = uid % 6  # every caption style appears in any six consecutive articles
    figures = {
        0: [],
        1: [fig(1, cap(), False, 0)],
        2: [fig(1, cap(), False, 0), fig(2, cap(), False, 3)],
        3: [fig(1, cap(), True, 1), fig(2, None, True, 2)],
        4: [fig(1, None, False, 0)],
        5: [fig(1, cap(), True, 0), fig(2, cap(), False, 2)],
    }[layout]

    attachments = []
    if has_files:
        for fname, ftitle in _FILES[uid % 3: uid % 3 + 1 + uid % 2]:
            n = 100 + uid % 900
            attachments.append((f"/documents/10181/{folder}/{fname.format(n=n)}", ftitle.format(n=n)))

    author = None if uid % 5 == 2 else r.choice(_AUTHORS)
    source = None if uid % 7 == 6 else r.choice(_SOURCES)
    return SimArticle(
        uid=uid, slug=slug, title=title, summary=f"{org} {action} {topic}.", published=published,
        date_style={3: 2, 7: 1}.get(uid % 10, 0), paragraphs=paragraphs, figures=figures,
        attachments=attachments, author=author,
        author_inside=uid % 2 == 0 and not attachments,  # inside + files would make the order ambiguous
        source=source, source_parens=uid % 7 in (4, 5),
        views=150 + r.randint(0, 3000), edited_at=published + timedelta(minutes=7 * (uid % 4)),
        folder=folder,
    )


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Site:
    """What every page of one response shares."""

    base: str
    instance: str
    token: str  # p_auth
    visits: int


def article_path(instance: str, slug: str) -> str:
    return f"{LISTING_PATH}/-/asset_publisher/{instance}/content/{slug}"


def pager_url(site: Site, page: int, delta: int) -> str:
    p = f"_101_INSTANCE_{site.instance}_"
    return (f"{site.base}{LISTING_PATH}?p_p_id=101_INSTANCE_{site.instance}&p_p_lifecycle=0"
            f"&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2&p_p_col_count=1&{p}delta={delta}"
            f"&{p}keywords=&{p}advancedSearch=false&{p}andOperator=true"
            f"&p_r_p_564233524_resetCur=false&{p}cur={page}&p_auth={site.token}")


def text_html(text: str) -> str:
    return escape(text, quote=False)


def attr_html(text: str) -> str:
    return escape(text, quote=True)


def _page(
    site: Site, title: str, description: str, canonical: str | None, content: str, extra: str = ""
) -> str:
    b = site.base
    menu = [("/trang-chu", "Trang chủ"), ("/gioi-thieu", "Giới thiệu"), (LISTING_PATH, CATEGORY),
            ("/van-ban-chi-dao-dieu-hanh", "Văn bản chỉ đạo điều hành"), ("/lien-he", "Liên hệ")]
    selected = ' class="selected"'
    nav = "".join(
        f'  <li{selected if path == LISTING_PATH else ""}><a href="{b}{path}"><span>{name}</span></a></li>\n'
        for path, name in menu
    )
    canon = f'<link href="{attr_html(canonical)}" rel="canonical" />\n' if canonical else ""
    return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<title>{text_html(title)} - {SITE_NAME}</title>
<meta content="initial-scale=1.0, width=device-width" name="viewport" />
<meta content="text/html; charset=UTF-8" http-equiv="content-type" />
<meta content="{attr_html(description)}" lang="vi-VN" name="description" />
<link href="{b}/anhoa-theme/images/favicon.ico" rel="Shortcut Icon" />
{canon}<link class="lfr-css-file" href="{b}/anhoa-theme/css/main.css?browserId=other&amp;themeId=anhoa_WAR_anhoatheme&amp;languageId=vi_VN&amp;b=6205" rel="stylesheet" type="text/css" />
<script type="text/javascript">
// <![CDATA[
var Liferay = {{ ThemeDisplay: {{ getCompanyId: function() {{ return "20155"; }}, getLanguageId: function() {{ return "vi_VN"; }},
  getPortalURL: function() {{ return "{b}"; }} }}, authToken: "{site.token}", currentURL: "{LISTING_PATH}" }};
// ]]>
</script>
</head>
<body class="yui3-skin-sam controls-visible guest-site signed-out public-page site">
<a href="#main-content" id="skip-to-content">Truy cập nội dung luôn</a>
<div class="container-fluid" id="wrapper">
<header class="container-fluid" id="banner" role="banner">
 <div class="row-fluid"><a class="logo" href="{b}" title="{SITE_NAME}"><img alt="{SITE_NAME}" src="{b}/image/company_logo?img_id=20181" /></a>
 <form action="{b}/tim-kiem" class="search-form" method="get"><input name="_3_keywords" placeholder="Tìm kiếm" type="text" /><button type="submit">Tìm kiếm</button></form></div>
 <nav class="sort-pages modify-pages" id="navigation" role="navigation"><ul aria-label="Trang web" role="menubar">
{nav} </ul></nav>
</header>
<div class="breadcrumbs"><ul class="breadcrumb"><li class="first"><a href="{b}/trang-chu">Trang chủ</a></li><li class="last active"><a href="{b}{LISTING_PATH}">{CATEGORY}</a></li></ul></div>
<div id="content"><a id="main-content"></a>
<div class="portlet-boundary portlet-asset-publisher" id="p_p_id_101_INSTANCE_{site.instance}_">
<section class="portlet"><div class="portlet-content"><div class="portlet-body">
{content}</div></div></section></div>
{extra}</div>
<footer class="container-fluid" id="footer" role="contentinfo">
 <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh An Hòa. Địa chỉ: Số 1 đường Hòa Bình, thành phố An Hòa. Điện thoại: 0200.3800.000</p>
 <p class="visit-counter">Số lượt truy cập: <span>{site.visits:,}</span></p>
</footer>
</div>
</body>
</html>
"""  # noqa: E501  (the portal's markup, one element a line as it serves it)


def paragraph_html(art: SimArticle, i: int, text: str) -> str:
    """One body paragraph with the quirks real editors leave; the stored text stays clean."""
    html = text_html(text)
    if i == 1 and art.uid % 11 == 5:
        html = unicodedata.normalize("NFD", html)  # typed with a decomposing input method
    if i == 2 and art.uid % 4 == 2:
        html = html.replace(" ", "\n", 1)  # the editor wrapped the source line
    if i == 2 and art.uid % 6 == 0 and ", " in html:
        head, tail = html.split(", ", 1)
        html = f"<strong>{head}</strong>, {tail}"
    if i == 0:
        if art.uid % 5 == 4:
            html = html.replace(" ", "&nbsp;", 1)
        if art.uid % 4 != 3:
            return f'<p style="text-align: justify;"><strong>{html}</strong></p>'
    if i == len(art.paragraphs) - 1 and art.uid % 3 == 1:
        html += "&nbsp; &nbsp;&nbsp;"
    return f'<p style="text-align: justify;">{html}</p>'


def figure_html(site: Site, f: Figure) -> str:
    src = attr_html(site.base + f.src if f.absolute else f.src)
    img = f'<img alt="" src="{src}" style="width: 600px; height: 400px;" />'
    if f.table:
        row2 = (f'<tr><td><span style="font-size: 12px;">{text_html(f.caption)}</span></td></tr>'
                if f.caption else "")
        return ('<table align="center" border="0" cellpadding="1" cellspacing="1" class="image"><tbody>'
                f"<tr><td>{img}</td></tr>{row2}</tbody></table>")
    out = f'<p style="text-align: center;">{img}</p>'
    if f.caption:
        out += f'\n<p style="text-align: center;"><em>{text_html(f.caption)}</em></p>'
    return out


def render_article(site: Site, art: SimArticle, views: int, others: list[SimArticle]) -> str:
    url = site.base + article_path(site.instance, art.slug)
    parts: list[str] = []
    for i, text in enumerate(art.paragraphs):
        parts.append(paragraph_html(art, i, text))
        parts.extend(figure_html(site, f) for f in art.figures if f.after == i)
    parts.extend(f'<p><a href="{attr_html(href)}" target="_blank">{text_html(title)}</a></p>'
                 for href, title in art.attachments)
    if art.author and art.author_inside:
        parts.append(f'<p style="text-align: right;"><strong>{text_html(art.author)}</strong></p>')
    after = ""
    if art.source:
        line = f"(Nguồn: {art.source})" if art.source_parens else f"Nguồn: {art.source}"
        after += f'<p class="source-news" style="text-align: right;">{text_html(line)}</p>\n'
    if art.author and not art.author_inside:
        author = text_html(art.author)
        after += f'<p class="author-news" style="text-align: right;"><strong>{author}</strong></p>\n'
    other = "".join(
        f'<li><a href="{site.base}{article_path(site.instance, o.slug)}">{text_html(o.title)}</a> '
        f'<span class="date-other">({o.published:%d-%m-%Y %H:%M})</span></li>\n' for o in others
    )
    inst = site.instance
    body = f"""<div class="asset-full-content default-asset-publisher show-asset-title">
<div class="taglib-header"><h3 class="header-title"><span>{text_html(art.title)}</span></h3></div>
<div class="asset-content" id="_101_INSTANCE_{inst}_{art.slug[:12]}">
<p class="date-news">{art.published_text()}</p>
<div class="journal-content-article">
{chr(10).join(parts)}
</div>
{after}</div>
<div class="asset-metadata"><span class="metadata-entry metadata-view-count">Lượt xem: {views}</span></div>
<div class="taglib-social-bookmarks"><a href="https://www.facebook.com/sharer.php?u={url}">Chia sẻ</a> <a href="{url}?p_p_state=pop_up&amp;_101_INSTANCE_{inst}_viewMode=print&amp;p_auth={site.token}">In bài viết</a></div>
</div>
"""  # noqa: E501
    box = ('<div class="portlet-boundary portlet-asset-publisher other-news"><h2 class="title-other-news">'
           f"Tin khác</h2><ul>\n{other}</ul></div>\n")
    return _page(site, art.title, art.summary, url, body, box)


def render_listing(site: Site, items: list[tuple[SimArticle, int]], page: int, pages: int, delta: int) -> str:
    back = f"{site.base}{LISTING_PATH}"
    out = [f'<h2 class="portlet-title-text">{CATEGORY}</h2>\n']
    for art, views in items:
        href = f"{site.base}{article_path(site.instance, art.slug)}?redirect={back}"
        out.append(f"""<div class="asset-abstract default-asset-publisher">
 <h3 class="asset-title"><a href="{attr_html(href)}">{text_html(art.title)}</a></h3>
 <div class="asset-content"><div class="asset-summary"><p>{text_html(art.summary)}</p></div></div>
 <div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{art.published:%d-%m-%Y %H:%M}</span> <span class="metadata-entry metadata-view-count">Lượt xem: {views}</span></div>
</div>
""")  # noqa: E501
    if not items:
        out.append('<div class="alert alert-info">Không có kết quả nào.</div>\n')

    def button(label: str, target: int, enabled: bool, cls: str = "") -> str:
        classes = " ".join(c for c in ("" if enabled else "disabled", cls) if c)
        attr = f' class="{classes}"' if classes else ""
        href = attr_html(pager_url(site, target, delta)) if enabled else "javascript:;"
        return f'<li{attr}><a href="{href}">{label}</a></li>'

    out.append(
        '<div class="taglib-page-iterator"><div class="clearfix lfr-pagination">\n'
        f'<div class="lfr-pagination-config"><div class="lfr-pagination-page-selector">Trang {page} / {pages}'
        '</div></div>\n<ul class="lfr-pagination-buttons pager">'
        + button("&larr; Đầu tiên", 1, page > 1, "first") + button("Trước", page - 1, page > 1)
        + button("Tiếp theo", page + 1, page < pages)
        + button("Cuối cùng &rarr;", pages, page < pages, "last")
        + "</ul>\n</div></div>\n"
    )
    return _page(site, CATEGORY, "", back, "".join(out))


def render_home(site: Site, latest: list[SimArticle]) -> str:
    """The portal's home page: the menu (whose "Tin tức - Sự kiện" leads to the listing) and a
    "Tin mới" asset publisher with the newest articles."""
    items = "".join(
        f'<li class="news-home-item"><a href="{site.base}{article_path(site.instance, a.slug)}">'
        f'{text_html(a.title)}</a> <span class="date-news">({a.published:%d-%m-%Y})</span></li>\n'
        for a in latest
    )
    content = (f'<h2 class="portlet-title-text">Tin mới</h2>\n<ul class="news-home">\n{items}</ul>\n'
               f'<p><a href="{site.base}{LISTING_PATH}">Xem tất cả</a></p>\n')
    return _page(site, "Trang chủ", SITE_NAME, f"{site.base}/", content)


def render_not_found(site: Site) -> str:
    return _page(site, CATEGORY, "", None, f'<div class="alert alert-error">{NOT_FOUND_VI}</div>\n'
                 f'<div class="portlet-msg-error">{NOT_FOUND_EN}</div>\n')


def render_error(status: int, reason: str) -> str:
    """What the Tomcat in front of Liferay answers when it fails: nothing like a portal page."""
    return (f"<html><head><title>Apache Tomcat - Error report</title></head><body>"
            f"<h1>HTTP Status {status} - {text_html(reason)}</h1></body></html>")
