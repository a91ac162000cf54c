"""``article-ingest extract --format/--output-dir`` and the extraction options of ``extract``
and ``ingest``, through the real command in its own process."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.test_cli import cli
from tests.support.page_server import PageServer

pytestmark = pytest.mark.e2e
LINKED = Path(__file__).resolve().parents[1] / "fixtures" / "linked"
GARDEN = LINKED / "community-garden-en.html"
BASE = LINKED / "base-href-en.html"
URL = "https://town.example/news/2024/community-garden.html"


def test_json_lines_by_default_with_the_chosen_options() -> None:
    args = ["--include-links", "--no-include-tables", "--url", URL, str(GARDEN)]
    done = cli("extract", "--jobs", "2", *args)
    assert done.returncode == 0, done.stderr
    (line,) = [json.loads(text) for text in done.stdout.splitlines()]
    assert line["options"]["include_links"] is True
    assert line["options"]["include_tables"] is False
    assert "Runner beans" not in line["text"]
    assert line["links"][0] == {
        "url": "https://town.example/news/2024/garden-plans.html",
        "text": "earlier report on the plans",
    }
    assert line["images"] == []
    default = json.loads(cli("extract", "--jobs", "1", "--url", URL, str(GARDEN)).stdout)
    assert default["id"] != line["id"]
    assert (default["links"], "Runner beans" in default["text"]) == ([], True)
    # with no --url, the file's own URL (file://) is what relative links resolve against:
    # they are no web links, only the absolute one is listed
    local = json.loads(cli("extract", "--include-links", str(GARDEN)).stdout)
    assert [link["url"] for link in local["links"]] == [
        "https://council.example.org/agreements/mill-street-garden"
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_txt_and_markdown_on_stdout_each_after_its_file_name(jobs: str) -> None:
    txt = cli("extract", "--jobs", jobs, "--format", "txt", str(GARDEN), str(BASE))
    assert txt.returncode == 0, txt.stderr
    first, second = txt.stdout.split(f"==> {BASE} <==\n")
    assert first.startswith(f"==> {GARDEN} <==\nVolunteers turn an empty car park")
    assert "](" not in first
    assert second.startswith("The lighthouse keeper who kept a weather diary")

    markdown = cli("extract", "--jobs", jobs, "--format", "markdown", "--url", URL, str(GARDEN))
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith(f"==> {GARDEN} <==\n# Volunteers turn an empty car park")
    assert "[allotment society](https://town.example/organisations/allotment-society)" in (
        markdown.stdout
    )
    assert "![Harvest day at the garden](https://town.example/images/harvest-day.jpg)" in (
        markdown.stdout
    )
    assert "javascript:" not in markdown.stdout


def test_output_dir_gets_one_file_per_input_named_after_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "other").mkdir(parents=True)
    shutil.copy(GARDEN, inputs / "garden.html")
    shutil.copy(BASE, inputs / "other" / "garden.html")  # the same name in another folder
    (inputs / "empty.html").write_text("")
    out = tmp_path / "out" / "md"
    done = cli("extract", "--format", "markdown", "--output-dir", str(out), str(inputs))
    assert done.returncode == 1  # the empty file
    assert done.stdout == ""
    assert f"FAILED  {inputs / 'empty.html'}  empty_file" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["garden-2.md", "garden.md"]
    assert (out / "garden.md").read_text().startswith("# Volunteers turn an empty car park")
    assert (out / "garden-2.md").read_text().startswith("# The lighthouse keeper")

    as_json = tmp_path / "json"
    done = cli("extract", "--jobs", "1", "--output-dir", str(as_json), str(GARDEN), str(BASE))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in as_json.iterdir())
    assert names == ["base-href-en.json", "community-garden-en.json"]
    article = json.loads((as_json / "community-garden-en.json").read_text())
    assert article["source"] == str(GARDEN)


def test_target_language_fails_the_page_with_language_mismatch() -> None:
    done = cli("extract", "--target-language", "fr", str(GARDEN))
    assert done.returncode == 1
    line = json.loads(done.stdout)
    assert (line["status"], line["error"]["code"]) == ("failed", "language_mismatch")
    assert line["options"]["target_language"] == "fr"
    as_txt = cli("extract", "--format", "txt", "--target-language", "fr", str(GARDEN))
    assert (as_txt.returncode, as_txt.stdout) == (1, "")
    assert "language_mismatch" in as_txt.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--favor", "fast"],
        ["--target-language", "english"],
        ["--format", "pdf"],
    ],
)
def test_bad_option_values_are_refused(args: list[str]) -> None:
    done = cli("extract", *args, str(GARDEN))
    assert done.returncode == 2
    assert "error:" in done.stderr
    assert "Traceback" not in done.stderr


def test_ingest_with_options_stores_another_article(tmp_path: Path) -> None:
    with PageServer(LINKED) as server:
        env = {
            **os.environ,
            "ARTICLE_INGEST_DATA_DIR": str(tmp_path / "data"),
            "ARTICLE_INGEST_ALLOW_PRIVATE_NETWORKS": "1",
            "ARTICLE_INGEST_ALLOWED_PORTS": json.dumps([server.port]),
            "ARTICLE_INGEST_PER_HOST_DELAY_S": "0",
            "ARTICLE_INGEST_RESPECT_ROBOTS": "0",
        }
        url = server.url(GARDEN.name)
        plain = cli("ingest", "--json", url, env=env)
        linked = cli("ingest", "--json", "--include-links", "--include-images", url, env=env)
        refused = cli("ingest", "--json", "--target-language", "de", url, env=env)
    assert (plain.returncode, linked.returncode) == (0, 0), (plain.stderr, linked.stderr)
    first, second = json.loads(plain.stdout), json.loads(linked.stdout)
    assert first["id"] != second["id"]
    assert (first["links"], first["options"]["include_links"]) == ([], False)
    assert second["links"][0]["url"] == server.url("garden-plans.html")
    assert second["images"][0]["alt"] == "Raised beds with young bean plants"
    stored = json.loads(cli("get", second["id"], env=env).stdout)
    assert stored["options"]["include_images"] is True
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["code"] == "language_mismatch"
