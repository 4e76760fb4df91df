"""portalwatch: scraper and change monitor for Vietnam's provincial government portals."""
