"""The mutation score of a finished ``mutmut run``, with the equivalent mutants taken out.

mutmut counts a mutant as survived whenever no test failed, whether or not any
test *could* fail: some mutants change nothing a program can observe (``u < p``
against ``u <= p`` on continuous uniforms, a return value no caller reads).
Those are listed, each with the reason, in ``tests/mutation_equivalents.yaml``;
this script reads mutmut's results (``mutants/**/*.meta``) and that list and
prints, per module and in total,

    score = killed (timeouts included) / (checked - equivalent)

where "checked" counts every mutant mutmut made in a module it was asked to
mutate, including those no test executes ("no tests": counted as not killed).

A whole run of every mutant takes longer than a working day on two cores
(11,526 mutants; a survivor in code every test executes runs every test that
executes it), so the score is estimated on a simple random sample of the
mutants, drawn once with a fixed seed and kept in ``tests/mutation_sample.txt``
(``--draw`` makes it again). With ``--sample`` only those mutants count, and
the score carries a 95% Wilson interval for the whole population.

Usage (from the project root)::

    .venv/bin/mutmut run $(cat tests/mutation_sample.txt)       # check the sample
    .venv/bin/python tests/mutation_score.py --sample           # the per-module table
    .venv/bin/python tests/mutation_score.py --sample --left    # every non-equivalent survivor
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.yaml"
SAMPLE = Path(__file__).resolve().parent / "mutation_sample.txt"
KILLED = {"killed", "timeout"}


def statuses(mutants: Path) -> dict[str, str]:
    """``{mutant name: mutmut status}`` for every mutant with a result file."""
    from mutmut.stats import status_by_exit_code

    out = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        for name, code in data["exit_code_by_key"].items():
            out[name] = status_by_exit_code[code]
    return out


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """``{mutant name: why it is equivalent}`` from the YAML list.

    The file maps a mutated function (as mutmut names it, without the
    ``__mutmut_N`` suffix) to a list of ``{mutants: [N, ...], why: text}``.
    """
    doc = yaml.safe_load(path.read_text()) or {}
    out = {}
    for function, groups in doc.items():
        for group in groups:
            why = str(group["why"]).strip()
            if not why:
                raise SystemExit(f"{path}: {function}: an empty reason")
            for n in group["mutants"]:
                out[f"{function}__mutmut_{int(n)}"] = why
    return out


def module_of(name: str) -> str:
    """``sim.engine.center.xǁCenterǁwalkout__mutmut_3`` -> ``engine/center.py``."""
    dotted = name.split(".x_")[0].split(".xǁ")[0]
    return "/".join(dotted.split(".")[1:]) + ".py"


def table(status: dict[str, str], equiv: dict[str, str]) -> tuple[list[list], list[str]]:
    """Rows ``[module, mutants, checked, killed, equivalent, survived, score]`` and
    the non-equivalent survivors."""
    per: dict[str, Counter] = defaultdict(Counter)
    left = []
    for name, s in status.items():
        c = per[module_of(name)]
        c["mutants"] += 1
        if s == "not checked":
            continue
        c["checked"] += 1
        if s in KILLED:
            c["killed"] += 1
        elif name in equiv:
            c["equivalent"] += 1
        else:
            c["survived"] += 1
            left.append(name)
    rows = []
    total = Counter()
    for module in sorted(per):
        c = per[module]
        total.update(c)
        rows.append(_row(module, c))
    rows.append(_row("**all**", total))
    return rows, sorted(left)


def _row(module: str, c: Counter) -> list:
    scored = c["checked"] - c["equivalent"]
    score = f"{100 * c['killed'] / scored:.1f}%" if scored else "-"
    return [module, c["mutants"], c["checked"], c["killed"], c["equivalent"], c["survived"], score]


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion ``k / n``."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return (centre - half, centre + half)


def draw_sample(names: list[str], size: int, seed: int) -> list[str]:
    """A simple random sample of ``size`` mutant names (without replacement)."""
    import random

    return sorted(random.Random(seed).sample(sorted(names), size))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    ap.add_argument("--left", action="store_true", help="list the non-equivalent survivors")
    ap.add_argument(
        "--sample", action="store_true", help=f"count only the mutants in {SAMPLE.name}"
    )
    ap.add_argument(
        "--draw", type=int, metavar="N", help=f"draw a new sample of N mutants into {SAMPLE.name}"
    )
    ap.add_argument(
        "--seed", type=int, default=20261201, help="seed of --draw (default %(default)s)"
    )
    args = ap.parse_args(argv)
    if not args.mutants.is_dir():
        print(
            f"{args.mutants}: no mutmut results here; run `.venv/bin/mutmut run` first",
            file=sys.stderr,
        )
        return 2
    status = statuses(args.mutants)
    if args.draw:
        SAMPLE.write_text("\n".join(draw_sample(list(status), args.draw, args.seed)) + "\n")
        print(f"{SAMPLE}: {args.draw} of {len(status)} mutants (seed {args.seed})")
        return 0
    equiv = equivalents()
    unknown = sorted(set(equiv) - set(status))
    if unknown:
        print(
            f"{EQUIVALENTS.name}: {len(unknown)} listed mutants mutmut did not make, "
            f"e.g. {unknown[0]}",
            file=sys.stderr,
        )
        return 1
    if args.sample:
        chosen = SAMPLE.read_text().split()
        missing = [n for n in chosen if n not in status]
        if missing:
            print(
                f"{SAMPLE.name}: {len(missing)} mutants mutmut did not make, e.g. {missing[0]}",
                file=sys.stderr,
            )
            return 1
        population = len(status)
        status = {n: status[n] for n in chosen}
    rows, left = table(status, equiv)
    if args.left:
        for name in left:
            print(name, status[name])
        return 0
    head = [
        "module",
        "mutants",
        "checked",
        "killed (timeouts incl.)",
        "equivalent",
        "survived",
        "score",
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print(
            "| "
            + " | ".join(
                f"`{c}`" if i == 0 and not str(c).startswith("*") else str(c)
                for i, c in enumerate(r)
            )
            + " |"
        )
    total = rows[-1]
    scored = total[2] - total[4]
    if args.sample and scored:
        lo, hi = wilson(total[3], scored)
        print(
            f"\nSample of {len(status)} of {population} mutants, {total[2]} checked: "
            f"{total[3]} of {scored} non-equivalent killed = {100 * total[3] / scored:.1f}% "
            f"(95% interval {100 * lo:.1f}-{100 * hi:.1f}%)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
