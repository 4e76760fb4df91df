"""How portalwatch names itself to the portals it visits (one User-Agent for every request)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("portalwatch")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0.1.0"

USER_AGENT = f"portalwatch/{VERSION} (+https://github.com/portalwatch/portalwatch; news change monitor)"
