"""re-key stored articles by the canonical URL form of issue 15 (sorted query, no trailing slash)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:00:00

`canonicalize_url` now sorts the query, drops a trailing slash and normalizes percent-encoding
(w3lib). Articles stored under the old form would no longer be found by the new one and every one
of them would come back as "new": their keys are rewritten here. Where two stored rows collapse
into one key (the duplicates the old form let in), the row already holding it, or else the oldest,
takes the key and the others keep theirs. The rule is frozen here as it was written (a
migration never imports live code).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op
from w3lib.url import canonicalize_url as w3lib_canonicalize_url

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_NOISE_PARAMS = {"redirect", "p_auth", "p_p_auth", "jsessionid", "fbclid", "gclid", "_ga"}
_NOISE_PREFIXES = ("utm_",)
_LIFERAY_STATE = re.compile(r"^(p_p_(lifecycle|state|mode|col_id|col_pos|col_count)|p_r_p_.*resetCur)$")


def _canonical(url: str) -> str:
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _NOISE_PARAMS
        and not k.lower().startswith(_NOISE_PREFIXES)
        and not _LIFERAY_STATE.match(k)
    ]
    return w3lib_canonicalize_url(
        urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(kept), "")))


def upgrade() -> None:
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("canonical_url", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(articles.c.id, articles.c.canonical_url)
                              .order_by(articles.c.id)).all()
    taken = {url for _, url in rows}
    for article_id, url in rows:
        new = _canonical(url)
        if new != url and new not in taken:
            connection.execute(sa.update(articles).where(articles.c.id == article_id)
                               .values(canonical_url=new))
            taken.add(new)


def downgrade() -> None:
    pass  # the old keys are not kept; both forms name the same pages
