"""Signals for optional listeners of problems, sent from inside the actions' transactions.

`problem_fixed(sender=Problem, problem=..., actor=..., at=...)`: a problem's status just became
"fixed" (tierline.notify tells its customers).
"""

from django.dispatch import Signal

problem_fixed = Signal()
