"""Wall time of CLI starts: `portalwatch --help` and `items --limit 20` on the demo's database, beside
`python -c pass` (the interpreter alone), each run `--runs` times, alternately.

    python bench/cli.py [--runs 10]

Goals on a 2-core machine: `--help` under 0.3 s, `items --limit 20` under 0.5 s. The demo's
database is made once with `portalwatch demo --keep` (a temporary folder).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"--help": 0.3, "items --limit 20": 0.5}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "crawler.cli"]
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        subprocess.run([*cli, "demo", "--keep", folder], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        db = f"sqlite:///{Path(folder) / 'demo.db'}"
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "--help": [*cli, "--help"],
            "items --limit 20": [*cli, "items", "--limit", "20", "--db", db],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # alternately: a slow minute of the machine slows every command alike
            for name, command in commands.items():
                times[name].append(timed(command))
    baseline = statistics.median(times["python -c pass"])
    print(f"{'command':<20} {'median':>8} {'min':>8} {'max':>8}  vs python -c pass   goal")
    for name, values in times.items():
        median = statistics.median(values)
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"< {goal:.1f} s: {'met' if median < goal else 'NOT met'}"
        print(f"{name:<20} {median:>7.3f}s {min(values):>7.3f}s {max(values):>7.3f}s  "
              f"{median / baseline:>6.1f}x             {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
