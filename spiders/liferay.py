"""`scrapy crawl liferay -a portal=ID`: the name the portal spider had when it read Liferay only.

Kept so that existing commands and cron lines go on working; it is the portal spider, whatever the
portal's CMS family.
"""

from __future__ import annotations

from spiders.portal import PortalSpider


class LiferaySpider(PortalSpider):
    name = "liferay"
