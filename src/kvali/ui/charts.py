"""The app's charts as Vega-Lite specs written as plain data.

Altair builds and validates an object tree for every chart on every rerun (some 50 ms a chart on
the shared server); these specs are what Altair would send, so the browser draws the same
charts. Field helpers name each encoding's field, type and options; `show` draws a spec with
its rows at the container's width. Y axes never cut their labels off (`labelLimit: 0`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

Spec = dict[str, Any]


def nominal(name: str, **options: Any) -> Spec:
    """A nominal (category) field."""
    return {"field": name, "type": "nominal", **options}


def quantitative(name: str, **options: Any) -> Spec:
    """A quantitative field (`aggregate="sum"` to sum it)."""
    return {"field": name, "type": "quantitative", **options}


def y_labels(name: str, **options: Any) -> Spec:
    """A nominal y axis without a title whose labels are never cut off."""
    return nominal(name, title=None, axis={"labelLimit": 0}, **options)


def show(rows: list[dict], spec: Spec) -> None:
    """Draw SPEC (a single view, or one with `layer`) over ROWS at the container's width."""
    st.vega_lite_chart(spec={"data": {"name": "rows"}, "datasets": {"rows": rows}, **spec},
                       width="stretch")
