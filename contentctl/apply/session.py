"""An apply from its plan to its run. The plan is shown and must pass the gate; it is approved
(unless it is a saved, reviewed plan, or --auto-approve); under the apply lease it is planned
again when contentctl.lock changed while apply waited, and runs only if it is still what was
approved, or is approved again. What a stopped or dead apply left is taken in on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from contentctl import lease
from contentctl.apply import leftovers
from contentctl.apply.gate import Gate
from contentctl.console import Console
from contentctl.errors import StalePlanError
from contentctl.lockfile.read import fingerprint, read
from contentctl.plan import file as plan_file

if TYPE_CHECKING:
    from contentctl.apply.options import Approval, RunOptions
    from contentctl.config import Project
    from contentctl.plan.diff import Plan
    from contentctl.plan.project import Planned
    from contentctl.validate.manifests import Manifests


class Ui(Console, Protocol):
    """The person running the apply: sees the plan, and answers for it."""

    def show(self, the_plan: Plan) -> None: ...

    def approve(self) -> None:
        """Return on a yes to the plan shown; raise ApprovalError otherwise."""

    def approve_publishing(self, names: str) -> None:
        """Return on a yes to publishing ``names``; raise ApprovalError otherwise."""


def apply(
    project: Project,
    approval: Approval,
    running: RunOptions,
    plan: Callable[[], Planned],
    run: Callable[[Planned], None],
    ui: Ui,
) -> None:
    """Plan (``plan`` makes or loads it), approve, and ``run`` the plan under the lease."""
    lease.check(project.lockfile_path)  # before any work: another apply runs here
    adopted = leftovers.adopt_checkpoint(project, ui) if running.checkpoint else None
    planned = plan()
    ui.show(planned.plan)
    if not planned.plan.has_changes:
        # A killed apply may have left its last records in the journal (the plan read them):
        # they go into contentctl.lock itself now, and with --commit into the branch.
        leftovers.fold_journal(planned.project, ui, commit=running.commit, push=running.push)
        if adopted:  # the records the dead apply left still have to reach the branch
            leftovers.persist_adopted(planned.project, ui)
        return
    gate = Gate.of(
        planned.project, approval.max_credits, approval.allow_publish, ui.approve_publishing
    )
    gate.check(planned.plan)
    if not (approval.saved or approval.auto_approve):
        ui.approve()
    gate.publishing(planned.plan)
    with lease.hold(planned.project.lockfile_path, owner=leftovers.owner()):
        now = _plan_under_lease(planned, plan, saved=approval.saved)
        if now.plan is planned.plan or _approve_again(
            now, planned.plan, gate, approval.auto_approve, ui
        ):
            run(now)


def _plan_under_lease(planned: Planned, plan: Callable[[], Planned], *, saved: bool) -> Planned:
    """The plan to run now that this apply holds the lease: the approved one when the
    lockfile did not change while it waited, else planned again. A saved plan is stale."""
    project, lock = planned.project, planned.lock
    if lock.source is not None and fingerprint(project.lockfile_path) == lock.source:
        return planned  # the same bytes: not parsed again
    now = read(project.lockfile_path)
    if now == lock:
        return planned
    # Another apply (or a git pull) changed the lockfile while this one waited.
    if saved:
        raise StalePlanError(
            "saved plan is stale: contentctl.lock changed while apply waited for "
            f"the lease (serial {lock.serial} then, {now.serial} now)",
            hint="make a new plan with `contentctl plan -out FILE`, review it, and apply that",
        )
    del now  # a second copy of a large lockfile is not kept through the apply
    return plan()


def _approve_again(
    planned: Planned, approved: Plan, gate: Gate, auto_approve: bool, ui: Ui
) -> bool:
    """A plan made again under the lease runs only if it is what was approved, or is
    approved again (and passes the gate again); False when nothing is left to do."""
    _project, manifests, lock, again = planned
    if _changes(again, manifests) == _changes(approved, manifests):
        return True
    ui.say(
        "\ncontentctl.lock changed while this apply waited (another apply finished?): "
        f"serial {approved.serial} then, {lock.serial} now. Planned again:\n"
    )
    ui.show(again)
    if not again.has_changes:
        return False
    gate.check(again)
    if not auto_approve:
        ui.approve()
    gate.publishing(again)
    return True


def _changes(the_plan: Plan, manifests: Manifests) -> Any:
    return plan_file.to_json(the_plan, manifests.graph)["changes"]
