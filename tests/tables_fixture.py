"""Tiny canonical tables built by hand, so unit tests can state their expected answers exactly."""

from __future__ import annotations

import pandas as pd

from review.inputs.contracts import TABLES


def typed(name: str, rows: list[dict]) -> pd.DataFrame:
    """A contract-typed frame from dicts; columns left out are empty."""
    table = TABLES[name]
    schema = table.model.to_schema()
    frame = pd.DataFrame(rows, columns=table.columns)
    for column in table.columns:
        dtype = str(schema.columns[column].dtype)
        if "UTC" in dtype:
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[ns, UTC]")
        elif dtype.startswith("datetime64"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        elif dtype in ("Int64", "boolean", "float64"):
            frame[column] = frame[column].astype(dtype)
        else:
            frame[column] = frame[column].astype("str").where(frame[column].notna())
    return table.model.validate(frame)


def account(account_id, platform="X", name=None, **kw):
    return {
        "account_id": account_id, "platform": platform, "handle": "@" + account_id, "name": name or account_id,
        "owner_unit": "Corporate Communications", "purpose": "corporate", "opened_date": "2015-01-01",
        "closed_date": None, "is_approved": True, "has_mfa": True, "admin_count": 2,
        "last_reviewed_date": "2025-06-01", **kw,
    }


def post(post_id, account_id, published_at, **kw):
    return {
        "post_id": post_id, "account_id": account_id, "published_at": published_at, "text": "We are looking for Sam.",
        "media_type": "text", "has_alt_text": None, "has_captions": None, "was_approved": True,
        "critical_incident_id": None, "impressions": 100, "reach": 80, "engagements": 5, "reactions": 3,
        "comments": 1, "shares": 1, "link_clicks": 0, "video_views": None, **kw,
    }


def contact(contact_id, received_at, response_minutes=None, needs_response=True, account_id="a1", **kw):
    received = pd.Timestamp(received_at)
    first = None if response_minutes is None else (received + pd.Timedelta(minutes=response_minutes)).isoformat()
    return {
        "contact_id": contact_id, "account_id": account_id, "received_at": received_at, "kind": "comment",
        "needs_response": needs_response, "first_response_at": first,
        "outcome": "answered" if first else (None if needs_response else "no_response_needed"), **kw,
    }


def tables(**given: list[dict]) -> dict[str, pd.DataFrame]:
    """Every canonical table, typed; tables not given are empty."""
    return {name: typed(name, given.get(name, [])) for name in TABLES}
