"""Chunking by tokens along headings, and the token estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import SECTION, markdown_doc

from sdg_ci.taxonomy.chunking import (
    Block,
    chunk_blocks,
    chunk_markdown,
    estimate_tokens,
    parse_markdown,
)

EXAMPLE_MD = (Path(__file__).resolve().parents[2] / "examples" / "knowledge-docs"
              / "git-object-store.md").read_text(encoding="utf-8")


# ---- the estimate --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("hello", 1),
        ("hello world", 2),
        ("hello, world.", 4),
        ("internationalization", 3),  # 20 letters: ceil(20 / 7)
        ("2025", 4),  # digits one by one
        ("a\n\nb", 3),  # a newline run is one token
        ("a    b", 3),  # so is a run of spaces
        ("東京都", 3),  # one per CJK character
        ("Zürich", 2),  # non-ASCII letters: ceil(6 / 3)
        ("snake_case", 3),
    ],
)
def test_estimate_tokens(text, tokens):
    assert estimate_tokens(text) == tokens


def test_estimate_is_close_to_a_bpe_count_on_prose():
    # SmolLM2's tokenizer gives 1,906 tokens for this file (measured when calibrating)
    assert 1906 * 0.95 <= estimate_tokens(EXAMPLE_MD) <= 1906 * 1.15


def test_joining_blocks_never_costs_more_than_the_parts():
    blocks = [b.text for b in parse_markdown(EXAMPLE_MD)]
    for a, b in zip(blocks, blocks[1:], strict=False):
        assert estimate_tokens(a + "\n\n" + b) <= estimate_tokens(a) + 1 + estimate_tokens(b)


# ---- Markdown structure --------------------------------------------------------------


def test_parse_markdown_blocks():
    text = (
        "---\ntitle: front matter\n---\n"
        "Intro line one\nintro line two\n\n"
        "# Title #\n\n"
        "```bash\n# not a heading\n\necho hi\n```\n\n"
        "Setext heading\n--------------\n\n"
        "- item one\n- item two\n\n"
        "####### seven hashes is text\n"
    )
    blocks = parse_markdown(text)
    assert [(b.kind, b.level, b.title) for b in blocks] == [
        ("text", 0, ""),
        ("heading", 1, "Title"),
        ("code", 0, ""),
        ("heading", 2, "Setext heading"),
        ("text", 0, ""),
        ("text", 0, ""),
    ]
    assert blocks[0].text == "Intro line one\nintro line two"
    assert (blocks[0].start, blocks[0].end) == (4, 5)
    assert blocks[2].text == "```bash\n# not a heading\n\necho hi\n```"
    assert blocks[4].text == "- item one\n- item two"


def test_unclosed_fence_runs_to_the_end():
    blocks = parse_markdown("# A\n\n```\ncode\n\n# still code\n")
    assert [b.kind for b in blocks] == ["heading", "code"]


# ---- chunk bounds --------------------------------------------------------------------


@pytest.mark.parametrize("target", [100, 200, 300, 500, 800, 1000])
def test_chunks_stay_within_the_target_and_keep_every_word(target):
    for text in (EXAMPLE_MD, markdown_doc(8, 5)):
        chunks = chunk_markdown(text, "doc.md", target)
        assert all(0 < c.tokens <= target for c in chunks)
        assert all(c.tokens == estimate_tokens(c.text) for c in chunks)
        original = " ".join(b.text for b in parse_markdown(text)).split()
        assert " ".join(c.text for c in chunks).split() == original


def test_chunks_are_balanced_not_greedy():
    # one section of ~1.2 targets becomes two halves, not a full chunk and a scrap
    paragraphs = [f"Paragraph {i}. {SECTION}" for i in range(12)]
    text = "# Only\n\n" + "\n\n".join(paragraphs)
    total = estimate_tokens(text)
    target = int(total / 1.2)
    sizes = [c.tokens for c in chunk_markdown(text, "d.md", target)]
    assert len(sizes) == 2
    assert min(sizes) >= 0.35 * total


def test_small_neighbouring_sections_are_merged_and_big_ones_split_at_headings():
    text = markdown_doc(sections=6, paragraphs=4)  # each section ~230 tokens
    chunks = chunk_markdown(text, "d.md", 500)
    for chunk in chunks:
        assert chunk.text.startswith(("# Guide", "## Part")), "every chunk starts at a heading"
    assert any(chunk.text.count("## Part") == 2 for chunk in chunks), "small sections merged"
    headings = [c.heading for c in chunks]
    assert headings[0] == "Guide"
    assert all(h.startswith("Guide > Part ") for h in headings[1:])


def test_paragraphs_are_not_split_unless_too_big():
    text = markdown_doc(sections=3, paragraphs=6)
    chunks = chunk_markdown(text, "d.md", 300)
    paragraphs = [b.text for b in parse_markdown(text) if b.kind == "text"]
    for para in paragraphs:
        assert any(para in c.text for c in chunks), f"paragraph split: {para[:40]}"


def test_an_oversized_paragraph_is_split_at_sentences():
    long_para = " ".join(f"Sentence number {i} says something short." for i in range(200))
    chunks = chunk_markdown(f"# Big\n\n{long_para}\n", "d.md", 120)
    assert len(chunks) > 5
    assert all(c.tokens <= 120 for c in chunks)
    assert all(c.text.rstrip().endswith(".") for c in chunks[1:])
    assert all(c.heading == "Big" for c in chunks)


def test_an_unbroken_run_of_characters_is_cut():
    chunks = chunk_markdown("# Blob\n\n" + "x" * 5000 + "\n", "d.md", 100)
    assert all(c.tokens <= 100 for c in chunks)
    assert "".join(c.text for c in chunks[1:]).endswith("x" * 100)


def test_code_blocks_stay_whole_when_they_fit():
    code = "```python\n" + "\n\n".join(f"def f{i}():\n    return {i}" for i in range(10)) + "\n```"
    text = "# Code\n\n" + SECTION + "\n\n" + code + "\n\n" + SECTION
    chunks = chunk_markdown(text, "d.md", 200)
    assert any(code in c.text for c in chunks)


def test_heading_path_and_location():
    body = "one two three four five six seven eight nine"  # each section > half the target
    text = f"# A\n\n{body}\n\n## B\n\n{body}\n\n### C\n\n{body}\n\n## D\n\n{body}\n"
    blocks = parse_markdown(text)
    chunks = chunk_blocks(blocks, "x.md", 16)
    assert [(c.heading, c.location) for c in chunks] == [
        ("A", "lines 1-3"),
        ("A > B", "lines 5-7"),
        ("A > B > C", "lines 9-11"),
        ("A > D", "lines 13-15"),
    ]


def test_text_before_the_first_heading_has_an_empty_heading():
    chunks = chunk_markdown("Just text, no heading.\n", "x.md", 100)
    assert chunks[0].heading == "" and chunks[0].location == "line 1"


def test_pages_as_locations():
    blocks = [Block("# T", "heading", 1, "T", start=1), Block("one", start=1),
              Block("two", start=2, end=3)]
    assert chunk_blocks(blocks, "x.pdf", 100, unit="page")[0].location == "pages 1-3"


def test_chunking_is_deterministic():
    first = chunk_markdown(EXAMPLE_MD, "git-object-store.md", 300)
    second = chunk_markdown(EXAMPLE_MD, "git-object-store.md", 300)
    assert first == second
    assert [c.id for c in first] == [f"git-object-store.md#{i}" for i in range(1, len(first) + 1)]


def test_target_too_small_is_refused():
    with pytest.raises(ValueError, match="at least 16"):
        chunk_markdown("# A\n\ntext\n", "x.md", 5)
