"""Diffs as HTML: one span per line by kind, code highlighted by language, text escaped."""

from __future__ import annotations

from hone.report.diff import diff_css, diff_html

DIFF = """\
diff --git a/src/fast.py b/src/fast.py
index 1111111..2222222 100644
--- a/src/fast.py
+++ b/src/fast.py
@@ -1,3 +1,3 @@
 def f(x):
-    return x * 2  # old
+    return "<script>alert(1)</script>"
 # end
diff --git a/notes.txt b/notes.txt
deleted file mode 100644
--- a/notes.txt
+++ /dev/null
@@ -1 +0,0 @@
-a & b
"""


def test_lines_are_classified_and_python_is_highlighted() -> None:
    out = diff_html(DIFF)
    assert out.startswith('<pre class="diff">') and out.endswith("</pre>")
    assert out.count('<span class="dl ') == len(DIFF.splitlines())
    assert out.count('class="dl add"') == 1 and out.count('class="dl del"') == 2
    assert out.count('class="dl hunk"') == 2 and out.count('class="dl file"') == 4
    # Python keywords get Pygments' keyword class; the text file stays plain.
    assert '<span class="k">def</span>' in out and '<span class="k">return</span>' in out


def test_text_from_the_diff_cannot_inject_markup() -> None:
    out = diff_html(DIFF)
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "a &amp; b" in out


def test_css_is_scoped_to_the_diff_block() -> None:
    css = diff_css()
    rules = [line for line in css.splitlines() if line.strip() and "{" in line]
    assert rules and all(line.lstrip().startswith(".diff") or line.startswith(("pre", "td",
                                                                                 "span"))
                         for line in rules)
