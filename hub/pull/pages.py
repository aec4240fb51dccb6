"""The next page's request, by the stream's pagination type. A request is kept as plain JSON (the walk
in progress is stored with it), so a sync killed between pages resumes at the page it had reached."""

from __future__ import annotations

from typing import Any

import httpx

from hub.connectors.stream_spec import (
    LinkHeaderPaging,
    NextQueryPaging,
    NoPaging,
    OffsetPaging,
    PageNumberPaging,
    Pagination,
    TokenPaging,
)
from hub.pull.records import field_of

Page = dict[str, Any]  # {"query": {...}, "body": ..., "url": str | None}


def first(pagination: Pagination, query: dict[str, str], body: Any) -> Page:
    query = dict(query)
    if isinstance(pagination, PageNumberPaging):
        query[pagination.param] = str(pagination.start)
        if pagination.size_param:
            query[pagination.size_param] = str(pagination.size)
    elif isinstance(pagination, OffsetPaging):
        query[pagination.param] = "0"
        query[pagination.size_param] = str(pagination.size)
    return {"query": query, "body": body, "url": None}


def following(
    pagination: Pagination, page: Page, response: httpx.Response, answer: Any, count: int, base_url: str
) -> Page | None:
    """The request of the page after `page`, or None when `page` was the last."""
    if isinstance(pagination, NoPaging):
        return None
    if isinstance(pagination, TokenPaging):
        token = field_of(answer, pagination.from_)
        if token in (None, ""):
            return None
        if pagination.into == "body":
            return {**page, "body": {**(page["body"] or {}), pagination.param: token}}
        return {**page, "query": {**page["query"], pagination.param: str(token)}}
    if isinstance(pagination, NextQueryPaging):
        rest = field_of(answer, pagination.from_)
        if not rest:
            return None
        path = response.request.url.path
        return {
            "query": {},
            "body": page["body"],
            "url": str(response.request.url.copy_with(raw_path=(path + str(rest)).encode())),
        }
    if isinstance(pagination, LinkHeaderPaging):
        link = response.links.get(pagination.rel, {}).get("url")
        return {"query": {}, "body": page["body"], "url": link} if link else None
    if isinstance(pagination, PageNumberPaging | OffsetPaging):
        if count < pagination.size or count == 0:
            return None
        step = 1 if isinstance(pagination, PageNumberPaging) else pagination.size
        current = int(page["query"][pagination.param])
        return {**page, "query": {**page["query"], pagination.param: str(current + step)}}
    raise AssertionError(f"unknown pagination {pagination!r}")
