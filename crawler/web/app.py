"""The ASGI app: server-rendered pages and the JSON API under /api/v1, over storage.query.

    app = create_app(WebSettings(db_url="sqlite:///portalwatch.db", token="..."))
    uvicorn.run(app, host="127.0.0.1", port=8080)     # what `portalwatch serve` does

Pages: Today (/), Search (/search, its Atom feed /feed.atom), Article (/articles/ID), Portals
(/portals), Alerts (/alerts), sign-in (/login). The API's schema: /api/v1/openapi.json.
Every response carries a Content-Security-Policy that allows only this server's own script and
style; article text goes through Jinja's autoescaping and links through `safe_href`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.core.errors import UserError
from crawler.web import api, pages
from crawler.web.context import HERE, Web, WebSettings
from crawler.web.services import http_status

log = logging.getLogger("portalwatch.web")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' http: https:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


# --- the app ----------------------------------------------------------------------------------

def create_app(settings: WebSettings) -> FastAPI:
    web = Web(settings)
    app = FastAPI(
        title="portalwatch", version="1",
        description="News of Vietnam's government portals: articles, their versions and diffs, what "
                    "happened, portals and crawl runs, alert rules. Changes need `Authorization: "
                    "Bearer TOKEN` (the token `portalwatch serve` prints).",
        openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.web = web
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
              details: Any = None) -> Response:
        if is_api(request):
            body: dict[str, Any] = {"error": message}
            if details is not None:
                body["details"] = details
            return JSONResponse(body, status_code=status, headers=headers)
        return web.render(request, "error.html", status_code=status, status=status, message=message)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        return error(request, http_status(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"where": ".".join(str(part) for part in e.get("loc", ())), "message": e.get("msg", "")}
                    for e in exc.errors()]
        message = "; ".join(f"{p['where']}: {p['message']}" for p in problems) or "invalid request"
        return error(request, 422, message, details=problems)

    @app.middleware("http")
    async def guard_responses(request: Request,
                              call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # NUL can reach no database (PostgreSQL refuses it in text): a bad request, not a crash.
        if "%00" in request.url.query or "\x00" in request.url.path:
            response = error(request, 400, "the request contains a NUL character")
        else:
            try:
                response = await call_next(request)
            except Exception:  # never a traceback to the client; the log has it
                log.exception("%s %s failed", request.method, request.url.path)
                response = error(request, 500, "internal error; the server log says more")
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # none: browsers ask anyway

    @app.get("/feed.atom", include_in_schema=False)
    def feed(search: str | None = None, portal: str | None = None) -> Response:
        from storage.atom import search_feed, write_atom

        portals = [portal] if portal else []
        entries, feed_id, title = search_feed(web.db, portals, search or None)
        out = io.StringIO()
        write_atom(entries, out, feed_id=feed_id, title=title)
        return Response(out.getvalue(), media_type="application/atom+xml; charset=utf-8")

    app.router.on_shutdown.append(web.close)
    return app


__all__ = ["WebSettings", "create_app"]
