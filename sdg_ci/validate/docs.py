"""docs/rules.md, generated from the rule modules' docstrings.

python -m sdg_ci.validate.docs --write    # regenerate docs/rules.md
python -m sdg_ci.validate.docs --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sdg_ci.validate.profiles import PROFILES
from sdg_ci.validate.rules import RULES

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

GROUPS = (
    ("Q0", "The file and its YAML"),
    ("Q1", "The schema"),
    ("Q2", "yamllint"),
    ("Q3", "Checks the reference tools do not make"),
)

INTRO = """\
Every problem `sdg-ci validate` reports carries one of these codes. Errors make a file
invalid (exit status 1); warnings do not. Any rule's level can be changed, or the rule
turned off, in the taxonomy's `.sdg-ci.yaml`:

```yaml
validate:
  profile: taxonomy-ci        # or ilab
  max_file_bytes: 1048576     # Q012
  rules:
    Q302: error               # a moving document.commit fails the check
    Q307: "off"
```

yamllint's own rules (Q200) are configured the yamllint way: a `.yamllint`,
`.yamllint.yaml` or `.yamllint.yml` at the taxonomy root replaces the default
(`relaxed` with `line-length` disabled, as the reference)."""


def render() -> str:
    out = [
        "# Validation rules",
        "",
        "<!-- Generated from the docstrings in sdg_ci/validate/rules/ by",
        "     `python -m sdg_ci.validate.docs --write`; edit those, not this file. -->",
        "",
        INTRO,
        "",
        "## Profiles",
        "",
        "| profile | what it applies |",
        "| --- | --- |",
    ]
    out += [f"| `{p.name}` | {p.description} |" for p in PROFILES.values()]
    out += [
        "",
        "## All codes",
        "",
        "| code | name | default level | summary |",
        "| --- | --- | --- | --- |",
    ]
    for rule in RULES:
        level = "as yamllint reports" if rule.severity == "yamllint" else rule.severity
        out.append(
            f"| [{rule.code}](#{rule.code.lower()}) | `{rule.name}` | {level} | {rule.summary} |"
        )
    for prefix, title in GROUPS:
        out += ["", f"## {title}"]
        for rule in (r for r in RULES if r.code.startswith(prefix)):
            level = "as yamllint reports" if rule.severity == "yamllint" else rule.severity
            out += ["", f"### {rule.code}", "", f"`{rule.name}` · default level: {level}", ""]
            out.append(rule.summary)
            if rule.doc:
                out += ["", rule.doc]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/rules.md from the rules.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write docs/rules.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when it is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
        return 0
    if args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is out of date: run python -m sdg_ci.validate.docs --write")
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
