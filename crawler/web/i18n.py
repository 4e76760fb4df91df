"""The page's words in English and Vietnamese, chosen by the browser's Accept-Language.

Article text is shown as the portal printed it (Vietnamese); only the interface is translated.
"""

from __future__ import annotations

LANGUAGES = ("en", "vi")
DEFAULT_LANGUAGE = "en"

# key: (English, Vietnamese)
MESSAGES: dict[str, tuple[str, str]] = {
    "today": ("Today", "Hôm nay"),
    "search": ("Search", "Tìm kiếm"),
    "portals": ("Portals", "Cổng"),
    "alerts": ("Alerts", "Cảnh báo"),
    "sign_in": ("Sign in", "Đăng nhập"),
    "sign_out": ("Sign out", "Đăng xuất"),
    "signed_in": ("signed in", "đã đăng nhập"),
    "token": ("Token", "Mã truy cập"),
    "token_help": ("The token `portalwatch serve` printed (or $PORTALWATCH_TOKEN).",
                   "Mã do `portalwatch serve` in ra (hoặc $PORTALWATCH_TOKEN)."),
    "wrong_token": ("Wrong token.", "Sai mã truy cập."),
    "need_sign_in": ("Sign in to change anything.", "Đăng nhập để thay đổi."),
    "last_24h": ("last 24 hours", "24 giờ qua"),
    "last_7d": ("last 7 days", "7 ngày qua"),
    "all_portals": ("all portals", "mọi cổng"),
    "all_events": ("all events", "mọi sự kiện"),
    "category": ("Category", "Chuyên mục"),
    "portal": ("Portal", "Cổng"),
    "event": ("Event", "Sự kiện"),
    "new": ("new", "mới"),
    "changed": ("edited", "đã sửa"),
    "removed": ("removed", "đã gỡ"),
    "restored": ("restored", "đăng lại"),
    "first_crawls": ("include first crawls", "gồm lần thu thập đầu"),
    "filter": ("Filter", "Lọc"),
    "nothing_happened": ("Nothing happened in this period.", "Không có gì trong khoảng này."),
    "baseline_hint": ("A portal's first crawl records what already exists; tick “include first crawls” "
                      "to see it.",
                      "Lần thu thập đầu của một cổng chỉ ghi nhận những gì đã có; chọn “gồm lần thu thập "
                      "đầu” để xem."),
    "older": ("Older", "Cũ hơn"),
    "more_results": ("More results", "Thêm kết quả"),
    "changed_lines": ("Changed lines", "Những dòng đã sửa"),
    "search_placeholder": ('words or "a phrase"; diacritics optional',
                           'từ khóa hoặc "cụm từ"; dấu không bắt buộc'),
    "from": ("From", "Từ ngày"),
    "to": ("To", "Đến ngày"),
    "no_matches": ("No article matches.", "Không có bài nào khớp."),
    "atom_feed": ("Atom feed of this search", "Nguồn Atom của tìm kiếm này"),
    "published": ("Published", "Đăng lúc"),
    "updated": ("Updated", "Cập nhật"),
    "first_seen": ("First seen", "Thấy lần đầu"),
    "author": ("Author", "Tác giả"),
    "source": ("Source", "Nguồn"),
    "original": ("Original article", "Bài gốc"),
    "attachments": ("Attachments", "Tệp đính kèm"),
    "versions": ("Versions", "Các phiên bản"),
    "version": ("Version", "Phiên bản"),
    "compare": ("Compare", "So sánh"),
    "first_version": ("first version", "phiên bản đầu"),
    "removed_since": ("Removed from the portal since", "Đã bị gỡ khỏi cổng từ"),
    "no_differences": ("The two versions read the same.", "Hai phiên bản giống nhau."),
    "family": ("Family", "Nền tảng"),
    "verified": ("Verified", "Đã kiểm tra"),
    "last_crawl": ("Last crawl", "Lần thu thập cuối"),
    "health": ("Health", "Tình trạng"),
    "next_run": ("Next scheduled run", "Lần chạy tới"),
    "crawl_now": ("Crawl now", "Thu thập ngay"),
    "healthy": ("healthy", "tốt"),
    "failing": ("failing", "lỗi"),
    "parser_broken": ("pages no longer parse", "không đọc được trang"),
    "since": ("since", "từ"),
    "last_run_parsed": ("last crawl: pages parsed", "lần cuối: số trang đọc được"),
    "never": ("never", "chưa"),
    "not_scheduled": ("not scheduled (run `portalwatch schedule`)",
                      "chưa lên lịch (chạy `portalwatch schedule`)"),
    "crawl_started": ("Crawl started", "Đã bắt đầu thu thập"),
    "recent_runs": ("Recent crawls", "Các lần thu thập gần đây"),
    "status": ("Status", "Trạng thái"),
    "started": ("Started", "Bắt đầu"),
    "results": ("Results", "Kết quả"),
    "add_portal": ("Add a portal by its URL", "Thêm cổng bằng địa chỉ"),
    "add_portal_help": ("Give the portal's home page: its news listing and CMS family are found as a crawl "
                        "would (robots.txt obeyed), and one article is read to show what the records "
                        "will look like.",
                        "Nhập trang chủ của cổng: danh sách tin và loại CMS được tìm như khi thu thập "
                        "(tuân theo robots.txt), và một bài được đọc thử để xem bản ghi sẽ ra sao."),
    "home_url": ("Home page URL", "Địa chỉ trang chủ"),
    "probe": ("Probe", "Dò thử"),
    "probe_found": ("What a crawl would get", "Những gì thu thập sẽ lấy được"),
    "listing": ("News listing", "Danh sách tin"),
    "articles_listed": ("articles listed", "bài trong danh sách"),
    "next_page": ("next page", "trang sau"),
    "no_next_page": ("no next page", "không có trang sau"),
    "feeds": ("Feeds", "Nguồn tin RSS/Atom"),
    "sample_article": ("One article", "Một bài"),
    "paragraphs": ("paragraphs", "đoạn"),
    "no_article": ("No article could be read", "Không đọc được bài nào"),
    "portal_id": ("Id", "Mã"),
    "every": ("Crawl every", "Thu thập mỗi"),
    "save_portal": ("Save the portal", "Lưu cổng"),
    "portal_added": ("Portal saved: it is crawled from its next turn (or “Crawl now”)",
                     "Đã lưu cổng: sẽ được thu thập từ lượt tới (hoặc “Thu thập ngay”)"),
    "rules": ("Rules", "Quy tắc"),
    "new_rule": ("New rule", "Quy tắc mới"),
    "edit_rule": ("Edit rule", "Sửa quy tắc"),
    "name": ("Name", "Tên"),
    "on_events": ("On events", "Khi có sự kiện"),
    "match": ("Match words", "Từ khóa"),
    "regex": ("Regular expression", "Biểu thức chính quy"),
    "notify": ("Notify (Apprise URLs, one a line)", "Gửi tới (URL Apprise, mỗi dòng một)"),
    "keep_channels": ("Channels (untick to remove)", "Kênh (bỏ chọn để xóa)"),
    "add_channels": ("Add channels (Apprise URLs, one a line)", "Thêm kênh (URL Apprise, mỗi dòng một)"),
    "digest": ("Digest period (e.g. 1h, 1d; empty: one message each)",
               "Gộp theo chu kỳ (vd. 1h, 1d; để trống: gửi từng tin)"),
    "save": ("Save", "Lưu"),
    "create": ("Create", "Tạo"),
    "edit": ("Edit", "Sửa"),
    "test": ("Test", "Thử"),
    "pause": ("Pause", "Tạm dừng"),
    "resume": ("Resume", "Tiếp tục"),
    "delete": ("Delete", "Xóa"),
    "paused": ("paused", "đang tạm dừng"),
    "no_rules": ("No alert rules yet.", "Chưa có quy tắc cảnh báo."),
    "pending_deliveries": ("Waiting to be sent", "Đang chờ gửi"),
    "failed_deliveries": ("Given up", "Gửi thất bại"),
    "none": ("none", "không có"),
    "attempts": ("attempts", "lần thử"),
    "n_pending": ("pending", "đang chờ"),
    "n_sent": ("sent", "đã gửi"),
    "n_failed": ("failed", "thất bại"),
    "due": ("due", "đến hạn"),
    "rule_saved": ("Rule saved", "Đã lưu quy tắc"),
    "rule_deleted": ("Rule deleted", "Đã xóa quy tắc"),
    "test_result": ("Test", "Thử"),
    "error": ("Error", "Lỗi"),
    "not_found": ("Not found", "Không tìm thấy"),
    "any_portal": ("any portal", "mọi cổng"),
}


def negotiate(accept_language: str | None) -> str:
    """The best of LANGUAGES for an Accept-Language header ("vi-VN,vi;q=0.9,en;q=0.8" -> "vi")."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # equal weights: the first listed wins
        if q > best_q:
            best, best_q = language, q
    return best


def translator(language: str) -> dict[str, str]:
    index = LANGUAGES.index(language) if language in LANGUAGES else 0
    return {key: pair[index] for key, pair in MESSAGES.items()}
