"""Fuzzing: every form each role can reach, every `<int:>` route and query value; never a 500.

Hypothesis runs with a fixed example budget (FUZZ_EXAMPLES, default 3 per form), derandomised in
CI (CI=true) and whenever FUZZ_EXAMPLES is not set, so the suite takes the same time on every run
and a failure reproduces; a longer run (FUZZ_EXAMPLES=2000) explores afresh each time. It runs in
the PostgreSQL pass too (TEST_DB=postgresql), where a NUL that reaches the database is a 500."""

from __future__ import annotations

import io
import os
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.services.demo import DEMO_DOMAIN
from portal.web import BoundedIntConverter
from tests.support import csrf_from, url_for
from tests.support.crawling import ACCOUNTS, FORMS_AT_LEAST, SKIP, crawl, forms_on, sign_in_demo
from tests.support.crawling import demo as demo

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
DERANDOMIZE = os.environ.get("CI") == "true" or "FUZZ_EXAMPLES" not in os.environ
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
                suppress_health_check=list(HealthCheck))
NASTY = ["", " ", "0", "-1", "2147483648", "9223372036854775808", "9" * 40, "1e309", "NaN",
         "\u202egnp.exe", "a\u200bb", "<script>alert(1)</script>", "{{7*7}}", "' OR 1=1 --",
         "\x00", "\r\nX: y", "31", "12", "99999", "2027", "x" * 140_000, "good", "A", "B",
         # every kind of character the text policy refuses (issue 24)
         "a\x00b", "\x01", "\x08\x0b\x0c", "\x1b[31mred", "\x7f", "a\x85b", "\x9f",
         "\u2066isolated\u2069", "\u202aembedded\u202c", "\ufeffbom", "a\u2060b", "line\rreturn",
         "\u2028", "99999999999999999999", "-99999999999999999999"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                   st.text(st.characters(codec="utf-8", max_codepoint=0x3000), max_size=12),
                   st.integers(min_value=-(2**70), max_value=2**70).map(str))
FILES = st.one_of(st.binary(max_size=300),
                  st.sampled_from([b"name,sector,email,contact_name,cohort\n" + b"x" * 140_000,
                                   b"PK\x03\x04" + b"\x00" * 64, b'"unclosed,quote\n' * 3]))


def fuzz_form(client: FlaskClient, action: str, fields: dict[str, str], token: str) -> None:
    strategies = {name: FILES if kind == "file" else VALUES for name, kind in fields.items()}

    @FUZZ
    @given(values=st.fixed_dictionaries(strategies))
    def post(values: dict[str, Any]) -> None:
        data: dict[str, Any] = {"csrf_token": token}
        for name, value in values.items():
            data[name] = (io.BytesIO(value), "upload.xlsx") if fields[name] == "file" else value
        response = client.post(action, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, f"POST {action} {values!r:.300} gave {response.status_code}"

    post()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("role", "email"), ACCOUNTS, ids=[role for role, _ in ACCOUNTS])
def test_every_form_each_role_reaches_survives_fuzzing_without_a_500(
        app: Flask, role: str, email: str) -> None:
    """One test a role (each on its own copy of the demo), so that the two workers share the
    roles out."""
    fuzzed = set()
    client = app.test_client()
    sign_in_demo(client, email)
    pages = crawl(client, client.get("/").headers["Location"])
    assert len(pages) > 1, role
    for url, body in pages.items():
        for action, fields in forms_on(url, body):
            shape = re.sub(r"\d+", "N", action)
            if shape in fuzzed or SKIP.search(action):
                continue
            fuzzed.add(shape)
            fuzz_form(client, action, fields, csrf_from(body))
    print(f"fuzzed {len(fuzzed)} forms x {EXAMPLES} examples as {role}")
    assert len(fuzzed) >= FORMS_AT_LEAST[role]


def fuzz_route(client: FlaskClient, rule: str, method: str, token: str) -> None:
    @FUZZ
    @given(number=INTS, text=st.sampled_from(["1", "2026-27", "x" * 300, "%00"]))
    def visit(number: int, text: str) -> None:
        path = re.sub(r"<int:[a-z_]+>", str(number), rule)
        path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", text, path)
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code < 500, f"{method} {path} gave {response.status_code}"

    visit()


INTS = st.one_of(st.integers(min_value=-(2**64), max_value=2**70),
                 st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64]))


@pytest.mark.usefixtures("demo")
def test_every_int_route_and_query_value_survives_huge_numbers_without_a_500(app: Flask) -> None:
    client = app.test_client()
    sign_in_demo(client, f"manager@{DEMO_DOMAIN}")
    token = csrf_from(client.get(url_for(app, "manager.user_new")).get_data(as_text=True))
    rules = [r for r in app.url_map.iter_rules() if r._converters and r.endpoint != "assets"]
    assert sum(any(isinstance(c, BoundedIntConverter) for c in r._converters.values())
               for r in rules) >= 20
    for rule in rules:
        if "sign_out" not in rule.endpoint:
            fuzz_route(client, rule.rule, "GET" if "GET" in (rule.methods or ()) else "POST",
                       token)

    fuzz_queries(client, [r.rule for r in app.url_map.iter_rules()
                          if not r._converters and "GET" in (r.methods or ())
                          and not SKIP.search(r.rule) and "sign_out" not in r.endpoint])


QUERY_NAMES = ("page", "sector", "cycle", "agency", "return_id", "status", "q", "cohort", "open",
               "active", "version", "stage", "recommendation", "next", "format")


def fuzz_queries(client: FlaskClient, urls: list[str]) -> None:
    """Every page without a path value, with every query value any view reads (and a name
    with a NUL): never a 500."""
    assert len(urls) >= 20

    @FUZZ
    @given(values=st.fixed_dictionaries({k: st.one_of(INTS.map(str), VALUES) for k in QUERY_NAMES},
                                        optional={"a\x00b": st.just("1")}))
    def query(values: dict[str, str]) -> None:
        for url in urls:
            response = client.get(url, query_string=values)
            assert response.status_code < 500, f"GET {url} {values!r:.200}"

    query()


@pytest.mark.usefixtures("demo")
def test_the_committees_pages_survive_hostile_query_values_without_a_500(app: Flask) -> None:
    client = app.test_client()
    sign_in_demo(client, f"mesc@{DEMO_DOMAIN}")
    urls = {u.split("?")[0] for u in crawl(client, client.get("/").headers["Location"])}
    assert len(urls) > 5
    for url in sorted(urls):
        for values in ({"q": "a\x00"}, {"cycle": "9" * 30, "page": "\x85", "sector": "-1",
                                        "agency": "2147483648", "version": "1e309", "open": "\u202e"}):
            response = client.get(url, query_string=values)
            assert response.status_code < 500, (url, values)
