"""Check summaries built by hand for the rendering and publishing tests."""

from sdg_ci.config import GatesConfig
from sdg_ci.diagnostics import Diagnostic, FileResult
from sdg_ci.records.check import CheckSummary, PullRequestInfo, check_problems
from sdg_ci.records.diff import LeafChange
from sdg_ci.records.run import (
    LeafSummary,
    ModelInfo,
    PairExample,
    RejectionExample,
    RunSummary,
    Usage,
)
from sdg_ci.report.gates import evaluate

SKILL = "compositional_skills/writing/plurals/qna.yaml"
KNOWLEDGE = "knowledge/science/tides/qna.yaml"
INVALID = "compositional_skills/writing/broken/qna.yaml"
DELETED = "knowledge/history/old/qna.yaml"
HEAD_SHA = "c" * 40


def leaf(path=SKILL, kind="freeform_skill", **kw) -> LeafSummary:
    values = dict(
        path=path,
        kind=kind,
        status="modified",
        seeds=5,
        questions_generated=25,
        questions_new=23,
        questions_kept=18,
        answered=18,
        pairs_rated=13,
        pairs_kept=12,
        rejected_rows=7,
        rating_histogram={"1": 6, "2": 5, "3": 7},
        mean_rating=2.06,
        duplicates=2,
        parse_failures=1,
        kept_examples=[
            PairExample(question="What is the plural of mouse?", answer="Mice.", rating=3),
            PairExample(question="Plural of goose?", answer="Geese.", rating=2),
        ],
        rejections=[
            RejectionExample(stage="question_critic", reason="critic: drop",
                             text="What is the capital of France?", count=4,
                             quote="“off topic”"),
            RejectionExample(stage="dedup", reason="duplicate", text="Plural of mouse?",
                             count=2),
        ],
        usage=Usage(requests=40, cache_hits=2, prompt_tokens=9000, completion_tokens=3000),
        wall_s=31.5,
    )
    values.update(kw)
    return LeafSummary(**values)


def run(*leaves) -> RunSummary:
    leaves = list(leaves) or [leaf()]
    return RunSummary(
        tool_version="0.1.0",
        models=[
            ModelInfo(role="teacher", model="smollm2-135m", endpoint="embedded"),
            ModelInfo(role="critic", model="smollm2-135m", endpoint="embedded"),
        ],
        leaves=leaves,
        usage=Usage(requests=80, cache_hits=4, prompt_tokens=18000, completion_tokens=6000),
        wall_s=75.0,
    )


def check(generation=None, validation=None, changes=None, gates_config=None,
          **kw) -> CheckSummary:
    generation = generation if generation is not None else run()
    if changes is None:
        changes = [LeafChange(path=lf.path, status=lf.status) for lf in generation.leaves]
    summary = CheckSummary(
        base="origin/main",
        merge_base="a" * 40,
        head="b" * 40,
        changes=changes,
        validation=validation
        if validation is not None
        else [valid_file(c.path) for c in changes if c.status != "deleted"],
        generation=generation,
        pull_request=PullRequestInfo(repository="octo/taxonomy", number=7, head_sha=HEAD_SHA,
                                     base_ref="main"),
        out_dir="/tmp/out",
        reproduce="sdg-ci check --base origin/main --no-comment",
        **kw,
    )
    summary.gates = evaluate(generation, gates_config or GatesConfig())
    summary.problems = check_problems(summary)
    summary.verdict = "fail" if summary.problems else "pass"
    return summary


def valid_file(path: str) -> FileResult:
    return FileResult(path=path)


def invalid_file(path=INVALID, message="seed_examples has 3 items; at least 5 are required"):
    return FileResult(
        path=path,
        errors=[Diagnostic(line=12, column=3, code="Q201", message=message,
                         yaml_path=".seed_examples")],
        warnings=[Diagnostic(line=2, column=1, code="Q301", message="document_outline is short",
                           severity="warning")],
    )
