"""Listing articles over the table's indexes: pick partitions, query each, merge, paginate.

A listing reads one or more *lanes* (one partition of one index): one per shard of
``by-status``/``by-date``, or the ``by-host`` and ``by-site`` partitions of a site. Each lane is
queried newest first for up to ``limit + 1`` matching keys; the lanes are merged on the sort key
(duplicates — an article whose hostname and site name both match — are taken once) and the first
``limit`` form the page. Because every lane fetched one extra match, "there is another page" is
exact. The cursor is opaque: base64 of JSON holding, per lane not yet exhausted, the last key it
gave (the ``ExclusiveStartKey`` of its next query), plus a digest of the filters so a cursor is
refused with other filters.

A filter the lane's key does not hold (language; status, page type or site on a lane of another
index) is a ``FilterExpression``: DynamoDB reads keys that then do not match. So a request reads
at most ``MAX_PAGES_PER_LANE`` pages of a lane; a lane stopped there has a *frontier* (the last
key read), and the page holds only articles at or above the highest frontier — below it, that
lane may still hold newer matches. Such a page can be short (even empty) with a ``next_cursor``
that resumes each lane where it stopped, so every request moves on and a walk always ends.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.adapters.aws.table_design import (
    DATE_INDEX,
    HOST_INDEX,
    INDEX_PARTITION_KEYS,
    SHARDS,
    SITE_INDEX,
    SORT_KEY,
    STATUS_INDEX,
    TABLE_KEY,
    TYPE_INDEX,
)
from core.cursor import decode_cursor, encode_cursor
from core.errors import InvalidCursor
from core.ports import ArticleQuery

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Query pages one request reads per lane at most (a budget: filtered lanes may match little).
MAX_PAGES_PER_LANE = 8
#: Index keys a filtered query evaluates per page (index items are small: ~0.2 KB each).
FILTERED_PAGE_ITEMS = 200


@dataclass
class Lane:
    """One partition of one index, and how far a listing has read it."""

    index: str
    pk: str
    after: tuple[str, str] | None = None  # (date_sk, id) of the last item handed out
    fetched: list[tuple[str, str]] = field(default_factory=list)  # (date_sk, id), newest first
    consumed: int = 0
    more: bool = False  # the partition holds matches beyond ``fetched``
    frontier: tuple[str, str] | None = None  # last key read when the page budget ran out

    @property
    def name(self) -> str:
        return f"{self.index}|{self.pk}"


def _filters_digest(query: ArticleQuery) -> str:
    filters = query.model_dump(mode="json", exclude={"cursor", "limit"})
    if filters["page_type"] is None:  # so cursors issued before the page-type filter still work
        del filters["page_type"]
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]


def plan(query: ArticleQuery) -> list[Lane]:
    """The lanes a query reads, positioned after its cursor."""
    if query.page_type:
        lanes = [Lane(TYPE_INDEX, f"{query.page_type.value}#{n}") for n in range(SHARDS)]
    elif query.site:
        lanes = [Lane(HOST_INDEX, query.site), Lane(SITE_INDEX, query.site)]
    elif query.status:
        lanes = [Lane(STATUS_INDEX, f"{query.status.value}#{n}") for n in range(SHARDS)]
    else:
        lanes = [Lane(DATE_INDEX, f"all#{n}") for n in range(SHARDS)]
    if not query.cursor:
        return lanes
    state = decode_cursor(query.cursor)
    try:
        if state["f"] != _filters_digest(query):
            raise InvalidCursor("cursor was issued for other filters")
        positions: dict[str, Any] = state["p"]
        kept = []
        for lane in lanes:
            if lane.name in positions:
                after = positions[lane.name]
                lane.after = (str(after[0]), str(after[1])) if after else None
                kept.append(lane)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise InvalidCursor("invalid cursor: pass the next_cursor of the previous page") from error
    return kept


def _filters(lane: Lane, query: ArticleQuery) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The ``FilterExpression`` (empty: none), names and values of the filters ``lane``'s key
    does not hold; every attribute they read is projected into the indexes."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters = []
    if query.language:
        names["#lang"] = "language"
        values[":lang"] = {"S": query.language}
        filters.append("#lang = :lang")
    if query.status and lane.index not in (STATUS_INDEX, DATE_INDEX):
        names["#st"] = "status"
        values[":st"] = {"S": query.status.value}
        filters.append("#st = :st")
    if query.site and lane.index == TYPE_INDEX:
        names["#host"], names["#site"] = "hostname", "sitename"
        values[":site"] = {"S": query.site}
        filters.append("(#host = :site OR #site = :site)")
    return " AND ".join(filters), names, values


#: Lower bound of every dated sort key (dates start with a digit; undated keys with "#").
UNDATED_BELOW = "0"


def fetch(client: DynamoDBClient, table: str, lane: Lane, query: ArticleQuery) -> None:
    """Read up to ``limit + 1`` matching keys of ``lane`` into ``lane.fetched``, within
    ``MAX_PAGES_PER_LANE`` query pages (``lane.frontier`` is set when those ran out first)."""
    want = query.limit + 1
    names = {"#pk": INDEX_PARTITION_KEYS[lane.index]}
    values: dict[str, Any] = {":pk": {"S": lane.pk}}
    condition = "#pk = :pk"
    if query.until:
        condition += " AND #sk BETWEEN :lo AND :hi"
    elif query.since:
        condition += " AND #sk >= :lo"
    if query.since or query.until:
        names["#sk"] = SORT_KEY
        # an undated article's key starts "#", before every date: no date range holds it
        values[":lo"] = {"S": query.since or UNDATED_BELOW}
    if query.until:
        values[":hi"] = {"S": query.until + "\uffff"}
    filters, filter_names, filter_values = _filters(lane, query)
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": lane.index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": {**names, **filter_names},
        "ExpressionAttributeValues": {**values, **filter_values},
        "ScanIndexForward": False,
        "Limit": max(want, FILTERED_PAGE_ITEMS) if filters else want,
    }
    if filters:
        request["FilterExpression"] = filters
    start = lane.after
    for _ in range(MAX_PAGES_PER_LANE):
        if start is not None:
            request["ExclusiveStartKey"] = {
                TABLE_KEY: {"S": start[1]},
                INDEX_PARTITION_KEYS[lane.index]: {"S": lane.pk},
                SORT_KEY: {"S": start[0]},
            }
        response = client.query(**request)
        for item in response.get("Items", []):
            lane.fetched.append((item[SORT_KEY]["S"], item[TABLE_KEY]["S"]))
        last = response.get("LastEvaluatedKey")
        if len(lane.fetched) >= want:
            lane.more = True
            del lane.fetched[want:]
            return
        if not last:
            return
        start = (last[SORT_KEY]["S"], last[TABLE_KEY]["S"])
    lane.more = True
    lane.frontier = start


def merge(lanes: list[Lane], limit: int) -> tuple[list[str], bool]:
    """Ids of the page, newest first, and whether any lane has more; advances each lane.
    Nothing below the highest frontier is taken: a lane stopped there may hold newer matches."""
    candidates = sorted(
        ((sk, article_id, n) for n, lane in enumerate(lanes) for sk, article_id in lane.fetched),
        reverse=True,
    )
    floor = max((lane.frontier for lane in lanes if lane.frontier), default=None)
    taken: list[str] = []
    seen: set[str] = set()
    for sk, article_id, n in candidates:
        if floor is not None and (sk, article_id) < floor:
            break
        if article_id not in seen:
            if len(taken) == limit:
                break
            taken.append(article_id)
            seen.add(article_id)
        lane = lanes[n]
        lane.consumed += 1
        lane.after = (sk, article_id)
    has_more = any(lane.consumed < len(lane.fetched) or lane.more for lane in lanes)
    return taken, has_more


def next_cursor(lanes: list[Lane], query: ArticleQuery) -> str:
    """The cursor that resumes every lane that still has items."""
    positions = {
        lane.name: list(position) if (position := _resume_after(lane)) else None
        for lane in lanes
        if lane.consumed < len(lane.fetched) or lane.more
    }
    return encode_cursor({"f": _filters_digest(query), "p": positions})


def _resume_after(lane: Lane) -> tuple[str, str] | None:
    """Where ``lane``'s next query starts: after its frontier once every key it read was handed
    out (so the next request reads on), else after the last key handed out."""
    if lane.frontier is not None and lane.consumed == len(lane.fetched):
        return lane.frontier
    return lane.after
