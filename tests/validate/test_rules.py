"""Every rule against real qna.yaml fixtures: exact code, line, column, message, yaml path.

The fixtures live in tests/fixtures/validate/taxonomy/ (a taxonomy root, written for this
project): valid leaves under */valid/, one problem per leaf under */cases/. The tables are
the whole answer for each file, so a new or missing diagnostic fails the test.
"""

# ruff: noqa: E501  (the expected messages are kept whole, one per line)
from __future__ import annotations

from pathlib import Path

import pytest

from sdg_ci.validate import find_leaves, validate
from sdg_ci.validate.rules import BY_CODE

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "taxonomy"

TAXONOMY_CI = {
    "compositional_skills/cases/Upper Case/qna.yaml": [
        (
            "warning",
            1,
            1,
            "Q311",
            'folder name "Upper Case" has spaces and upper-case letters; taxonomy folders are lower case with underscores (e.g. "upper_case")',
            "",
        ),
    ],
    "compositional_skills/cases/answer_date/qna.yaml": [
        (
            "error",
            10,
            13,
            "Q103",
            'seed_examples[2].answer must be text, but YAML read 2024-01-01 as a date; put it in quotes ("2024-01-01") to keep it as text',
            ".seed_examples[2].answer",
        ),
    ],
    "compositional_skills/cases/answer_null/qna.yaml": [
        (
            "error",
            10,
            12,
            "Q103",
            "seed_examples[2].answer must be text, but it has no value",
            ".seed_examples[2].answer",
        ),
    ],
    "compositional_skills/cases/answer_yes/qna.yaml": [
        (
            "error",
            10,
            13,
            "Q103",
            'seed_examples[2].answer must be text, but YAML read the unquoted word yes as the boolean true; put it in quotes ("yes") to keep it as text',
            ".seed_examples[2].answer",
        ),
    ],
    "compositional_skills/cases/billion_laughs/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q002",
            "YAML aliases expand to more than 1,000,000 nodes (an alias bomb such as 'billion laughs'?); refusing to load it",
            "",
        ),
    ],
    "compositional_skills/cases/blank_answer/qna.yaml": [
        (
            "error",
            8,
            13,
            "Q104",
            "seed_examples[1].answer contains only blanks; write the answer you want the model to give",
            ".seed_examples[1].answer",
        ),
    ],
    "compositional_skills/cases/boolean_under_unknown_key/qna.yaml": [
        (
            "error",
            15,
            1,
            "Q102",
            'unknown key "review"; allowed keys: created_by, seed_examples, task_description, version',
            ".review",
        ),
        (
            "warning",
            16,
            13,
            "Q313",
            'YAML read the unquoted word yes as the boolean true; put it in quotes ("yes") if you meant the word',
            ".review.approved",
        ),
    ],
    "compositional_skills/cases/comments_only/qna.yaml": [
        ("warning", 1, 1, "Q022", "the file is empty: there is nothing to check", ""),
    ],
    "compositional_skills/cases/control_character/qna.yaml": [
        (
            "error",
            10,
            26,
            "Q001",
            "YAML syntax error: unacceptable character #x0008: control characters are not allowed; delete it (control characters often come along when text is copied from another program)",
            "",
        ),
    ],
    "compositional_skills/cases/created_by_number/qna.yaml": [
        (
            "error",
            3,
            13,
            "Q103",
            'created_by must be text, but YAML read 12345 as a number; put it in quotes ("12345") to keep it as text',
            ".created_by",
        ),
    ],
    "compositional_skills/cases/duplicate_key/qna.yaml": [
        (
            "error",
            4,
            1,
            "Q005",
            'key "created_by" appears twice in the same mapping (first on line 3); YAML keeps only the last value: delete one of them',
            ".created_by",
        ),
    ],
    "compositional_skills/cases/duplicate_seed/qna.yaml": [
        (
            "error",
            13,
            5,
            "Q106",
            "seed_examples[4] repeats seed_examples[1]; each item must be unique",
            ".seed_examples[4]",
        ),
    ],
    "compositional_skills/cases/empty/qna.yaml": [
        ("warning", 1, 1, "Q022", "the file is empty: there is nothing to check", ""),
    ],
    "compositional_skills/cases/empty_attribution/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q031",
            "attribution.txt beside this file is empty; name the title, link, licence and creators of the sources of the seed examples",
            "",
        ),
    ],
    "compositional_skills/cases/empty_question/qna.yaml": [
        (
            "error",
            7,
            15,
            "Q104",
            "seed_examples[1].question is empty; write a question a user could ask",
            ".seed_examples[1].question",
        ),
    ],
    "compositional_skills/cases/four_seeds/qna.yaml": [
        (
            "error",
            5,
            3,
            "Q105",
            "seed_examples has 4 items; at least 5 are required",
            ".seed_examples",
        ),
    ],
    "compositional_skills/cases/knowledge_shaped/qna.yaml": [
        (
            "error",
            15,
            1,
            "Q102",
            'unknown key "document": skills have no document; knowledge leaves (under knowledge/) do',
            ".document",
        ),
    ],
    "compositional_skills/cases/long_seeds/qna.yaml": [
        (
            "warning",
            5,
            3,
            "Q307",
            "the seed examples hold 2,420 words in total; keep a skill under about 2,300 words so they fit the teacher model's prompt",
            ".seed_examples",
        ),
        (
            "warning",
            6,
            13,
            "Q306",
            "seed_examples[0].answer has 477 words; keep each answer under 250 words",
            ".seed_examples[0].answer",
        ),
        (
            "warning",
            8,
            13,
            "Q306",
            "seed_examples[1].answer has 477 words; keep each answer under 250 words",
            ".seed_examples[1].answer",
        ),
        (
            "warning",
            10,
            13,
            "Q306",
            "seed_examples[2].answer has 477 words; keep each answer under 250 words",
            ".seed_examples[2].answer",
        ),
        (
            "warning",
            12,
            13,
            "Q306",
            "seed_examples[3].answer has 477 words; keep each answer under 250 words",
            ".seed_examples[3].answer",
        ),
        (
            "warning",
            14,
            13,
            "Q306",
            "seed_examples[4].answer has 477 words; keep each answer under 250 words",
            ".seed_examples[4].answer",
        ),
    ],
    "compositional_skills/cases/misnamed/qna.yml": [
        (
            "error",
            1,
            1,
            "Q020",
            'taxonomy file must be named "qna.yaml"; "qna.yml" is not a valid name: rename it',
            "",
        ),
    ],
    "compositional_skills/cases/missing_created_by/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "created_by" is missing (your GitHub username)',
            ".created_by",
        ),
    ],
    "compositional_skills/cases/mixed_grounded_freeform/qna.yaml": [
        (
            "warning",
            5,
            3,
            "Q309",
            "seed_examples[2] has a context and seed_examples[0], [1], [3] and [4] do not; a skill is either grounded (a context in every example) or freeform (none)",
            ".seed_examples",
        ),
    ],
    "compositional_skills/cases/no_attribution/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q030",
            "attribution.txt is missing beside this file; add one naming the title, link, licence and creators of the sources of the seed examples",
            "",
        ),
    ],
    "compositional_skills/cases/no_version/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "version" is missing (the schema version: write `version: 3`)',
            ".version",
        ),
    ],
    "compositional_skills/cases/placeholder/qna.yaml": [
        (
            "warning",
            3,
            13,
            "Q314",
            "created_by still holds the template placeholder '<your GitHub username>'; replace it with the real value",
            ".created_by",
        ),
    ],
    "compositional_skills/cases/seed_not_mapping/qna.yaml": [
        (
            "error",
            13,
            5,
            "Q103",
            "seed_examples[4] must be a mapping with the keys question, answer, but it is the text 'How many metres are in 7 kilometres?'",
            ".seed_examples[4]",
        ),
    ],
    "compositional_skills/cases/syntax_error/qna.yaml": [
        (
            "error",
            9,
            20,
            "Q001",
            "YAML syntax error: mapping values are not allowed in this context",
            "",
        ),
    ],
    "compositional_skills/cases/tab_indent/qna.yaml": [
        (
            "error",
            10,
            1,
            "Q001",
            "YAML syntax error: while scanning a plain scalar, found a tab character that violates indentation",
            "",
        ),
    ],
    "compositional_skills/cases/top_level_list/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q023",
            "the top level must be a mapping of keys (version, created_by, seed_examples, ...), but it is a list of 1 item",
            "",
        ),
    ],
    "compositional_skills/cases/top_level_scalar/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q023",
            "the top level must be a mapping of keys (version, created_by, seed_examples, ...), but it is the text 'just some text'",
            "",
        ),
    ],
    "compositional_skills/cases/trailing_spaces/qna.yaml": [
        ("error", 6, 51, "Q200", "trailing spaces (trailing-spaces)", ""),
    ],
    "compositional_skills/cases/two_documents/qna.yaml": [
        (
            "error",
            15,
            1,
            "Q001",
            "YAML syntax error: expected a single document in the stream, but found another document",
            "",
        ),
    ],
    "compositional_skills/cases/undefined_alias/qna.yaml": [
        (
            "error",
            10,
            13,
            "Q001",
            "YAML syntax error: found undefined alias *minutes: no anchor &minutes is defined before it",
            "",
        ),
    ],
    "compositional_skills/cases/unknown_key_typo/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "task_description" is missing (what the skill teaches; the teacher model reads it)',
            ".task_description",
        ),
        (
            "error",
            2,
            1,
            "Q102",
            'unknown key "task_descripton" (did you mean "task_description"?)',
            ".task_descripton",
        ),
    ],
    "compositional_skills/cases/v1_empty_task/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q109",
            "version is 1, but the taxonomy CI checks every changed file against schema version 3; set `version: 3` and update the file to the version 3 format",
            ".version",
        ),
        (
            "error",
            2,
            19,
            "Q104",
            "task_description is empty; write what the skill teaches; the teacher model reads it",
            ".task_description",
        ),
    ],
    "compositional_skills/cases/v1_trailing_spaces/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "version" is missing (the schema version: write `version: 3`)',
            ".version",
        ),
        ("error", 5, 51, "Q200", "trailing spaces (trailing-spaces)", ""),
    ],
    "compositional_skills/cases/version_2/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q109",
            "version is 2, but the taxonomy CI checks every changed file against schema version 3; set `version: 3` and update the file to the version 3 format",
            ".version",
        ),
    ],
    "compositional_skills/cases/version_4/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q108",
            "version 4 does not exist; the schema versions are 1, 2 and 3",
            ".version",
        ),
    ],
    "compositional_skills/cases/version_float/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q107",
            "version must be one of the whole numbers 1, 2 or 3, but 3.0 is a decimal number",
            ".version",
        ),
    ],
    "compositional_skills/cases/version_string/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q107",
            'version must be one of the whole numbers 1, 2 or 3, but "3" is text (in quotes): write `version: 3`',
            ".version",
        ),
    ],
    "compositional_skills/valid/freeform/qna.yaml": [],
    "compositional_skills/valid/grounded/qna.yaml": [],
    "foundational_skills/cases/reasoning/qna.yaml": [
        (
            "warning",
            1,
            1,
            "Q312",
            "foundational_skills/ is not read by any tool (only compositional_skills/ and knowledge/ are); move the leaf under compositional_skills/ or delete it",
            "",
        ),
    ],
    "knowledge/cases/bad_indentation/qna.yaml": [
        ("warning", 57, 4, "Q200", "wrong indentation: expected 2 but found 3 (indentation)", ""),
    ],
    "knowledge/cases/commit_branch/qna.yaml": [
        (
            "warning",
            58,
            11,
            "Q302",
            "document.commit 'main' is not a full 40-character commit SHA; a branch or a short SHA can move, so pin the exact commit",
            ".document.commit",
        ),
    ],
    "knowledge/cases/document_list/qna.yaml": [
        (
            "error",
            57,
            3,
            "Q103",
            "document must be a mapping with the keys repo, commit, patterns, but it is a list of 1 item",
            ".document",
        ),
    ],
    "knowledge/cases/duplicate_context/qna.yaml": [
        (
            "warning",
            16,
            14,
            "Q308",
            "seed_examples[1].context repeats seed_examples[0].context; give each seed example its own passage",
            ".seed_examples[1].context",
        ),
    ],
    "knowledge/cases/duplicate_pattern/qna.yaml": [
        (
            "error",
            61,
            7,
            "Q106",
            "document.patterns[1] repeats document.patterns[0]; each item must be unique",
            ".document.patterns[1]",
        ),
    ],
    "knowledge/cases/duplicate_qa/qna.yaml": [
        (
            "error",
            24,
            9,
            "Q106",
            "seed_examples[1].questions_and_answers[2] repeats seed_examples[1].questions_and_answers[0]; each item must be unique",
            ".seed_examples[1].questions_and_answers[2]",
        ),
    ],
    "knowledge/cases/four_qas/qna.yaml": [
        (
            "warning",
            10,
            7,
            "Q301",
            "seed_examples[0] has 4 questions_and_answers; generation uses only the first 3, so 1 is ignored",
            ".seed_examples[0].questions_and_answers",
        ),
    ],
    "knowledge/cases/long_answer/qna.yaml": [
        (
            "warning",
            13,
            17,
            "Q306",
            "seed_examples[0].questions_and_answers[1].answer has 265 words; keep each answer under 250 words",
            ".seed_examples[0].questions_and_answers[1].answer",
        ),
    ],
    "knowledge/cases/long_context/qna.yaml": [
        (
            "warning",
            6,
            14,
            "Q305",
            "seed_examples[0].context has 528 words; keep a context under 500 words so it fits the teacher model's prompt",
            ".seed_examples[0].context",
        ),
    ],
    "knowledge/cases/missing_outline/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "document_outline" is missing (a short summary of the document)',
            ".document_outline",
        ),
    ],
    "knowledge/cases/pattern_txt/qna.yaml": [
        (
            "warning",
            60,
            7,
            "Q304",
            "document.patterns[0] 'tides.txt' does not end in .md or .pdf; generation reads only Markdown and PDF documents",
            ".document.patterns[0]",
        ),
    ],
    "knowledge/cases/patterns_string/qna.yaml": [
        (
            "error",
            59,
            13,
            "Q103",
            "document.patterns must be a list, but it is the text 'tides.md'",
            ".document.patterns",
        ),
    ],
    "knowledge/cases/qa_extra_key/qna.yaml": [
        (
            "error",
            14,
            9,
            "Q102",
            'unknown key "hint" in seed_examples[0].questions_and_answers[1]; allowed keys: answer, question',
            ".seed_examples[0].questions_and_answers[1].hint",
        ),
    ],
    "knowledge/cases/repo_not_url/qna.yaml": [
        (
            "warning",
            57,
            9,
            "Q303",
            "document.repo 'my knowledge docs' is not an https URL; give the https address of the git repository holding the documents (e.g. https://github.com/you/docs)",
            ".document.repo",
        ),
    ],
    "knowledge/cases/seed_examples_typo/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q101",
            'required key "seed_examples" is missing (the examples that generation starts from)',
            ".seed_examples",
        ),
        (
            "error",
            5,
            1,
            "Q102",
            'unknown key "seed examples" (did you mean "seed_examples"?)',
            ".seed examples",
        ),
    ],
    "knowledge/cases/short_outline/qna.yaml": [
        (
            "warning",
            4,
            19,
            "Q310",
            "document_outline is 5 characters long; describe the document in at least 40 characters (the teacher model reads it)",
            ".document_outline",
        ),
    ],
    "knowledge/cases/task_description/qna.yaml": [
        (
            "error",
            3,
            1,
            "Q102",
            'unknown key "task_description": version 3 knowledge leaves have no task_description; describe the document in document_outline instead',
            ".task_description",
        ),
    ],
    "knowledge/cases/two_qas/qna.yaml": [
        (
            "error",
            10,
            7,
            "Q105",
            "seed_examples[0].questions_and_answers has 2 items; at least 3 are required",
            ".seed_examples[0].questions_and_answers",
        ),
    ],
    "knowledge/cases/version_2/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q109",
            "version is 2, but the taxonomy CI checks every changed file against schema version 3; set `version: 3` and update the file to the version 3 format",
            ".version",
        ),
    ],
    "knowledge/valid/tides/qna.yaml": [],
    "docs/examples/qna.yaml": [
        (
            "error",
            1,
            1,
            "Q021",
            "file is not under compositional_skills/ or knowledge/, so no tool reads it; move it under one of them",
            "",
        ),
    ],
}
# the ilab profile: the file's own version, yamllint warnings are errors, no attribution
ILAB_DIFFERS = {
    "compositional_skills/cases/empty_attribution/qna.yaml": [],
    "compositional_skills/cases/no_attribution/qna.yaml": [],
    "compositional_skills/cases/no_version/qna.yaml": [],
    "compositional_skills/cases/v1_empty_task/qna.yaml": [],
    "compositional_skills/cases/v1_trailing_spaces/qna.yaml": [],
    "compositional_skills/cases/version_2/qna.yaml": [],
    "knowledge/cases/bad_indentation/qna.yaml": [
        ("error", 57, 4, "Q200", "wrong indentation: expected 2 but found 3 (indentation)", ""),
    ],
    "knowledge/cases/version_2/qna.yaml": [
        (
            "error",
            1,
            10,
            "Q108",
            "version 2 is not supported for knowledge; the minimum is 3: set `version: 3` and use the version 3 format (document_outline, questions_and_answers)",
            ".version",
        ),
    ],
}


def _rows(result):
    return [
        (d.severity, d.line, d.column, d.code, d.message, d.yaml_path)
        for d in sorted([*result.errors, *result.warnings])
    ]


@pytest.fixture(scope="module")
def results():
    leaves = [
        *find_leaves(ROOT),
        "docs/examples/qna.yaml",
        "foundational_skills/cases/reasoning/qna.yaml",
    ]
    return {
        profile: {r.path: r for r in validate(leaves, profile, root=ROOT, jobs=1)}
        for profile in ("taxonomy-ci", "ilab")
    }


def test_the_tables_cover_every_fixture(results):
    assert set(results["taxonomy-ci"]) == set(TAXONOMY_CI)


@pytest.mark.parametrize("path", sorted(TAXONOMY_CI))
def test_taxonomy_ci_profile(results, path):
    result = results["taxonomy-ci"][path]
    assert _rows(result) == TAXONOMY_CI[path]
    assert result.valid == (not any(row[0] == "error" for row in TAXONOMY_CI[path]))


@pytest.mark.parametrize("path", sorted(TAXONOMY_CI))
def test_ilab_profile(results, path):
    expected = ILAB_DIFFERS.get(path, TAXONOMY_CI[path])
    assert _rows(results["ilab"][path]) == expected


def test_every_rule_with_a_check_is_exercised_by_a_fixture(results):
    seen = {
        row[3] for table in (TAXONOMY_CI, ILAB_DIFFERS) for rows in table.values() for row in rows
    }
    # Q000 (internal error) and the read refusals Q010-Q015 are made at test time
    # (test_hostile.py): they cannot be committed as files.
    made_elsewhere = {
        *("Q000", "Q003", "Q010", "Q011", "Q012", "Q013", "Q014", "Q015", "Q016", "Q315")
    }
    assert set(BY_CODE) - made_elsewhere <= seen


def test_walking_the_taxonomy_skips_qna_files_outside_the_leaf_folders():
    leaves = find_leaves(ROOT)
    assert "docs/examples/qna.yaml" not in leaves
    assert "foundational_skills/cases/reasoning/qna.yaml" not in leaves
    assert "compositional_skills/cases/misnamed/qna.yml" in leaves
    assert all(not p.endswith("attribution.txt") for p in leaves)


def test_a_folder_named_outside_the_leaf_folders_is_searched_whole():
    # `sdg-ci validate foundational_skills` tells its files are not read (Q312), rather
    # than "no qna.yaml files found" in a folder that holds one
    assert find_leaves(ROOT, [ROOT / "foundational_skills"]) == [
        "foundational_skills/cases/reasoning/qna.yaml"
    ]
    assert find_leaves(ROOT, [ROOT]) == find_leaves(ROOT)
