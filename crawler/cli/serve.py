"""`portalwatch serve`: the web pages and the JSON API (crawler/web/), served by uvicorn."""

from __future__ import annotations

import argparse

from crawler.cli.common import add_db_option, add_portals_option, db_url


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve", help="web pages and a JSON API: today's news, search, diffs, portals, alerts",
        description="Serve the web pages (Today, Search, Article, Portals, Alerts) and the JSON API "
                    "under /api/v1 (schema: /api/v1/openapi.json). Changes need the token: "
                    "$PORTALWATCH_TOKEN, or one generated on first start and stored in --token-file.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument("--token-file", metavar="FILE", default=None,
                       help="where the generated token is kept (default ~/.config/portalwatch/web-token)")
    add_db_option(serve)
    add_portals_option(serve)
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    import uvicorn

    from crawler.core.errors import UserError
    from crawler.web.app import create_app
    from crawler.web.context import WebSettings
    from crawler.web.security import resolve_token

    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: use 1-65535")
    source = resolve_token(Path(args.token_file) if args.token_file else None)
    app = create_app(WebSettings(db_url=db_url(args), token=source.token, portals_file=args.portals))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"portalwatch serve: http://{host}:{args.port}/  (API schema: /api/v1/openapi.json)")
    print(f"token ({source.origin}): sign in at http://{host}:{args.port}/login?token={source.token}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach it can read everything stored "
              "(changes still need the token)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
