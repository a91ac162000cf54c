"""The pure helpers and the page server of the end-to-end ingest benchmark."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.request
from collections.abc import Iterator
from configparser import ConfigParser
from pathlib import Path

import pytest
from bench.ingest_throughput import (
    Limits,
    PageServer,
    SideCrashed,
    check_completed,
    clean_env,
    latency_for,
    loopback_hosts,
    our_env,
    page_number,
    rounds_floor_s,
    serial_floor_s,
    settings_file_text,
    spread_urls,
    trafilatura_settings,
)


def test_loopback_hosts_start_after_127_0_0_1() -> None:
    assert loopback_hosts(3) == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with pytest.raises(ValueError, match="loopback hosts"):
        loopback_hosts(0)


def test_urls_are_unique_and_dealt_round_robin() -> None:
    urls = spread_urls(["http://a:1", "http://b:2"], 5)
    assert urls == [
        "http://a:1/p/0000.html",
        "http://b:2/p/0001.html",
        "http://a:1/p/0002.html",
        "http://b:2/p/0003.html",
        "http://a:1/p/0004.html",
    ]
    assert len(set(spread_urls(["http://a:1"], 12_000))) == 12_000
    assert spread_urls(["http://a:1"], 12_000)[-1].endswith("/p/11999.html")


def test_page_number_reads_page_paths_only() -> None:
    assert page_number("/p/0042.html") == 42
    assert page_number("/p/0042.html?x=1") == 42
    assert page_number("/robots.txt") is None
    assert page_number("/p/../etc.html") is None


def test_latency_is_fixed_by_seed_and_path_and_in_range() -> None:
    values = [latency_for(7, f"/p/{i}.html", 0.05, 0.2) for i in range(200)]
    assert all(0.05 <= v <= 0.2 for v in values)
    assert values == [latency_for(7, f"/p/{i}.html", 0.05, 0.2) for i in range(200)]
    assert values != [latency_for(8, f"/p/{i}.html", 0.05, 0.2) for i in range(200)]


def test_both_sides_get_the_same_limits() -> None:
    limits = Limits(per_host_delay_s=0.25, workers=8, max_redirects=3, timeout_s=15)
    env = our_env(limits, [9001, 9000, 9001])
    cfg = trafilatura_settings(limits)
    assert json.loads(env["ARTICLE_INGEST_ALLOWED_PORTS"]) == [9000, 9001]
    assert env["ARTICLE_INGEST_PER_HOST_CONCURRENCY"] == "1"
    assert float(env["ARTICLE_INGEST_PER_HOST_DELAY_S"]) == float(cfg["SLEEP_TIME"]) == 0.25
    assert env["ARTICLE_INGEST_MAX_REDIRECTS"] == cfg["MAX_REDIRECTS"] == "3"
    assert env["ARTICLE_INGEST_FETCH_DEADLINE_S"] == cfg["DOWNLOAD_TIMEOUT"] == "15"
    assert env["ARTICLE_INGEST_MAX_BODY_BYTES"] == cfg["MAX_FILE_SIZE"]
    assert cfg["SSRF_PROTECTION"] == "off"


def test_settings_file_overrides_trafilaturas_defaults(tmp_path: Path) -> None:
    from trafilatura.settings import use_config

    path = tmp_path / "settings.cfg"
    path.write_text(settings_file_text(trafilatura_settings(Limits(per_host_delay_s=0.5))))
    config = use_config(str(path))
    assert config.getfloat("DEFAULT", "SLEEP_TIME") == 0.5
    assert config.getboolean("DEFAULT", "SSRF_PROTECTION") is False
    assert config.getint("DEFAULT", "MIN_EXTRACTED_SIZE") == 250  # a default kept
    parsed = ConfigParser()
    parsed.read_string(path.read_text())
    assert parsed.get("DEFAULT", "MAX_REDIRECTS") == "5"
    with pytest.raises(ValueError, match="bad setting"):
        settings_file_text({"SLEEP_TIME": "1\nSSRF_PROTECTION = on"})


def test_clean_env_drops_our_settings_and_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLE_INGEST_PER_HOST_DELAY_S", "9")
    monkeypatch.setenv("http_proxy", "socks5://nowhere:1")
    env = clean_env({"ARTICLE_INGEST_FETCH_WORKERS": "2"})
    assert "ARTICLE_INGEST_PER_HOST_DELAY_S" not in env
    assert "http_proxy" not in env
    assert env["ARTICLE_INGEST_FETCH_WORKERS"] == "2"


@pytest.fixture
def server() -> Iterator[PageServer]:
    pages = [gzip.compress(b"<html>zero</html>"), gzip.compress(b"<html>one</html>")]
    srv = PageServer("127.0.0.2", pages, seed=1, latency_s=(0.0, 0.0))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(url: str, accept_gzip: bool) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept-Encoding": "gzip"} if accept_gzip else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(urllib.request.Request(url, headers=headers)) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_server_cycles_pages_gzips_on_request_and_has_no_robots(server: PageServer) -> None:
    status, headers, body = _get(f"{server.base}/p/0003.html", accept_gzip=True)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == b"<html>one</html>"
    status, headers, body = _get(f"{server.base}/p/0002.html", accept_gzip=False)
    assert (status, body) == (200, b"<html>zero</html>")
    assert "Content-Encoding" not in headers
    assert _get(f"{server.base}/robots.txt", accept_gzip=True)[0] == 404
    stats = server.reset_stats()
    assert (stats.requests, stats.pages, stats.gzip, stats.not_found) == (3, 2, 1, 1)
    assert stats.max_in_flight == 1
    assert server.reset_stats().requests == 0


def test_latency_floors() -> None:
    hosts = [[0.05, 0.2, 0.15], [0.2, 0.05]]
    assert serial_floor_s(hosts, 0.1) == pytest.approx(0.1 + 0.2 + 0.15)
    assert serial_floor_s(hosts, 0.0) == pytest.approx(0.4)
    assert rounds_floor_s(hosts, 0.1) == pytest.approx(0.2 + 0.2 + 0.15)
    assert rounds_floor_s([[0.05], [0.06]], 0.1) == pytest.approx(0.1)
    assert serial_floor_s([], 0.1) == rounds_floor_s([], 0.1) == 0.0


def test_a_side_killed_by_a_signal_fails_the_run() -> None:
    fine = {"exit_code": 1, "wall_s": 44.0, "stderr_tail": "998 ok, 2 failed\n"}
    check_completed({"ours": fine, "trafilatura": {**fine, "exit_code": 0}})
    died = {"exit_code": -6, "wall_s": 2.0, "stderr_tail": "x\ndouble free or corruption\n"}
    with pytest.raises(SideCrashed, match=r"ours died with signal 6 after 2\.0 s: double free"):
        check_completed({"ours": died, "trafilatura": fine})
