"""Charts render: valid SVG (parses as XML) and PNG (signature, > 5 KB), by GET and for a plan by POST."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from tests.api.analytics.analytics_helpers import API, build

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _valid(content: bytes, fmt: str) -> bool:
    if len(content) <= 5_000:
        return False
    if fmt == "png":
        return content.startswith(PNG_SIGNATURE)
    return ET.fromstring(content).tag.endswith("svg")  # noqa: S314 (our own output)


def test_every_chart_renders_as_svg_and_png(client: TestClient, as_admin: dict[str, str]) -> None:
    g = build(client, as_admin)
    base = {"to": "2025-12-31", "parent_id": g["P"]}
    merger = {
        "type": "merger",
        "kind": "absorption",
        "survivor_id": g["A"],
        "absorbed_ids": [g["B"]],
        "merged_on": "2025-07-01",
        "exchange_ratios": [{"entity_id": g["B"], "value": "1"}],
    }
    plan = {"from": "2025-01-01", "to": "2025-12-31", "parent_id": g["P"], "events": [merger]}

    answers = {
        "indicators.svg": client.get(
            f"{API}/analytics/charts/indicators.svg",
            params={**base, "indicator": "return_on_assets", "level": "company"},
            headers=as_admin,
        ),
        "trends.png": client.get(
            f"{API}/analytics/charts/trends.png",
            params={
                **base,
                "indicator": "revenue",
                "level": "segment",
                "granularity": "quarter",
                "periods": "4",
            },
            headers=as_admin,
        ),
        "concentration.svg": client.get(
            f"{API}/analytics/charts/concentration.svg",
            params={**base, "granularity": "month", "periods": "12"},
            headers=as_admin,
        ),
        "plan.png": client.post(f"{API}/analytics/charts/plan.png", json=plan, headers=as_admin),
        "plan.svg": client.post(f"{API}/analytics/charts/plan.svg", json=plan, headers=as_admin),
    }

    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == dict.fromkeys(answers, 200), {n: r.text[:200] for n, r in answers.items()}
    types = {name: response.headers["content-type"] for name, response in answers.items()}
    assert all(t.startswith("image/png" if n.endswith("png") else "image/svg+xml") for n, t in types.items())
    assert {name: _valid(r.content, name.rsplit(".", 1)[1]) for name, r in answers.items()} == dict.fromkeys(
        answers, True
    )


def test_refused_chart_requests(client: TestClient, as_admin: dict[str, str]) -> None:
    concentration_bars = client.get(
        f"{API}/analytics/charts/indicators.svg",
        params={"to": "2025-12-31", "indicator": "hhi"},
        headers=as_admin,
    )
    unknown = client.get(f"{API}/analytics/charts/pie.svg", params={"to": "2025-12-31"}, headers=as_admin)

    assert concentration_bars.status_code == 422
    assert unknown.status_code == 422
