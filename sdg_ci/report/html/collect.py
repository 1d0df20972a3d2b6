"""Reading a run's output folder into the report's data: the records a run left, nothing else.

Why only files: the report is written at the end of `check`, `generate` and `build` and by
`sdg-ci report html OUT_DIR` long after the run, from an artifact zip; it must need nothing
but the folder (and, for seed examples, the taxonomy when it is at hand). Every file is read
defensively: a missing or unreadable one becomes a note in the report, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sdg_ci.errors import SdgCiError

SUMMARY_FILE = "summary.json"
CHECK_FILE = "check.json"
BALANCE_FILE = "balance.json"
MANIFEST_FILE = "manifest.json"  # marks a dataset folder (`sdg-ci build --out`)
LAST_RUN = "last_run"  # a dataset folder keeps its latest generation run here
MAX_TEXT = 20_000  # characters kept of any one text field; the JSONL has the rest
MAX_SEEDS = 200  # seed examples shown per leaf


@dataclass
class ReportData:
    """What the page shows, as plain JSON-able values (the page's one input)."""

    run: dict = field(default_factory=dict)  # scale, models, usage, wall_s, tool_version
    check: dict | None = None  # verdict, problems, invalid files, failed gates
    leaves: list[dict] = field(default_factory=list)  # summary numbers + seeds per leaf
    rows: list[dict] = field(default_factory=list)  # every kept pair and rejected row
    balance: dict | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"run": self.run, "check": self.check, "leaves": self.leaves,
                "rows": self.rows, "balance": self.balance, "notes": self.notes}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"… ({len(text) - MAX_TEXT} more characters in the JSONL)"
    return text


def _read_json(path: Path, notes: list[str]) -> dict | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        notes.append(f"{path.name}: unreadable ({exc})")
        return None
    if not isinstance(data, dict):
        notes.append(f"{path.name}: not a JSON object")
        return None
    return data


def _inside(base: Path, rel: object) -> Path | None:
    """`base/rel` when rel is a plain relative path that stays inside base."""
    if not isinstance(rel, str) or not rel:
        return None
    parts = PurePosixPath(rel).parts
    if PurePosixPath(rel).is_absolute() or ".." in parts:
        return None
    return base.joinpath(*parts)


def _read_jsonl(path: Path, notes: list[str]) -> list[dict]:
    records: list[dict] = []
    bad = 0
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    bad += 1
                    continue
                if isinstance(record, dict):
                    records.append(record)
                else:
                    bad += 1
    except (OSError, UnicodeDecodeError) as exc:
        notes.append(f"{path.name}: unreadable ({exc})")
    if bad:
        notes.append(f"{path}: {bad} lines are not JSON records (skipped)")
    return records


def score_fields(scores: object) -> tuple[int | None, str | None, list[list[str]], list[str]]:
    """(rating, question-critic verdict, [[score, value]...], critic reasons) of a row.

    Scores are nested per stage (`question_critic`, `pair_rating`, `pair_eval`); the page
    shows them flat, and the reasons apart, because those are what a reviewer reads."""
    rating: int | None = None
    verdict: str | None = None
    flat: list[list[str]] = []
    reasons: list[str] = []
    if not isinstance(scores, dict):
        return rating, verdict, flat, reasons
    for stage, values in scores.items():
        if not isinstance(values, dict):
            flat.append([str(stage), _text(values) or ""])
            continue
        for key, value in values.items():
            if key == "reason" or key.endswith("_reason"):
                if value:
                    reasons.append(f"{stage}: {_text(value)}")
                continue
            flat.append([f"{stage}.{key}", _text(value) or ""])
            if key == "rating" and isinstance(value, int) and not isinstance(value, bool):
                rating = value
            if key == "verdict" and stage == "question_critic":
                verdict = str(value)
    return rating, verdict, flat, reasons


def _row(leaf: int, record: dict, kept: bool) -> dict:
    meta = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    rating, verdict, scores, reasons = score_fields(meta.get("scores"))
    if kept:
        messages = record.get("messages") if isinstance(record.get("messages"), list) else []
        by_role = {m.get("role"): m.get("content") for m in messages if isinstance(m, dict)}
        question, answer, context = by_role.get("user"), by_role.get("assistant"), None
        stage, reason_class, reason = "kept", None, None
    else:
        question, answer = record.get("question"), record.get("answer")
        context = record.get("context")
        stage = str(record.get("stage") or "unknown")
        reason_class = str(record.get("reason_class") or "unknown")
        reason = record.get("reason")
        if question is None and record.get("where"):  # a failed call: no row, a place
            question = f"({record.get('lost_rows', '?')} rows lost at {record.get('where')})"
    chunk = " > ".join(str(p) for p in (meta.get("chunk_source"), meta.get("chunk_heading"))
                       if p)
    row = {"l": leaf, "s": stage, "c": reason_class, "m": _text(reason), "r": rating,
           "v": verdict, "k": scores, "w": reasons, "q": _text(question), "a": _text(answer),
           "x": _text(context), "id": _text(meta.get("row_id")), "ch": chunk or None,
           "raw": _text(record.get("raw"))}
    return {key: value for key, value in row.items() if value not in (None, [], "")}


def seed_examples(taxonomy_root: Path, leaf_path: str) -> tuple[list[dict], str | None]:
    """A leaf's seed examples, flat ({context?, question, answer}), or why there are none."""
    from sdg_ci.taxonomy.leaf import LeafReadError, is_leaf_path, load_leaf

    path = _inside(taxonomy_root, leaf_path)
    if not is_leaf_path(leaf_path) or path is None:
        return [], f"{leaf_path}: not a leaf path; no seed examples"
    if not path.is_file():
        return [], None  # not this taxonomy's leaf (or since deleted): counted by the caller
    try:
        leaf = load_leaf(taxonomy_root, leaf_path)
    except (LeafReadError, OSError) as exc:
        return [], f"{leaf_path}: seed examples unreadable ({exc})"
    examples = leaf.data.get("seed_examples") if isinstance(leaf.data, dict) else None
    seeds: list[dict] = []
    for example in examples if isinstance(examples, list) else []:
        if not isinstance(example, dict):
            continue
        pairs = example.get("questions_and_answers")
        if isinstance(pairs, list):  # knowledge: one context, several Q&A
            seeds += [{"x": _text(example.get("context")), "q": _text(p.get("question")),
                       "a": _text(p.get("answer"))} for p in pairs if isinstance(p, dict)]
        else:
            seeds.append({"x": _text(example.get("context")), "q": _text(example.get("question")),
                          "a": _text(example.get("answer"))})
    seeds = [{k: v for k, v in s.items() if v} for s in seeds[:MAX_SEEDS]]
    return seeds, None


LEAF_NUMBERS = ("seeds", "questions_generated", "questions_kept", "answered", "pairs_kept",
                "duplicates", "degenerate", "parse_failures", "errors", "seed_leakage",
                "mean_rating", "faithfulness_rate", "teacher_too_weak", "critic_too_weak",
                "wall_s")


def _stage_out(leaf: dict, key: str, stages: list[dict], *names: str) -> int | None:
    """A funnel step as the markdown summary counts it (`report/render.py`): the field, or
    for a summary written before the field, the named stages' rows out; None when neither
    says (the page shows –)."""
    value = leaf.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value:
        return value
    outs = [s.get("out") for s in stages if s.get("stage") in names]
    outs = [o for o in outs if isinstance(o, int) and not isinstance(o, bool)]
    if outs:
        return sum(outs)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _leaf_entry(leaf: dict) -> dict:
    entry = {"path": str(leaf.get("path", "?")), "kind": str(leaf.get("kind", "?")),
             "status": str(leaf.get("status", ""))}
    entry.update({key: leaf.get(key) for key in LEAF_NUMBERS})
    histogram = leaf.get("rating_histogram")
    entry["histogram"] = ({str(k): v for k, v in histogram.items() if isinstance(v, int)}
                          if isinstance(histogram, dict) else {})
    stages = leaf.get("stages") if isinstance(leaf.get("stages"), list) else []
    entry["stages"] = [{"stage": str(s.get("stage")), "in": s.get("rows_in", 0),
                        "out": s.get("rows_out", 0), "dropped": s.get("dropped") or {}}
                       for s in stages if isinstance(s, dict)]
    # the funnel's steps the markdown summary shows between the older fields
    entry["questions_new"] = _stage_out(leaf, "questions_new", entry["stages"], "dedup")
    entry["pairs_rated"] = _stage_out(leaf, "pairs_rated", entry["stages"], "pair_rating",
                                      "pair_eval")
    rejected = leaf.get("rejected_rows")
    entry["summary_rejected_rows"] = (rejected if isinstance(rejected, int)
                                      and not isinstance(rejected, bool) else None)
    weak = leaf.get("weak_critic")
    entry["weak_critic"] = [str(w) for w in weak] if isinstance(weak, list) else []
    entry["failure"] = _text(leaf.get("failure"))
    entry["notes"] = [str(n) for n in leaf.get("notes") or []]
    return entry


def _run_entry(summary: dict) -> dict:
    entry = {key: summary.get(key) for key in
             ("tool_version", "scale", "models", "usage", "wall_s", "notes")}
    weak = summary.get("weak_critic_leaves")
    entry["weak_critic_leaves"] = [str(p) for p in weak] if isinstance(weak, list) else []
    # `failed_leaves` is a property of RunSummary, not a field: derived from each leaf
    entry["failed_leaves"] = [{"path": str(leaf.get("path", "?")),
                               "failure": _text(leaf.get("failure"))}
                              for leaf in summary.get("leaves") or []
                              if isinstance(leaf, dict) and leaf.get("failure")]
    return entry


def _check_entry(check: dict) -> dict:
    validation = check.get("validation") if isinstance(check.get("validation"), list) else []
    gates = check.get("gates") if isinstance(check.get("gates"), list) else []
    return {
        "verdict": check.get("verdict"),
        "problems": check.get("problems") or [],
        "base": check.get("base"),
        "head": check.get("head"),
        "changes": [{"path": c.get("path"), "status": c.get("status")}
                    for c in check.get("changes") or [] if isinstance(c, dict)],
        "invalid": [{"path": f.get("path"),
                     "errors": [f"{d.get('line')}:{d.get('column')} {d.get('code')} "
                                f"{d.get('message')}" for d in f.get("errors") or []
                                if isinstance(d, dict)]}
                    for f in validation if isinstance(f, dict) and not f.get("valid", True)],
        "gates_failed": [g for g in gates if isinstance(g, dict) and not g.get("passed", True)],
        "generation_skipped": check.get("generation_skipped"),
        "generation_error": check.get("generation_error"),
    }


def _run_folder(out_dir: Path, notes: list[str]) -> Path:
    """Where the generation run's files are: the folder, or a dataset's `last_run/`."""
    last_run = out_dir / LAST_RUN
    if (last_run / SUMMARY_FILE).is_file():
        return last_run
    if (out_dir / MANIFEST_FILE).is_file() and (out_dir / SUMMARY_FILE).is_file():
        notes.append("this build generated no leaf: the generation shown is an earlier "
                     "build's, and its rows are no longer in the dataset folder")
    return out_dir


def collect(out_dir: Path, taxonomy_root: Path | None = None) -> ReportData:
    """Everything the report shows, from the files a run left in `out_dir`."""
    out_dir = Path(out_dir)
    data = ReportData()
    notes = data.notes
    run_dir = _run_folder(out_dir, notes)
    summary = _read_json(run_dir / SUMMARY_FILE, notes)
    check = _read_json(out_dir / CHECK_FILE, notes)
    balance = _read_json(out_dir / BALANCE_FILE, notes)
    if summary is None and check is None and balance is None:
        if not (out_dir / MANIFEST_FILE).is_file():
            raise SdgCiError(f"{out_dir}: no {SUMMARY_FILE}, {CHECK_FILE} or "
                             f"{MANIFEST_FILE}: not the output folder of an sdg-ci run")
        notes.append("this dataset has no generation run to show yet")
    if check is not None:
        data.check = _check_entry(check)
        if summary is None and isinstance(check.get("generation"), dict):
            summary = check["generation"]
    data.balance = balance
    if summary is None:
        return data
    data.run = _run_entry(summary)
    no_seeds = 0
    for index, leaf in enumerate(s for s in summary.get("leaves") or [] if isinstance(s, dict)):
        entry = _leaf_entry(leaf)
        entry["kept_rows"] = entry["rejected_records"] = 0
        entry["examples"] = []
        if taxonomy_root is not None:
            entry["examples"], why = seed_examples(Path(taxonomy_root), entry["path"])
            if why:
                notes.append(why)
            leaf_file = _inside(Path(taxonomy_root), entry["path"])
            no_seeds += not why and not (leaf_file and leaf_file.is_file())
        for key, kept in (("data_file", True), ("rejected_file", False)):
            path = _inside(run_dir, leaf.get(key))
            if path is None or not path.is_file():
                if leaf.get(key):
                    notes.append(f"{entry['path']}: {leaf.get(key)} is missing")
                continue
            rows = [_row(index, record, kept) for record in _read_jsonl(path, notes)]
            entry["kept_rows" if kept else "rejected_records"] = len(rows)
            data.rows += rows
        # rows lost: summary.json's count (a failed call counts every row it lost), or for
        # an older summary the records of rejected.jsonl
        entry["rejected_rows"] = (entry["summary_rejected_rows"]
                                  if entry["summary_rejected_rows"] is not None
                                  else entry["rejected_records"])
        data.leaves.append(entry)
    if no_seeds:
        notes.append(f"seed examples: {no_seeds} leaves not found under {taxonomy_root}")
    return data
