"""Extraction: page bytes to an Article — the only package that imports trafilatura and htmldate.

One module per topic, in the order a page goes through them (``assemble.assemble`` drives it):

- ``charset``: decode the bytes as a browser does (WHATWG sniffing);
- ``loading``: parse the text into an lxml tree, with trafilatura's repairs;
- ``metadata``: what the page declares (``<meta>``, JSON-LD), its headline, site name, canonical;
- ``markup``: one pass over the elements for the byline and date searches;
- ``byline``: the author from the page's markup;
- ``dates``: the publication date, with htmldate's building blocks (``literals``: fast cues);
- ``text``: the main text, with trafilatura's extraction sequence;
- ``article``: these put together into an ``Extraction``;
- ``language``, ``textstats``: language, word count and reading time of the text;
- ``rendering``: the main content in trafilatura's output formats (``GET .../text``).

SimHash fingerprints live in ``core.fingerprint``, beside the near-duplicate detection of
``core.indexing`` that compares them.

This file imports nothing: importing a light module of the package (``language``,
``textstats``, ``charset``) must not load trafilatura (the indexer has no trafilatura, the API
and the ``extract`` command's parent process import it only when they extract).
"""
