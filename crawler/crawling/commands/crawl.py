"""`scrapy crawl SPIDER -a portal=ID`: Scrapy's own command, with the spider's arguments checked first.

Scrapy builds the spider inside its event loop, where an exception in the spider's constructor
ends as "Task exception was never retrieved" and an asyncio traceback. A spider class with a
`check_arguments(settings, **arguments)` classmethod is asked beforehand; what it refuses is
printed as a usage error (exit 2), like `portalwatch crawl` refuses an unknown portal.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.core.errors import UserError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            loader = self.crawler_process.spider_loader
            try:
                spider_class = loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r} (spiders: {', '.join(loader.list())})",
                                 print_help=False) from None
            check = getattr(spider_class, "check_arguments", None)
            if check is not None:
                try:
                    check(self.settings, **opts.spargs)
                except UserError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
