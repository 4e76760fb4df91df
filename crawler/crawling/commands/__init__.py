"""Scrapy commands of the project (Scrapy's COMMANDS_MODULE): `scrapy crawl` that checks a spider's
arguments before Scrapy starts, so that a mistake is one line, not a traceback."""
