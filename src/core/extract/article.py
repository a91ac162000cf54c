"""Article extraction: a decoded page's metadata, date and main text, put together.

The order matters for speed, not for the result: the declarations are read first, then one
pass over the elements finds the byline and date candidates (``core.extract.markup``) before
trafilatura prunes the tree in place for the main text (instead of on a copy; half a
millisecond a page), and the markup date search comes last and spends what trafilatura left,
instead of the copy htmldate would make (trafilatura has removed comment sections by then: on
the 793 WCXB pages one date changed, on a page without an annotated date). A page where the
profile finds no text, or too little for an article (``MIN_ARTICLE_WORDS``: a loading screen's
"please enable JavaScript"), gives its declared description (``<meta>`` description, Open
Graph or Twitter card) as the text when that is long enough: a page refused before is
read, and a page read before is read as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields

import trafilatura
from trafilatura.metadata import extract_url

from core.extract.chosen import chosen_content, extraction_default
from core.extract.dates import declared_date, markup_date
from core.extract.loading import load_html
from core.extract.markup import scan_markup
from core.extract.metadata import Metadata, canonical, declared, described
from core.extract.pagetype import classify
from core.extract.profile_cards import GridReading
from core.extract.profiles import profile_text
from core.extract.textstats import MIN_ARTICLE_WORDS, folded, word_count
from core.extraction_options import ExtractionOptions
from core.models import ArticleImage, ArticleLink, PageType
from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)

#: A text this long has more than ``MIN_ARTICLE_WORDS`` words unless its words average 100
#: characters: such a text is taken as it is, its words not counted (nearly free on every page).
MAX_SHORT_CHARS = 2_000


@dataclass(frozen=True, kw_only=True)
class Extraction(Metadata):
    """What trafilatura found in one page: its metadata and main text."""

    text: str
    canonical_url: str | None = None
    declared_language: str | None = None
    page_type: PageType = PageType.ARTICLE
    links: list[ArticleLink] = field(default_factory=list)
    images: list[ArticleImage] = field(default_factory=list)


def _same_line(left: str, right: str) -> bool:
    return folded(left).casefold() == folded(right).casefold()


def body_without_title(text: str, title: str | None) -> str:
    """trafilatura keeps the article's ``<h1>`` as the first line; the title has its own field."""
    first, _, rest = text.partition("\n")
    if title and rest and _same_line(first, title):
        return rest.lstrip("\n")
    return text


def too_short(text: str | None) -> bool:
    """Whether ``text`` has fewer words than an article (``core.extract.assemble`` refuses
    it); words counted only in a short text (a long one is never too short)."""
    return not text or (len(text) < MAX_SHORT_CHARS and word_count(text) < MIN_ARTICLE_WORDS)


def extract_article(
    html: str,
    url: str | None = None,
    utf8: bytes | None = None,
    options: ExtractionOptions | None = None,
) -> Extraction | None:
    """The article in ``html`` (``utf8``: the same text as UTF-8 bytes, if the caller has them),
    or None when the page holds no main text; ``options`` other than the defaults go through
    ``core.extract.chosen``. Not for several threads at once (``core.extract.loading``)."""
    tree = load_html(html, utf8)
    if tree is None:
        return None
    declared_language = tree.get("lang") or tree.get("xml:lang")
    canonical_url = canonical(tree, url)
    found = declared(tree, url)
    page_url = found.url or extract_url(tree, url)
    date = declared_date(tree, page_url)
    # the byline and the date searches read the same elements: one pass when both need it
    scan = None if found.author else scan_markup(tree, with_dates=date is None)
    metadata = described(tree, found, page_url, scan.bylines if scan else None)
    reading = GridReading(tree)  # the card grid: read once for the classifier and the profile
    page_type = classify(tree, url, reading)
    links: list[ArticleLink] = []
    images: list[ArticleImage] = []
    if options is None or extraction_default(options):
        text = profile_text(tree, url, page_type, reading)  # trafilatura prunes it in place
    else:  # options chosen by the request take the place of the type's profile
        content = chosen_content(tree, url, options)
        text = content.text if content else None
        if content is not None:
            links, images = content.links, content.images
    if too_short(text) and metadata.description and not too_short(metadata.description):
        # a page drawn by scripts (its HTML a loading screen, a "please enable JavaScript")
        # still declares what it is about: that summary, not nothing
        text = metadata.description
    if not text or not text.strip():
        logger.debug("no main text in %s", url)
        return None
    if date is None:  # last: the markup search spends what trafilatura left of the tree
        date = markup_date(tree, scan.date_candidates if scan else None)
    return Extraction(
        **{
            item.name: getattr(metadata, item.name)
            for item in fields(Metadata)
            if item.name != "date"
        },
        date=date,
        # an article's title has its own field; on other pages the heading is content
        text=(
            body_without_title(text.strip(), metadata.title)
            if page_type is PageType.ARTICLE
            else text.strip()
        ),
        canonical_url=canonical_url,
        declared_language=declared_language,
        page_type=page_type,
        links=links,
        images=images,
    )
