"""How core.extract picks the title (metadata) and the byline (byline, markup), and how
core.extract.language samples text."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]
from trafilatura.metadata import examine_meta, extract_meta_json
from trafilatura.xpaths import AUTHOR_XPATHS

from core.extract import language
from core.extract.article import extract_article
from core.extract.byline import AUTHOR_XPATHS as OUR_AUTHOR_XPATHS
from core.extract.byline import markup_author
from core.extract.charset import decode_html
from core.extract.loading import load_html
from core.extract.markup import scan_markup
from core.extract.metadata import canonical, headline, meta_json, meta_tags

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>How to Plant Tomatoes in Spring | Garden Weekly</title></head><body>
<header><h1>Garden Weekly</h1></header>
<main><article><h1>How to Plant Tomatoes in Spring</h1>
<div class="author">By <a rel="author" href="/jo">Jo Grower</a></div>
<p>Tomatoes want warm soil, so wait until the last frost has passed before planting them out.</p>
<p>Dig a deep hole, bury most of the stem, and water well; roots will grow along it.</p>
<p>Stake the plants early and pinch out side shoots every week to keep them productive.</p>
</article></main></body></html>"""


def test_the_headline_that_agrees_with_the_declared_title_wins() -> None:
    tree = load_html(PAGE)
    assert headline(tree, "How to Plant Tomatoes in Spring | Garden Weekly") == (
        "How to Plant Tomatoes in Spring"
    )


def test_the_declared_title_stays_when_no_headline_agrees() -> None:
    tree = load_html(PAGE)
    assert headline(tree, "Completely different words") == "Completely different words"
    assert headline(tree, None) is None


def test_extraction_uses_the_headline_and_drops_it_from_the_text() -> None:
    extraction = extract_article(PAGE, "https://garden.example/tomatoes")
    assert extraction is not None
    assert extraction.title == "How to Plant Tomatoes in Spring"
    assert extraction.text.startswith("Tomatoes want warm soil")


def test_markup_author_skips_bylines_in_discarded_sections() -> None:
    page = PAGE.replace(
        '<div class="author">',
        '<div class="sidebar"><span class="author">Ad</span></div><div class="author">',
    )
    assert markup_author(load_html(page)) == "Jo Grower"
    hidden = PAGE.replace('<div class="author">', '<div class="comments"><div class="author">')
    assert markup_author(load_html(hidden + "</div>")) is None


def test_markup_author_ignores_text_of_discarded_descendants() -> None:
    page = PAGE.replace("Jo Grower</a>", "Jo Grower</a><time>May 3</time>")
    assert markup_author(load_html(page)) == "Jo Grower"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<head><link rel="canonical" href=" /a "></head><body><p>x</p></body>',
            "https://e.example/a",
        ),
        # a <head> after the body stays a child of <html>
        (
            '<body><p>x</p></body><head><link rel="canonical" href="/b"></head>',
            "https://e.example/b",
        ),
        # libxml2 drops a <head> inside the body, so its link is the body's, not a canonical
        ('<head></head><body><p>x</p><head><link rel="canonical" href="/c"></head></body>', None),
        ('<head><link rel="alternate" href="/d"></head><body><p>x</p></body>', None),
    ],
)
def test_canonical_link_is_read_from_the_head(markup: str, expected: str | None) -> None:
    assert canonical(load_html(f"<html>{markup}</html>"), "https://e.example/z") == expected


def test_language_sample_is_bounded_and_cut_between_words() -> None:
    text = "mot " * 1000
    sample = language._sample(text)
    assert len(sample) <= language.SAMPLE_CHARS
    assert sample.endswith("mot")
    assert language._sample("court") == "court"


def test_a_text_opening_with_names_is_judged_on_the_longer_sample() -> None:
    names = (
        "Emmanuel Macron, Olaf Scholz, Giorgia Meloni, Pedro Sánchez, Donald Tusk, Mark Rutte, "
        "Ursula von der Leyen, Charles Michel, Roberta Metsola, Kaja Kallas, Antonio Costa, "
        "Viktor Orbán, Robert Fico 2024 "
    )
    french = (
        "Le conseil municipal a adopté lundi soir un nouveau plan de circulation pour le "
        "centre-ville, après des mois de concertation avec les habitants et les commerçants. "
    )
    text = names + french * 2
    # the names alone leave the classifier unsure, so the declared language would win
    assert language.detect_language(text[: language.QUICK_SAMPLE_CHARS], "de") == "de"
    assert language.detect_language(text, "de") == "fr"


def test_language_of_a_long_text_and_the_declared_fallback() -> None:
    french = "Le gouvernement a annoncé mardi une nouvelle série de mesures pour les écoles. " * 30
    assert language.detect_language(french, "en") == "fr"
    assert language.detect_language("Bonjour", "fr-FR") == "fr"


# One element per alternative of trafilatura's byline XPaths, each on a tag that it accepts and
# on one that it does not, with near misses ("Authority", "by-line") that no test accepts.
_BYLINE_ATTRIBUTES = [
    'rel="author"',
    'id="author"',
    'class="author"',
    'itemprop="author name"',
    'data-testid="AuthorCard"',
    'data-testid="AuthorURL"',
    'class="x authorname"',
    'class="author-name"',
    'class="AuthorName"',
    'class="authorName"',
    'class="byline"',
    'class="username"',
    'class="byl"',
    'class="BBL"',
    'itemprop="creator author"',
    'id="post-author"',
    'id="zuozhe"',
    'id="bianji1"',
    'id="xiaobian"',
    'class="authors"',
    'class="channel-name"',
    'class="zuozhe"',
    'class="bianji"',
    'class="xiaobian"',
    'class="submitted-by"',
    'class="posted-by"',
    'class="journalist-name"',
    'data-component="Byline"',
    'id="Author"',
    'class="PostAuthor"',
    'class="screenname"',
    'class="writer"',
    'class="Byline"',
    'class="by-line"',
    'class="Authority"',
    'id="au-thor"',
    'class="byl name"',
    'rel="me"',
    'href="/author/jo"',
]
_TAGS = ["a", "address", "div", "link", "p", "span", "strong", "h3", "h4", "li", "section"]


def _byline_page(extra: str = "") -> str:
    elements = "\n".join(
        f"<{tag} {attribute}>Jo Grower {i}</{tag}>"
        for i, attribute in enumerate(_BYLINE_ATTRIBUTES)
        for tag in _TAGS
    )
    body = f"<body>{elements}<author>Al</author>{extra}</body>"
    return f"<html><head><title>t</title></head>{body}</html>"


@pytest.mark.parametrize(
    "page",
    [
        _byline_page(),
        _byline_page("<div><rel>me</rel>Jo Child</div>"),  # the ``rel='me'`` child test
        # lxml hands back the <div>, not the document's root
        '<div id="html"><p>Lone</p><span class="author">Jo Grower</span></div>',
        _byline_page() + '<html><body><span class="author">Second root</span></body></html>',
    ],
)
def test_byline_candidates_are_trafilaturas(page: str) -> None:
    tree = load_html(page)
    expected = [xpath(tree) for xpath in AUTHOR_XPATHS]
    assert [xpath(tree) for xpath in OUR_AUTHOR_XPATHS] == expected
    assert scan_markup(tree).bylines == expected
    assert any(expected)


# Hand-written news paragraphs (~400 characters each), longer than the language sample.
PARAGRAPHS = {
    "fr": "Le conseil municipal a adopté lundi soir un nouveau plan de circulation pour le "
    "centre-ville, après plusieurs mois de concertation avec les habitants et les commerçants. "
    "Les rues piétonnes seront étendues dès le printemps prochain, tandis que deux parkings "
    "relais doivent ouvrir à l'entrée de la ville. Les associations de cyclistes saluent une "
    "avancée, mais regrettent l'absence de pistes protégées sur les grands axes.",
    "de": "Der Stadtrat hat am Montagabend einen neuen Verkehrsplan für die Innenstadt "
    "beschlossen, nach monatelangen Gesprächen mit Anwohnern und Geschäftsleuten. Die "
    "Fußgängerzone soll ab dem kommenden Frühjahr erweitert werden, während am Stadtrand zwei "
    "Park-and-Ride-Plätze entstehen. Radfahrerverbände begrüßen den Schritt, bemängeln jedoch "
    "das Fehlen geschützter Radwege auf den Hauptstraßen.",
    "es": "El ayuntamiento aprobó el lunes por la noche un nuevo plan de movilidad para el "
    "centro de la ciudad, tras varios meses de diálogo con vecinos y comerciantes. Las calles "
    "peatonales se ampliarán a partir de la próxima primavera, mientras que se abrirán dos "
    "aparcamientos disuasorios en las entradas de la ciudad. Las asociaciones de ciclistas "
    "celebran el avance, aunque lamentan la falta de carriles protegidos.",
    "it": "Il consiglio comunale ha approvato lunedì sera un nuovo piano del traffico per il "
    "centro storico, dopo mesi di confronto con i residenti e i commercianti. Le zone pedonali "
    "saranno ampliate a partire dalla prossima primavera, mentre due parcheggi di interscambio "
    "apriranno agli ingressi della città. Le associazioni dei ciclisti accolgono con favore la "
    "decisione, ma lamentano l'assenza di piste protette sulle strade principali.",
    "pt": "A câmara municipal aprovou na segunda-feira à noite um novo plano de mobilidade "
    "para o centro da cidade, depois de vários meses de diálogo com moradores e comerciantes. "
    "As ruas pedonais serão alargadas a partir da próxima primavera, e dois parques de "
    "estacionamento dissuasores vão abrir nas entradas da cidade. As associações de ciclistas "
    "saúdam o avanço, mas lamentam a falta de ciclovias protegidas.",
    "nl": "De gemeenteraad heeft maandagavond een nieuw verkeersplan voor het centrum "
    "aangenomen, na maanden overleg met bewoners en winkeliers. De voetgangerszone wordt vanaf "
    "het komende voorjaar uitgebreid, terwijl aan de rand van de stad twee transferia worden "
    "geopend. Fietsersbonden zijn blij met de stap, maar missen vrijliggende fietspaden op de "
    "grote wegen. Veel winkeliers vrezen dat er minder klanten komen.",
}


@pytest.mark.parametrize(("code", "text"), PARAGRAPHS.items())
def test_the_sample_tells_european_languages_apart_whatever_is_declared(
    code: str, text: str
) -> None:
    long_text = f"{text}\n{text}"
    assert len(long_text) > language.SAMPLE_CHARS
    for declared in (None, "en", "de-DE"):
        assert language.detect_language(long_text, declared) == code


def _bench_pages() -> list[Path]:
    root = Path(__file__).resolve().parents[3] / "bench" / "data" / "wcxb-dev-articles" / "html"
    return sorted(root.glob("*.html.gz"))


def _said(document: Any) -> dict[str, Any]:
    return {k: v for k, v in document.as_dict().items() if k not in ("body", "commentsbody")}


def test_meta_tags_are_trafilaturas_and_leave_the_page_as_it_was() -> None:
    pages = _bench_pages()
    assert len(pages) > 150
    for page in pages:
        html = decode_html(gzip.decompress(page.read_bytes())).text
        tree = load_html(html)
        assert tree is not None
        before = etree.tostring(tree.getroottree(), encoding="unicode")
        assert _said(meta_tags(tree)) == _said(examine_meta(load_html(html))), page.name
        assert etree.tostring(tree.getroottree(), encoding="unicode") == before, page.name


def test_meta_tags_of_a_page_without_a_head_and_of_a_fragment() -> None:
    headless = load_html("<html><body><p>No head here, only a paragraph of text.</p></body></html>")
    assert headless is not None
    assert headless.find("head") is None
    assert _said(meta_tags(headless)) == _said(examine_meta(headless))
    paragraphs = "<p>A fragment: lxml hands back the body's only child.</p>" * 3
    fragment = load_html(f'<div id="x">{paragraphs}</div>')
    assert fragment is not None
    assert fragment.getparent() is not None
    assert _said(meta_tags(fragment)) == _said(examine_meta(fragment))


JSON_LD_PAGE = """<html><head>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Caf\\u00e9 \\ud83c\\udf75
opens at 6 \\/ 7 &amp; <b>more</b>", "author": {"@type": "Person", "name": "Jo\\ud800 Grower"},
"articleSection": "Food\\tand drink"}</script>
<script type="application/settings+json">{"publisher": {"@type": "Organization",
"name": "Morning Paper"}}</script>
<script type="APPLICATION/LD+JSON">{"@type": "Article", "headline": "Not read"}</script>
<script type="application/ld+json">{"@type": "Article",
"articleSection": "Broken \\/ block",</script>
</head><body><p>Text.</p></body></html>"""


def test_json_ld_is_read_as_trafilatura_reads_it() -> None:
    """``meta_json`` (a walk over the scripts, surrogates removed in one pass) says what
    trafilatura's ``extract_meta_json`` says: escapes, a lone surrogate, both script types, a
    type in capitals (neither reads it) and a malformed block; and on the sample pages."""
    trees = [load_html(JSON_LD_PAGE)]
    trees += [
        load_html(decode_html(gzip.decompress(page.read_bytes())).text) for page in _bench_pages()
    ]
    for tree in trees:
        assert tree is not None
        assert _said(meta_json(tree, meta_tags(tree))) == _said(
            extract_meta_json(tree, meta_tags(tree))
        )
    said = meta_json(trees[0], meta_tags(trees[0]))
    assert said.title == "Café opens at 6 / 7 & more"  # the escaped surrogates removed
    assert said.author == "Jo Grower"
    assert said.categories == ["Broken"]  # from the malformed block


def test_json_minify_is_trafilaturas() -> None:
    """``metadata._MINIFY`` removes what trafilatura's ``JSON_MINIFY`` removes: random strings
    of quotes, backslashes, white space and newlines (unclosed strings, escaped quotes, a
    backslash before a newline) and a JSON-LD block."""
    import random

    from trafilatura.metadata import JSON_MINIFY

    from core.extract.metadata import _MINIFY

    rng = random.Random(11)
    alphabet = "a \"\\\n\t {}:,'<\u00a0"
    samples = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(20_000)
    ]
    samples += [
        '{ "@type" : "NewsArticle",\n  "headline": "Say \\"hi\\"\\\\ ok", "a b": [ 1, 2 ] }',
        '"unclosed \\\n string  " x "y z"',
    ]
    for sample in samples:
        assert _MINIFY.sub(r"\1", sample) == JSON_MINIFY.sub(r"\1", sample), sample
