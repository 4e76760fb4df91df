"""`portalwatch serve`: the web pages and the JSON API (top layer: nothing imports it but the CLI).

`crawler.web.app.create_app(WebSettings(...))` builds the ASGI app; crawler/cli/serve.py runs it
under uvicorn. Reads go through storage.query and storage.events, as the CLI's do.
"""
