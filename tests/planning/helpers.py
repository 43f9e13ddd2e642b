"""Teams and time entries for the planning tests and the role tables."""

from tests.factories import make_team


def make_planning_ids() -> dict:
    """A team nobody belongs to (so a team lead is refused its budget) and a time entry id that
    does not exist, as URL parts for the role tables."""
    return {"team_id": make_team(tier=4).pk, "entry_id": 999999}
