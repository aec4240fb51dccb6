"""The parts of pull streams that need no server: request signing against TikTok's worked example,
request templates, every pagination type, cursor formats, and which connectors `hub up --sandbox` points
at the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.api.signing import signature
from hub.api.templates import TemplateError, Values, render
from hub.connectors.api_spec import HmacSigning
from hub.connectors.stream_spec import (
    LinkHeaderPaging,
    NextQueryPaging,
    OffsetPaging,
    PageNumberPaging,
    TokenPaging,
)
from hub.credentials import Secret
from hub.project import Project
from hub.pull import cursor
from hub.pull.pages import first, following
from hub.sandbox.config import load_specs
from hub.sandbox.launch import choose
from tests.support.paths import REPO

VECTOR = json.loads((REPO / "connectors/tiktok/samples/api-request-signature-test-vector.json").read_text())
TIKTOK = Project.load(REPO, ["tiktok"]).connector("tiktok").spec


def test_tiktok_sign_matches_the_documented_example() -> None:
    assert TIKTOK.api is not None and TIKTOK.api.signing is not None
    secrets = {"app_secret": Secret(VECTOR["app_secret"], "TIKTOK_APP_SECRET")}
    digest = signature(TIKTOK.api.signing, secrets, path=VECTOR["path"], query=VECTOR["query"], body=b"")
    assert digest == VECTOR["expected_sign"]


def test_the_sign_covers_the_body_and_leaves_out_sign_and_access_token() -> None:
    spec = HmacSigning(
        type="hmac",
        secret="s",
        message="{secret:s}{path}{sorted_query}{body}{secret:s}",
        exclude=["sign", "access_token"],
        query="sign",
    )
    secrets = {"s": Secret("k", "S")}
    base = signature(spec, secrets, path="/p", query={"a": "1"}, body=b"{}")
    assert base == signature(
        spec, secrets, path="/p", query={"a": "1", "sign": "x", "access_token": "t"}, body=b"{}"
    )
    assert base != signature(spec, secrets, path="/p", query={"a": "1"}, body=b"{ }")


def test_templates_keep_types_expand_lists_and_name_what_is_missing() -> None:
    values = Values(args={"lines": [{"line": "1", "quantity": 2}], "n": 3}, vars={"m": "ATV"})
    template = {
        "id": "{var:m}-{arg:n}",
        "n": "{arg:n}",
        "items": {"each": "lines", "item": {"q": "{item:quantity}"}},
    }
    assert render(template, values) == {"id": "ATV-3", "n": 3, "items": [{"q": 2}]}
    with pytest.raises(TemplateError, match=r"\{arg:tracking\} has no value"):
        render("{arg:tracking}", values)


def _response(
    answer: Any, url: str = "https://x.test/v3/orders?limit=2", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(200, json=answer, headers=headers, request=httpx.Request("GET", url))


def test_token_pages_stop_on_an_empty_token() -> None:
    paging = TokenPaging(type="page_token", **{"from": "$.data.next_page_token"}, param="page_token")
    page = first(paging, {"page_size": "2"}, {"update_time_ge": 1})
    nxt = following(
        paging,
        page,
        _response({"data": {"next_page_token": "T2"}}),
        {"data": {"next_page_token": "T2"}},
        2,
        "",
    )
    assert nxt == {
        "query": {"page_size": "2", "page_token": "T2"},
        "body": {"update_time_ge": 1},
        "url": None,
    }
    assert following(paging, nxt, _response({}), {"data": {"next_page_token": ""}}, 2, "") is None


def test_a_ready_made_query_string_replaces_the_query() -> None:
    paging = NextQueryPaging(type="next_query", **{"from": "$.list.meta.nextCursor"})
    answer = {"list": {"meta": {"nextCursor": "?limit=2&nextCursorMark=abc%3D&hasMoreElements=true"}}}
    nxt = following(paging, first(paging, {"limit": "2"}, None), _response(answer), answer, 2, "")
    assert (
        nxt is not None
        and nxt["url"] == "https://x.test/v3/orders?limit=2&nextCursorMark=abc%3D&hasMoreElements=true"
    )
    assert following(paging, nxt, _response({}), {"list": {"meta": {}}}, 2, "") is None


def test_link_header_page_number_and_offset() -> None:
    link = LinkHeaderPaging(type="link_header")
    linked = _response([], headers={"Link": '<https://x.test/orders?page_info=abc>; rel="next"'})
    assert (
        following(link, first(link, {}, None), linked, [], 0, "")["url"]
        == "https://x.test/orders?page_info=abc"
    )  # type: ignore[index]
    assert following(link, first(link, {}, None), _response([]), [], 0, "") is None

    numbered = PageNumberPaging(type="page_number", size_param="per_page", size=2)
    page = first(numbered, {}, None)
    assert page["query"] == {"page": "1", "per_page": "2"}
    assert following(numbered, page, _response([]), [1, 2], 2, "")["query"]["page"] == "2"  # type: ignore[index]
    assert following(numbered, page, _response([]), [1], 1, "") is None

    offset = OffsetPaging(type="offset", size=50)
    page = first(offset, {}, None)
    assert following(offset, page, _response([]), [], 50, "")["query"] == {"offset": "50", "limit": "50"}  # type: ignore[index]
    assert following(offset, page, _response([]), [], 49, "") is None


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_cursor_formats_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    for fmt in ("iso8601", "epoch_s", "epoch_ms"):
        assert cursor.to_time(cursor.render_time(moment, fmt), fmt) == moment


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.lists(st.integers())))
def test_a_malformed_cursor_value_is_no_cursor(value: Any) -> None:
    for fmt in ("iso8601", "epoch_s", "epoch_ms"):
        result = cursor.to_time(value, fmt)
        assert result is None or result.tzinfo is not None


def test_a_real_credential_switches_only_its_connector_to_the_real_marketplace() -> None:
    project = Project.load(REPO)
    specs = load_specs(REPO)
    real = {
        "WALMART_CLIENT_ID": "prod-id",
        "WALMART_CLIENT_SECRET": "prod-secret",
        "TIKTOK_APP_KEY": "sandbox-tiktok-app-key",
    }  # a sandbox value is not a real credential
    env, choices = choose(project, specs, real, "http://127.0.0.1:9")
    assert {c.connector: c.real for c in choices} == {
        "amazon": False,
        "tiktok": False,
        "walmart": True,
        "webshop": False,  # not emulated, its secret unset: left out
    }
    assert [c.connector for c in choices if not c.kept] == ["webshop"]
    assert env["WALMART_CLIENT_SECRET"] == "prod-secret" and "WALMART_API_URL" not in env
    assert env["AMAZON_SPAPI_URL"] == "http://127.0.0.1:9/amazon"
    assert env["TIKTOK_APP_SECRET"] == specs["tiktok"].credentials["TIKTOK_APP_SECRET"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_any_answer_gives_records_or_a_clear_error(answer: Any) -> None:
    """A marketplace answer is outside input: whatever it is, the page gives a list of records (maybe
    empty), or a ValueError the sync reports; the next page is a request or the end, never a crash."""
    from hub.pull.records import records_of

    for path in ("$.data.orders", "$.list.elements.order", "$.payload.Orders"):
        try:
            found = records_of(answer, path)
        except ValueError as exc:
            assert "is neither a list nor an object" in str(exc)
        else:
            assert all(isinstance(r, dict) for r in found)
    for paging in (
        TokenPaging(type="next_token", **{"from": "$.payload.NextToken"}, param="NextToken"),
        NextQueryPaging(type="next_query", **{"from": "$.list.meta.nextCursor"}),
    ):
        nxt = following(paging, first(paging, {}, None), _response(None), answer, 1, "")
        assert nxt is None or isinstance(nxt, dict)


def test_lint_names_the_line_of_an_unknown_operation_secret_or_route(tmp_path: Any) -> None:
    from hub.project import load_project
    from tests.support.sandbox import project_copy

    root = project_copy(
        tmp_path,
        {
            "walmart:streams.orders.operation": "getAllOrderz",
            "walmart:streams.orders.route": "no_such_mapping",
            "walmart:api.auth.client_id": "client_idz",
        },
    )
    _, issues = load_project(root, ["walmart"])
    text = [str(i) for i in issues]
    assert any(
        "streams.orders.operation: names no operation 'getAllOrderz'" in t and "known: getAllOrders" in t
        for t in text
    )
    assert any("api.auth.client_id: names no secret 'client_idz'" in t for t in text)
    assert any(
        "streams.orders.route: no mapping file mappings/walmart/no_such_mapping.yaml" in t for t in text
    )
    assert all(t.startswith(str(root / "connectors/walmart/connector.yaml") + ":") for t in text)


def test_retry_after_is_honoured_and_backoff_is_jittered() -> None:
    from tenacity import RetryCallState

    from hub.api.client import _wait
    from hub.api.errors import Retryable

    wait = _wait(max_wait_s=30)
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = 3
    state.set_exception((Retryable, Retryable("HTTP 429", status=429, retry_after=1.5), None))
    assert wait(state) == 1.5
    state.set_exception((Retryable, Retryable("HTTP 503", status=503), None))
    samples = {wait(state) for _ in range(50)}
    assert len(samples) > 10 and all(0 <= s <= 30 for s in samples)
