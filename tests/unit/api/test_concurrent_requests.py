"""``serve`` answers requests from many threads at once through the one resolver: each
request gets the answer to its own path, never another's, and no request fails because
another one ran beside it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.unit.api.conftest import Call


def test_concurrent_requests_each_get_their_own_answer(api: Call) -> None:
    paths = [f"/articles/{n:032x}" for n in range(400)]

    def get(path: str) -> tuple[str, int, str]:
        answer = api("GET", path)
        return path, answer.status, answer.json().get("instance")

    with ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(get, paths))
    assert [(path, 404, path) for path in paths] == answers
