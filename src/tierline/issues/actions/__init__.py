"""Every write to an issue: the row, its timeline event and follow-up work, in one transaction.

API endpoints, pages, the CLI, tasks and the demo all call these functions; nothing else
saves an Issue, Comment, Attachment or IssueEvent. `create` opens issues, `update` changes them,
`comments` adds replies and notes, `components` files them; `_common` is what they share.
"""

from ._common import DEFAULT_PRIORITY_FOR_SEVERITY, MAX_TITLE, Upload
from .comments import do_add_comment, do_record_notification
from .components import do_create_component, do_update_component
from .create import IssueDraft, do_create_issue, do_create_issues
from .update import IssueUpdate, do_update_issue, do_update_issues

__all__ = ["DEFAULT_PRIORITY_FOR_SEVERITY", "MAX_TITLE", "IssueDraft", "IssueUpdate", "Upload", "do_add_comment",
           "do_create_component", "do_create_issue", "do_create_issues", "do_record_notification",
           "do_update_component", "do_update_issue", "do_update_issues"]
