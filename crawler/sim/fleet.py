"""Many simulated portals served at once by one process, each on its own port of 127.0.0.1.

Each portal is a whole `SimulatedPortal` (its own articles, listing, validators, failures and
request log, seeded apart so that no two portals print the same news); only the serving is
shared: one thread waits on every listening socket and hands each connection to a thread of
its own, as each portal's own server would. A thousand portals cost a thousand sockets and no
idle thread.

    with SimulatedFleet(1000, articles=10) as fleet:
        fleet.write_registry(Path("fleet.toml"))   # [portals.sim0000] ... [portals.sim0999]
        ...

Standalone: `python -m crawler.sim.fleet --portals 300 --registry fleet.toml` serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import selectors
import signal
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from crawler.sim.portal import SimulatedPortal

_POLL_SECONDS = 0.05  # how soon stop() is noticed


class SimulatedFleet:
    """`count` simulated portals with ids `sim0000`, `sim0001`, ... (see `portal_id`)."""

    def __init__(self, count: int, articles: int = 10, per_page: int = 10, seed: int = 0,
                 host: str = "127.0.0.1") -> None:
        if count < 1:
            raise ValueError("a fleet has at least one portal")
        self._selector = selectors.DefaultSelector()
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self.portals: list[SimulatedPortal] = []
        try:
            for number in range(count):
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind((host, 0))
                listener.listen(128)
                listener.setblocking(False)
                self._sockets.append(listener)
                portal = SimulatedPortal(articles, per_page, seed + number, host=host,
                                         port=listener.getsockname()[1], serve=False)
                self.portals.append(portal)
                self._selector.register(listener, selectors.EVENT_READ, portal)
        except BaseException:
            self._close_sockets()
            raise
        self._thread = threading.Thread(target=self._accept_forever, name="simfleet", daemon=True)
        self._thread.start()

    @staticmethod
    def portal_id(number: int) -> str:
        return f"sim{number:04d}"

    def __iter__(self) -> Iterator[SimulatedPortal]:
        return iter(self.portals)

    def __len__(self) -> int:
        return len(self.portals)

    def registry_text(self, *, every: str | None = None) -> str:
        """A portals file naming every portal of the fleet, each with all its listing pages in reach;
        the whole registry (no built-in portal: nothing here goes to the internet)."""
        lines = ["builtin_portals = false", ""]
        for number, portal in enumerate(self.portals):
            lines += [f"[portals.{self.portal_id(number)}]", f'name = "Cổng mô phỏng {number}"',
                      'cms = "liferay"', f'start_urls = ["{portal.start_url}"]',
                      f"pages = {portal.page_count}"]
            if every:
                lines.append(f'every = "{every}"')
            lines.append("")
        return "\n".join(lines)

    def write_registry(self, path: Path, *, every: str | None = None) -> Path:
        path.write_text(self.registry_text(every=every), encoding="utf-8")
        return path

    def request_count(self) -> int:
        return sum(portal.request_count() for portal in self.portals)

    # ------------------------------------------------------------ serving

    def _accept_forever(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=_POLL_SECONDS):
                listener: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    connection, address = listener.accept()
                except (BlockingIOError, OSError):
                    continue  # another accept took it, or the fleet is closing
                connection.setblocking(True)
                threading.Thread(target=self._serve, args=(key.data, connection, address),
                                 name="simfleet-conn", daemon=True).start()

    def _serve(self, portal: SimulatedPortal, connection: socket.socket, address: object) -> None:
        # What socketserver does for each request of a portal's own ThreadingHTTPServer.
        try:
            portal.handler_class(connection, address, self)
        except (ConnectionError, TimeoutError, OSError):
            pass  # clients that give up are part of the simulation
        finally:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_WR)
            connection.close()

    # ------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        for portal in self.portals:
            portal.stop()  # releases requests held by a delay or a "timeout" failure
        self._thread.join()
        self._close_sockets()

    def _close_sockets(self) -> None:
        for listener in self._sockets:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(listener)
            listener.close()
        self._selector.close()

    def __enter__(self) -> SimulatedFleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_until_stopped(self) -> None:
        while self._thread.is_alive():
            self._thread.join(0.5)  # a timed join so that Ctrl-C is seen promptly


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sim.fleet",
                                     description="Serve N simulated portals on 127.0.0.1, one port each.")
    parser.add_argument("--portals", type=int, default=100, help="how many portals (default 100)")
    parser.add_argument("--articles", type=int, default=10, help="articles each (default 10)")
    parser.add_argument("--registry", type=Path, required=True,
                        help="write the portals file naming them here (for --portals of portalwatch)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    fleet = SimulatedFleet(args.portals, articles=args.articles)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    fleet.write_registry(args.registry)
    print(args.registry, flush=True)
    print(f"simfleet: {args.portals} portals, {args.articles} articles each; Ctrl-C to stop", file=sys.stderr)
    try:
        fleet.serve_until_stopped()
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
