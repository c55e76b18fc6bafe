"""The hostile corpus (tests/hostile/cases.yaml, and the cases below that need a
special file): every input is refused cleanly or runs correctly.

A clean refusal is exit code 2 and a message that names the file, the key
path and what was expected, given within seconds, with nothing written; and
``cfsim validate`` refuses exactly what the command that runs the file refuses
(one validation path). An accepted input runs to a complete result folder and
leaves nothing partial. A traceback fails the test (``main`` re-raises what it
does not know), and so does a hang (every case runs under an alarm).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from sim.cli import main

HOSTILE = Path(__file__).resolve().parent / "hostile"
BASE = HOSTILE / "base.yaml"
CASES = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))
SECONDS = 20  # a hang is anything slower; real refusals take well under a second
MEMORY = ["--max-memory", "2GB"]  # the same limit on every machine

# Texts too big or too odd to write in cases.yaml.
SPECIAL = {
    "DEEP_JSON": "[" * 100_000 + "]" * 100_000,
    "HUGE_INT_JSON": '{"nodes": [{"id": "S0", "weight": ' + "9" * 5000 + "}]}",
    "NOT_UTF8": b"\xff\xfe\x00name: x\n",
    "DEEP_YAML_FLOW": "extends: BASE\nnetwork: " + "[" * 5000 + "]" * 5000 + "\n",
    "DEEP_YAML_BLOCK": "extends: BASE\n" + "".join(f"{' ' * k}k{k}:\n" for k in range(2000)),
    "BIG_YAML": "extends: BASE\n" + "".join(f"# {'x' * 97}\n" for _ in range(45_000)),
}


@contextlib.contextmanager
def deadline(seconds: int = SECONDS):
    """Fail (instead of hanging the suite) when the block runs longer than ``seconds``."""

    def hang(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def text_of(value):
    """A text of cases.yaml with its placeholders made real (recursively)."""
    if isinstance(value, dict):
        return {k: text_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [text_of(v) for v in value]
    if not isinstance(value, str):
        return value
    value = SPECIAL.get(value, value)
    if isinstance(value, bytes):
        return value
    return value.replace("BASE", str(BASE)).replace("NAME300", "n" * 300)


def write_case(case: dict, tmp: Path) -> Path:
    """The files of a case in ``tmp``; returns the file given to the command."""
    for name, body in (case.get("files") or {}).items():
        (tmp / name).write_text(body, encoding="utf-8")
    if "sweep" in case:
        (tmp / "sweep.yaml").write_text(text_of(case["sweep"]), encoding="utf-8")
        return tmp / "sweep.yaml"
    path = tmp / "case.yaml"
    if "text" in case:
        text = text_of(case["text"])
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path
    data = {"extends": str(BASE), **text_of(case.get("set") or {})}
    if "network" in case:
        fmt = case["network"]["format"]
        name = {"graphml": "net.graphml", "node-link": "net.json", "geojson": "net.geojson"}[fmt]
        body = text_of(case["network"]["text"])
        (tmp / name).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        data["network"] = {"file": name, "format": fmt}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def arguments(case: dict, tmp: Path) -> list[str]:
    """The case's extra arguments with their placeholders made real."""
    (tmp / "a-file").write_text("not a folder")
    (tmp / "nonempty").mkdir(exist_ok=True)
    (tmp / "nonempty" / "mine.txt").write_text("keep me")
    real = {
        "FILE": str(tmp / "a-file"),
        "FILE/inside": str(tmp / "a-file" / "inside"),
        "NONEMPTY": str(tmp / "nonempty"),
        "LONGNAME": str(tmp / ("o" * 300)),
    }
    return [real.get(a, a) for a in case.get("args", [])]


def command(case: dict, file: Path, tmp: Path) -> list[str]:
    """The command that runs the case's file, writing under ``tmp/results``."""
    name = case.get("command", "run")
    extra = arguments(case, tmp)
    if not any(a in extra for a in ("--results-root", "--out")):
        extra += ["--results-root", str(tmp / "results")]
    if "--max-memory" not in extra:
        extra += MEMORY
    common = ["-q", "-j", "1", *extra]
    if name == "compare":
        return ["compare", str(file), str(BASE), "-n", "2", *common]
    return [name, str(file), *common]


def outcome(argv: list[str], capsys) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    with deadline():
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing an option
            code = exc.code
    err = capsys.readouterr().err
    return code, err, time.perf_counter() - t0


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error: ") or ": error: " in line]


def assert_clean_refusal(case: dict, err: str, elapsed: float, file: Path) -> None:
    lines = errors(err)
    assert lines, f"no error message: {err!r}"
    text = " ".join(lines)
    assert "Traceback" not in err
    for fragment in case["expect"]:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    if case.get("stage") != "run":
        assert file.name in text, f"the file is not named: {text!r}"
        assert ": " in text.split(file.name, 1)[1], "no key or line after the file"
    assert elapsed < 10, f"refused only after {elapsed:.1f} s"


def nothing_written(tmp: Path) -> None:
    """The results root was never created, and nothing hidden (a lock, a partial
    folder) was left anywhere in the case's folder."""
    assert not (tmp / "results").exists()
    hidden = [p for p in tmp.rglob(".*")]
    assert hidden == [], hidden


def complete_results(tmp: Path, case: dict) -> None:
    root = tmp / "results"
    summaries = list(root.rglob("summary.json")) + list(root.rglob("sweep.json"))
    summaries += list(root.rglob("frontier.json")) + list(root.rglob("comparison.json"))
    assert summaries, f"no results under {root}"
    for p in summaries:
        json.loads(p.read_text())  # complete, readable JSON
    leftovers = [p for p in root.rglob("*") if ".partial-" in p.name or p.name.endswith(".lock")]
    assert leftovers == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_case(case, tmp_path, capsys):
    file = write_case(case, tmp_path)
    code, err, elapsed = outcome(["validate", str(file), "-j", "1", *MEMORY], capsys)
    expect = case["expect"]
    if case.get("stage") == "run" or expect == "run":
        assert code == 0, f"validate refused an input it should accept: {err}"
        for fragment in case.get("warning", []):
            assert fragment in err, f"warning {fragment!r} missing from {err!r}"
        assert all(line.startswith("warning: ") for line in err.splitlines() if line)
    else:
        assert code == 2
        assert_clean_refusal(case, err, elapsed, file)
        first = errors(err)
    code, err, elapsed = outcome(command(case, file, tmp_path), capsys)
    if expect == "run":
        assert code == 0, err
        complete_results(tmp_path, case)
        return
    assert code == 2
    assert_clean_refusal(case, err, elapsed, file)
    if case.get("stage") != "run":
        assert errors(err)[:1] == first[:1], "validate and the command disagree"
    nothing_written(tmp_path)


# --------------------------------------------------------------------------- special files


def refused(argv: list[str], capsys, *fragments: str) -> str:
    code, err, elapsed = outcome(argv, capsys)
    assert code == 2, err
    text = " ".join(errors(err))
    for f in fragments:
        assert f in text, f"{f!r} not in {text!r}"
    assert elapsed < 10
    return text


@pytest.mark.parametrize("command_name", ["validate", "run"])
def test_a_fifo_as_the_scenario_is_refused_at_once(tmp_path, capsys, command_name):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    refused([command_name, str(fifo), *MEMORY], capsys, "scenario.yaml", "named pipe (FIFO)")


def test_a_directory_or_a_device_as_the_scenario_is_refused(tmp_path, capsys):
    refused(["validate", str(tmp_path)], capsys, "this is a folder, not a file")
    refused(["validate", "/dev/zero"], capsys, "/dev/zero", "character device")


def test_a_fifo_a_directory_and_a_huge_file_as_the_network(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "dir.json").mkdir()
    with open(tmp_path / "huge.json", "wb") as fh:  # sparse: nothing is really written
        fh.truncate(65 * 2**20)
    for name, why in (
        ("pipe.json", "named pipe (FIFO)"),
        ("dir.json", "is a directory"),
        ("huge.json", "larger than 64 MB"),
    ):
        case = tmp_path / f"case-{name}.yaml"
        case.write_text(f"extends: {BASE}\nnetwork: {{file: {name}}}\n")
        refused(["validate", str(case)], capsys, case.name, "network.file", name, why)


def test_an_extends_chain_of_1200_files_is_refused(tmp_path, capsys):
    for k in range(1200):
        (tmp_path / f"c{k}.yaml").write_text(f"extends: c{k + 1}.yaml\n")
    (tmp_path / "c1200.yaml").write_text(f"extends: {BASE}\n")
    refused(["validate", str(tmp_path / "c0.yaml")], capsys, "extends", "longer than 32 files")


def test_billion_laughs_is_refused_in_well_under_a_second(tmp_path, capsys):
    case = next(c for c in CASES if c["id"] == "yaml-billion-laughs")
    file = write_case(case, tmp_path)
    t0 = time.perf_counter()
    refused(["validate", str(file)], capsys, "more than 200,000 values")
    assert time.perf_counter() - t0 < 1.0


def test_the_corpus_covers_every_kind_with_over_100_cases():
    kinds = {c["kind"] for c in CASES}
    assert kinds == {"numbers", "network", "semantics", "yaml", "sweep", "output"}
    assert len(CASES) + 6 >= 100  # with the special-file tests above
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert sum(c["expect"] == "run" for c in CASES) >= 5  # some hostile-looking inputs are fine
