"""``python -m article_ingest``: the ``article-ingest`` command."""

import sys

from article_ingest.cli import main

sys.exit(main())
