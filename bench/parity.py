"""Parity of `sdg-ci validate` with the reference parser's stored verdicts.

Reads the shared corpus (real qna.yaml files and mutants, each with the verdicts of
instructlab-schema 0.4.2; see ../shared/corpus/README.md) in place, never copying it, and
compares, file by file and mode by mode:

    pr_ci              <-> profile taxonomy-ci (newest schema, attribution, lint warnings warn)
    file_version_mode  <-> each file's own version, no attribution, lint warnings warn
                           (the `ilab` profile, except that ilab also fails on lint warnings)
    default            <-> newest schema, no attribution

A verdict disagrees when one side calls the file valid and the other not. Every
disagreement must be one of our deliberate differences (DELIBERATE, by rule code): the
file is invalid for us only because of such codes. Where both reject a file, the
reference's schema and yamllint errors are also located: did we report a problem at the
same yaml path (schema) or line and column (yamllint)?

    .venv/bin/python bench/parity.py [--corpus ../shared/corpus] [--details]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from sdg_ci.config import ValidateSettings  # noqa: E402
from sdg_ci.diagnostics import FileResult  # noqa: E402
from sdg_ci.validate import validate  # noqa: E402
from sdg_ci.validate.profiles import Profile  # noqa: E402

DEFAULT_CORPUS = PROJECT.parent / "shared" / "corpus"

MODES = {
    "pr_ci": Profile("pr_ci", "", False, False, True),
    "file_version_mode": Profile("file_version_mode", "", True, False, False),
    "default": Profile("default", "", False, False, False),
}

# rule code -> why we reject what the reference accepts
DELIBERATE = {
    "Q012": "files over the 1 MiB limit are refused unread (the reference spends seconds on "
    "them and accepts 2 MB of pasted text)",
    "Q104": "text of only blanks counts as empty (the reference's minLength counts a space)",
    "Q102": "unknown keys inside a knowledge question/answer pair are errors, as at every "
    "other level (the v3 schema forgot unevaluatedProperties there)",
    "Q107": "`version: 3.0` is not an integer (jsonschema treats 3.0 as 3)",
    "Q021": "a qna.yaml outside compositional_skills/ and knowledge/ is an error (the "
    "reference validates it by content and the CI never looks at it)",
    "Q023": "a top level of 0 or false is not a mapping (the reference calls it empty)",
    "Q005": "duplicate keys are errors even where the reference runs no yamllint (version 1 "
    "files in file mode)",
    "Q031": "an attribution.txt of blank lines is empty",
}


@dataclass
class Tally:
    files: int = 0
    agree: int = 0
    deliberate: list = field(default_factory=list)  # (path, codes)
    unexplained: list = field(default_factory=list)  # (path, ref verdict, ours, detail)
    ref_errors: int = 0
    ref_errors_located: int = 0
    unlocated: list = field(default_factory=list)


def records(corpus: Path):
    for subset in ("real", "mutants"):
        for line in (corpus / subset / "verdicts.jsonl").read_text().splitlines():
            record = json.loads(line)
            yield subset, record


def check(corpus: Path, subset: str, record: dict, profile: Profile) -> FileResult:
    rel = Path(record["path"])
    root = corpus / subset / rel.parts[0]
    (result,) = validate(
        [corpus / subset / rel], profile, root=root, settings=ValidateSettings(), jobs=1
    )
    return result


def reference_verdict(record: dict, mode: str) -> tuple[bool, list]:
    if mode == "default":
        return record["valid"], record.get("error_details", [])
    return record[mode]["valid"], []


def located(detail: dict, result: FileResult) -> bool:
    source = detail.get("source")
    if source == "schema":
        path = detail.get("yaml_path") or "."
        prefix = "" if path == "." else path
        return any(d.yaml_path.startswith(prefix) for d in result.errors)
    if source == "yamllint":
        line, col = int(detail["line"]), int(detail["col"])
        return any((d.line, d.column) == (line, col) for d in result.errors + result.warnings)
    return True  # parser, attribution and exception messages have no place to compare


def run(corpus: Path) -> dict[str, Tally]:
    tallies = {mode: Tally() for mode in MODES}
    for subset, record in records(corpus):
        for mode, profile in MODES.items():
            tally = tallies[mode]
            ref_valid, details = reference_verdict(record, mode)
            result = check(corpus, subset, record, profile)
            tally.files += 1
            name = f"{subset}/{record['path']}"
            if result.valid == ref_valid:
                tally.agree += 1
            else:
                codes = sorted({d.code for d in result.errors})
                if not ref_valid or not set(codes) <= set(DELIBERATE):
                    detail = [f"{d.code} {d.message[:80]}" for d in result.errors[:3]]
                    tally.unexplained.append((name, ref_valid, result.valid, detail))
                else:
                    tally.deliberate.append((name, codes))
            if not ref_valid and not result.valid:
                for d in details:
                    if d.get("source") in ("schema", "yamllint"):
                        tally.ref_errors += 1
                        if located(d, result):
                            tally.ref_errors_located += 1
                        else:
                            tally.unlocated.append((name, d["source"], d["message"][:80]))
    return tallies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--details", action="store_true", help="list every deliberate difference")
    args = ap.parse_args(argv)
    if not (args.corpus / "real" / "verdicts.jsonl").is_file():
        print(f"no corpus at {args.corpus}; nothing compared")
        return 0
    tallies = run(args.corpus)
    bad = 0
    for mode, t in tallies.items():
        print(
            f"{mode:18} {t.agree:4}/{t.files} verdicts agree, {len(t.deliberate)} deliberate "
            f"differences, {len(t.unexplained)} unexplained; reference errors located: "
            f"{t.ref_errors_located}/{t.ref_errors}"
        )
        for name, ref_valid, ours, detail in t.unexplained:
            bad += 1
            print(f"  UNEXPLAINED {name}: reference valid={ref_valid}, ours valid={ours} {detail}")
        for name, source, message in t.unlocated:
            print(f"  not located ({source}): {name}: {message}")
        if args.details:
            for name, codes in t.deliberate:
                print(f"  deliberate {','.join(codes)}: {name}")
    print("deliberate differences (we reject, the reference accepts):")
    for code, why in DELIBERATE.items():
        print(f"  {code}: {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
