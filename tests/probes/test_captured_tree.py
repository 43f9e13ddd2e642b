"""A snapshot's values as the engineer reads them: nested values expand, redacted and uncaptured
ones say so, cut values say how big they were."""

from tests.probes.panel_helpers import SNAPSHOT
from tierline.probes.templatetags._captured import captured_tree


def test_scalars_inline_and_containers_expandable():
    html = str(captured_tree(SNAPSHOT["locals"]))
    assert "<details><summary><span class=\"name\">profile</span> <span class=\"type\">dict</span> (size 2)" in html
    assert "&#x27;groups&#x27;" in html and "(size 361, truncated)" in html
    assert "<span class=\"value\">&#x27;tyrell-a&#x27;</span>" in html
    assert "not captured: depth" in html
    assert "(size 21964, truncated)" in html  # the token was longer than what was kept


def test_redacted_values_are_marked_and_never_shown():
    html = str(captured_tree(SNAPSHOT["arguments"]))
    assert '<span class="redacted" title="hidden by the agent">[redacted, 32 characters]</span>' in html
    assert "priya" in html and "True" in html


def test_values_are_escaped_and_empty_sections_say_none():
    html = str(captured_tree({"note": {"type": "str", "value": "<script>alert(1)</script>"}}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "none" in str(captured_tree({}))


def test_a_huge_tree_is_cut_at_a_fixed_number_of_nodes():
    many = {"items": {"type": "list", "size": 5000, "items": [{"type": "int", "value": i} for i in range(5000)]}}
    assert str(captured_tree(many)).count("<li>") <= 2000
