"""schemathesis against /api/v1/openapi.json: generated requests to every operation, none a 5xx.

Bounded (a few examples per operation, in process over ASGI) so that it stays a few seconds.
Requests carry the token, so the state-changing operations run for real (the crawl command is
`false`, so "crawl now" starts nothing that reaches a network). A rule's "test" is left out: it
would send to whatever hostnames the generator invents (tests/test_web.py tests it locally).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from crawler.web.app import create_app  # noqa: E402
from crawler.web.context import WebSettings  # noqa: E402
from storage.db import open_database  # noqa: E402
from tests.test_web import TOKEN, fill  # noqa: E402

SKIPPED = {"POST /api/v1/alerts/rules/{rule_id}/test"}


def test_generated_requests_to_every_api_operation_never_get_a_server_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    db = open_database(url)
    fill(db)
    db.dispose()
    app = create_app(WebSettings(db_url=url, token=TOKEN, crawl_command=("false",)))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:
        if operation.label in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except (Exception, BaseExceptionGroup) as exc:  # collect: every operation that failed
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {exc}"[:400])
                raise

        with contextlib.suppress(Exception, BaseExceptionGroup):  # what failed is in `failures`
            check()
    assert not failures, "\n".join(failures)
