"""The published JSON Schema: generated from the model, kept in the repository, in sync."""

from __future__ import annotations

import json

import jsonschema
import pytest
from support.newsrooms import FIXTURES, ROOT, SAMPLES

from briefkit.model import json_schema

COPY = ROOT / "schema" / "briefing-1.schema.json"


def test_repository_copy_is_in_sync() -> None:
    assert json.loads(COPY.read_text("utf-8")) == json_schema(), (
        "schema/briefing-1.schema.json is stale: run `briefkit schema -o schema/briefing-1.schema.json`"
    )


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")) + sorted(FIXTURES.glob("*.json")),
                         ids=lambda p: p.name)
def test_samples_follow_the_schema(path) -> None:  # type: ignore[no-untyped-def]
    jsonschema.validate(json.loads(path.read_text("utf-8")), json_schema())


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json_schema()
    sample = json.loads((SAMPLES / "night-bus-network.json").read_text("utf-8"))
    for broken in ({**sample, "id": "../../x"}, {**sample, "id": "index"}, {**sample, "titel": "x"},
                   {**sample, "id": "night-bus\n"},  # '$' would let the newline pass
                   {k: v for k, v in sample.items() if k != "title"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)
