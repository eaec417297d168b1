"""The one UpdateExpression builder: sets, list appends and removals, placeholders only."""

from __future__ import annotations

from workingbetter.adapters.update_expression import update


def test_sets_appends_and_removes_go_through_placeholders() -> None:
    written = update({"status": "IN_SUPPORT"}, ["task_token"], {"timeline": [{"e": 1}]})

    assert written.expression == ("SET #a0 = list_append(if_not_exists(#a0, :empty), :a0), "
                                  "#s0 = :s0 REMOVE #r0")
    assert written.names == {"#a0": "timeline", "#s0": "status", "#r0": "task_token"}
    assert written.values == {":a0": [{"e": 1}], ":empty": [], ":s0": "IN_SUPPORT"}


def test_a_removal_alone_has_no_values() -> None:
    written = update({}, ["due_pk", "due_pk"])

    assert written.expression == "REMOVE #r0"
    assert "ExpressionAttributeValues" not in written.arguments()
