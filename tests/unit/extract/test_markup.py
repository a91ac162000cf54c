"""The one pass over a page's elements: each attribute string searched for a cue once, the
same candidates as the searches it stands for wherever the string repeats."""

from __future__ import annotations

from htmldate.core import date_candidates

from core.extract.byline import AUTHOR_XPATHS
from core.extract.loading import load_html
from core.extract.markup import scan_markup

# The same attribute strings on elements of tags each search reads and tags it does not, in
# both orders: the answer kept for a string must not depend on the tag that first had it.
REPEATED = """<html><body>
<section class="post-date meta">a</section><span class="post-date meta">b</span>
<p class="post-date meta">c</p><small class="post-date meta">d</small>
<div class="author-name">Ann Author</div><em class="author-name">Ann</em>
<a class="author-name" href="/ann">Ann</a><h3 class="author-name">Ann Author</h3>
<li class="card"><time class="card">2020-01-02</time></li><footer class="card">e</footer>
<span class="byline">By Ann Author</span><section class="byline">By Ann</section>
<author>Ann</author><div class="card">f</div>
</body></html>"""


def test_repeated_attribute_strings_give_every_candidate() -> None:
    tree = load_html(REPEATED)
    assert tree is not None
    scan = scan_markup(tree, with_dates=True)
    assert scan.bylines == [xpath(tree) for xpath in AUTHOR_XPATHS]
    assert any(len(found) > 1 for found in scan.bylines)  # the repeats are found, not once
    assert scan.date_candidates == list(date_candidates(tree, False))
    assert len(scan.date_candidates or []) >= 4
    # without the date search, the same bylines
    assert scan_markup(tree).bylines == scan.bylines
