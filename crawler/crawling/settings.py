"""Scrapy settings for portalwatch: polite by default (robots.txt, AutoThrottle, 2 requests a domain)."""

from crawler.core.identity import USER_AGENT as USER_AGENT

BOT_NAME = "portalwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.crawling.commands"  # `scrapy crawl` checks the portal before it starts

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False  # Liferay's JSESSIONID only adds session noise to URLs and caches
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A news page is 50-500 KB; a 30 MB one took 535-747 MB of memory to parse. Larger pages are not
# fetched and the run's errors say why (Scrapy's own default is 1 GB).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

ITEM_PIPELINES = {"crawler.crawling.pipelines.StoragePipeline": 300}

# portalwatch's own settings
PORTALWATCH_DB = None  # None: $PORTALWATCH_DB or sqlite:///portalwatch.db
PORTALWATCH_PORTALS_FILE = None  # extra registry file (--portals)
PORTALWATCH_BATCH_SIZE = 20  # articles a transaction: a killed crawl loses at most this many
PORTALWATCH_PAGES = None  # listing pages to walk (--pages); None: the portal's `pages` setting
# Components of the layers above the crawl, by dotted path (Scrapy's way, like ITEM_PIPELINES), so
# that the crawl never imports them: the hook each stored event goes through inside its transaction
# (queues the alerts it raises), and what delivers pending alerts when a crawl ends (None: nothing).
PORTALWATCH_EVENT_HOOK = "crawler.alerts.outbox.queue_alerts"
PORTALWATCH_DELIVER_ALERTS = "crawler.alerts.dispatch.deliver_pending"
