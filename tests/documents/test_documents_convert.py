"""Converting .md and .pdf files to text blocks, and what makes conversion fail."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pypdf
import pytest
from docs_helpers import make_leaf, settings

from sdg_ci.taxonomy.documents import DocumentError, load_chunks, load_documents, pdf_blocks

EXAMPLE_PDF = (Path(__file__).resolve().parents[2] / "examples" / "knowledge-docs"
               / "git-packfiles-and-refs.pdf")
PDF_HEADINGS = [
    "Packfiles, References and Garbage Collection in Git",
    "What a packfile is",
    "How Git chooses deltas",
    "The pack index",
    "References",
    "The reflog",
    "Garbage collection",
]


def _load(doc_repo, taxonomy_root, cache_dir, files: dict[str, bytes | str], patterns=None,
          **kw):
    for name, content in files.items():
        doc_repo.write(name, content)
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, patterns or sorted(files))
    return load_chunks(leaf, settings(**kw), cache_dir)


# ---- Markdown ------------------------------------------------------------------------


def test_markdown_bad_encoding_names_the_file_and_offset(doc_repo, taxonomy_root, cache_dir):
    with pytest.raises(DocumentError) as info:
        _load(doc_repo, taxonomy_root, cache_dir,
              {"notes.md": b"# Notes\n\nCaf\xe9 latin-1 text.\n"})
    message = str(info.value)
    assert "notes.md is not valid UTF-8: byte 0xe9 at offset 12 (line 3)" in message
    assert "save the file as UTF-8" in message
    assert info.value.file == "notes.md"


def test_markdown_binary_content_is_refused(doc_repo, taxonomy_root, cache_dir):
    with pytest.raises(DocumentError, match="image.md holds NUL bytes"):
        _load(doc_repo, taxonomy_root, cache_dir, {"image.md": b"\x89PNG\r\n\x1a\n\x00\x00"})


def test_markdown_bom_crlf_and_unicode(doc_repo, taxonomy_root, cache_dir):
    text = "\ufeff# Titre\r\n\r\nUn café à Zürich — 東京.\r\n"
    chunks = _load(doc_repo, taxonomy_root, cache_dir, {"fr.md": text.encode("utf-8")})
    assert chunks[0].text == "# Titre\n\nUn café à Zürich — 東京."
    assert chunks[0].heading == "Titre"


def test_empty_markdown_is_an_error(doc_repo, taxonomy_root, cache_dir):
    with pytest.raises(DocumentError, match="empty.md holds no text"):
        _load(doc_repo, taxonomy_root, cache_dir, {"empty.md": "\n\n   \n"})


# ---- PDF -----------------------------------------------------------------------------


def _pdf_bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_example_pdf_structure():
    blocks, pages = pdf_blocks(EXAMPLE_PDF.read_bytes(), "x.pdf", settings())
    assert pages == 3
    headings = [b for b in blocks if b.kind == "heading"]
    assert [h.title for h in headings] == PDF_HEADINGS
    assert [h.level for h in headings] == [1] + [2] * 6
    assert headings[1].text == "## What a packfile is"
    text = "\n".join(b.text for b in blocks)
    assert "page 1 of 3" not in text, "running footer dropped"
    first_para = blocks[1].text
    assert first_para.startswith("This document continues the description")
    assert first_para.endswith("removes what nothing refers to any more.")
    assert "\n" not in first_para, "lines of a paragraph are joined"
    assert all(b.start in (1, 2, 3) for b in blocks)


def test_pdf_chunks_follow_headings(doc_repo, taxonomy_root, cache_dir):
    chunks = _load(doc_repo, taxonomy_root, cache_dir, {"doc.pdf": EXAMPLE_PDF.read_bytes()},
                   chunk_tokens=400)
    assert len(chunks) >= 4
    for chunk in chunks:
        assert chunk.tokens <= 400
        assert chunk.location.startswith("page")
    starts = [c.text.split("\n", 1)[0] for c in chunks]
    assert sum(s.startswith("#") for s in starts) >= len(chunks) - 1


def test_pdf_over_the_page_limit_is_refused(doc_repo, taxonomy_root, cache_dir):
    with pytest.raises(DocumentError) as info:
        _load(doc_repo, taxonomy_root, cache_dir, {"doc.pdf": EXAMPLE_PDF.read_bytes()},
              max_pdf_pages=2)
    assert "doc.pdf has 3 pages, over the documents.max_pdf_pages limit of 2" in str(info.value)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: raw[:300],
        lambda raw: b"%PDF-1.4\n garbage that is no PDF at all",
        lambda raw: b"just text with a .pdf name",
        lambda raw: b"",
    ],
    ids=["half", "header-only", "garbage", "not-pdf", "empty"],
)
def test_broken_pdf_names_the_file(doc_repo, taxonomy_root, cache_dir, mangle):
    with pytest.raises(DocumentError) as info:
        _load(doc_repo, taxonomy_root, cache_dir,
              {"broken.pdf": mangle(EXAMPLE_PDF.read_bytes())})
    assert "broken.pdf" in str(info.value)
    assert info.value.file == "broken.pdf"


def test_password_protected_pdf_is_refused(doc_repo, taxonomy_root, cache_dir):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(EXAMPLE_PDF))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with pytest.raises(DocumentError) as info:
        _load(doc_repo, taxonomy_root, cache_dir, {"locked.pdf": _pdf_bytes(writer)})
    assert "locked.pdf is an encrypted PDF that needs a password" in str(info.value)


def test_pdf_encrypted_with_an_empty_user_password_is_read(doc_repo, taxonomy_root, cache_dir):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(EXAMPLE_PDF))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    chunks = _load(doc_repo, taxonomy_root, cache_dir, {"open.pdf": _pdf_bytes(writer)})
    assert "fan-out table" in "\n".join(c.text for c in chunks)


def test_pdf_without_text_is_an_error(doc_repo, taxonomy_root, cache_dir):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    with pytest.raises(DocumentError, match="scan.pdf holds no text"):
        _load(doc_repo, taxonomy_root, cache_dir, {"scan.pdf": _pdf_bytes(writer)})


def test_pdf_text_cap(doc_repo, taxonomy_root, cache_dir):
    """A small file whose text expands past max_document_bytes characters is refused."""
    sys.path.insert(0, str(EXAMPLE_PDF.parents[1]))
    try:
        from make_example_pdf import build_pdf
    finally:
        sys.path.pop(0)
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(
        build_pdf("# Title\n\n" + "The same sentence again and again. " * 2000))))
    for page in writer.pages:
        page.compress_content_streams()
    raw = _pdf_bytes(writer)
    assert len(raw) < 20_000
    with pytest.raises(DocumentError, match="extracted text passes 20,000 characters"):
        _load(doc_repo, taxonomy_root, cache_dir, {"doc.pdf": raw}, max_document_bytes=20_000)


def test_markdown_and_pdf_together_in_pattern_order(doc_repo, taxonomy_root, cache_dir):
    doc_repo.write("b.pdf", EXAMPLE_PDF.read_bytes())
    doc_repo.write("a.md", "# A\n\nAlpha.\n")
    sha = doc_repo.commit()
    leaf = make_leaf(taxonomy_root, str(doc_repo.path), sha, ["b.pdf", "a.md"])
    docs = load_documents(leaf, settings(), cache_dir)
    assert [(d.source, d.kind) for d in docs.documents] == [("b.pdf", "pdf"), ("a.md", "markdown")]
