"""Escaping untrusted text: every door closed one by one."""

import re

from mdcheck import assert_safe, outside_code_blocks, raw_html, unescaped

from sdg_ci.report.escape import ZWSP, clean, code_block, code_span, inline, quoted, url_path


def test_inline_html_becomes_text():
    out = inline('<img src="https://evil.example/beacon.png"> <script>alert(1)</script>')
    assert "<" not in out and ">" not in out
    assert "&lt;img" in out and "&lt;script&gt;" in out
    assert raw_html(out) == []


def test_inline_entities_are_not_decoded_into_html():
    out = inline("&lt;img src=x&gt;")
    assert out.startswith("&amp;lt;img") and out.endswith("&amp;gt;")


def test_inline_markdown_images_and_links_are_dead():
    out = inline("![x](https://evil.example/x.png) [click](javascript:alert(1))")
    assert not re.search(r"(?<!\\)!\[", out)
    assert "](" not in out.replace("\\](", "").replace("\\]\\(", "")
    assert out.startswith("\\!\\[x\\]\\(")


def test_inline_mentions_and_references_do_not_ping():
    out = inline("cc @octocat @org/team see #12 and other/repo#34 GH-5 mail a@b.c")
    assert "@octocat" not in out and f"@{ZWSP}octocat" in out
    assert f"@{ZWSP}org/team" in out
    assert not re.search(r"#\d", out.replace("\\#", "#").replace("#" + ZWSP, ""))
    assert f"GH-{ZWSP}5".replace("-", "\\-") in out


def test_inline_table_pipes_and_newlines():
    out = inline("a | b\n| c |\r\n---")
    assert "\n" not in out and "\r" not in out
    assert unescaped(out, "|") == []


def test_inline_backslash_cannot_unescape_a_pipe():
    out = inline("\\| x \\\\|")
    assert unescaped(out, "|") == []


def test_inline_strips_controls_and_bidi():
    out = inline("safe\u202eevil\x00\x1b[31m\u2066x")
    assert "\u202e" not in out and "\x00" not in out and "\x1b" not in out
    assert "\u2066" not in out


def test_inline_truncates_and_says_so():
    out = inline("x" * 1000, 50)
    assert len(out) < 120 and "cut" in out and "950" in out


def test_code_span_survives_backticks_and_pipes():
    span = code_span("a`b``c|d")
    assert span.startswith("```") and span.endswith("```")
    assert unescaped(span, "|") == []
    assert code_span("plain") == "`plain`"
    assert code_span("") == ""


def test_code_block_cannot_be_closed_from_inside():
    hostile = "ok\n```\n# PWNED\n````\n<img src=x>\n~~~\n@octocat"
    block = code_block(hostile)
    doc = "before\n\n" + block + "\n\nafter"
    outside = outside_code_blocks(doc)
    assert "# PWNED" not in outside and "<img src=x>" not in outside
    assert outside[-1] == "after"
    assert f"@{ZWSP}octocat" in block


def test_quoted_keeps_lines_but_no_syntax():
    out = "> " + quoted("# Title\n- item\n\n    code\n> quote\n1. one\n<b>x</b>")
    assert_safe(out)
    lines = out.split("\n")
    assert all(line.startswith(">") for line in lines)
    assert "\\# Title" in out and "\\- item" in out and "&gt; quote" in out


def test_url_path_encodes_everything_odd():
    assert url_path("knowledge/a b/(x)/qna.yaml") == "knowledge/a%20b/%28x%29/qna.yaml"
    assert url_path("a)\n](javascript:x") == "a%29%5D%28javascript%3Ax"


def test_clean_normalises_newlines():
    assert clean("a\r\nb\rc") == "a\nb\nc"
    assert clean(None) == ""
