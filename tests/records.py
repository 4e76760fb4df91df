"""Small ArticleRecord builders for tests that do not need a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.alerts.outbox import queue_alerts
from crawler.core.records import ArticleRecord
from storage.store import StoreResult, mark_removed, store_record

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def make_record(slug: str = "bai-viet", portal: str = "thainguyen", **overrides: Any) -> ArticleRecord:
    url = f"https://{portal}.gov.vn/tin-tuc-su-kien/-/asset_publisher/X/content/{slug}"
    values: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "portal": portal,
        "title": "Hội nghị trực tuyến về an ninh Tổ quốc",
        "published_at": datetime(2019, 3, 11, 21, 31, tzinfo=VN),
        "published_text": "11-03-2019 21:31",
        "lead": "Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị.",
        "body": ["Chiều 11/3, Đại tướng Tô Lâm chủ trì hội nghị.", "Tặng Bằng khen cho 64 tập thể."],
        "images": [{"url": f"https://{portal}.gov.vn/documents/1.jpg", "caption": "Các đại biểu"}],
        "attachments": [],
        "author": "Thanh Hiếu",
        "source": "thainguyen.gov.vn",
        "category": "Tin tức - Sự kiện",
    }
    values.update(overrides)
    return ArticleRecord(**values)


def store_alerting(session: Session, record: ArticleRecord, **options: Any) -> StoreResult:
    """store_record as a crawl calls it: each event goes through the alert outbox."""
    return store_record(session, record, on_event=queue_alerts, **options)


def remove_alerting(session: Session, canonical_url: str, **options: Any) -> StoreResult | None:
    """mark_removed as a crawl calls it: the removal goes through the alert outbox."""
    return mark_removed(session, canonical_url, on_event=queue_alerts, **options)
