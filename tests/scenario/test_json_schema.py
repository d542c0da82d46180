"""The exported JSON Schema states every range, so editors check values as they are typed."""

from latticesim.scenario.schema import json_schema


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}/{i}")


def test_ranges_are_json_schema_keywords():
    schema = json_schema()
    nodes = list(_walk(schema))
    raw = [p for p, n in nodes if "ge" in n or "le" in n]
    assert not raw, f"pydantic keywords instead of minimum/maximum at {raw[:3]}"
    watering = schema["$defs"]["Parameters"]["properties"]["watering"]
    assert (watering["minimum"], watering["maximum"]) == (0.0, 1.0)


def test_shocks_state_their_range():
    schema = json_schema()
    amount = schema["$defs"]["ThreatShock"]["properties"]["amount"]
    assert (amount["minimum"], amount["maximum"]) == (-1.0, 1.0)
