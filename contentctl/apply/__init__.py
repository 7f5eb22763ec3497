"""Apply: run exactly the planned steps, persist after every one, resume what was pending."""

from contentctl.apply.executor import ApplyResult, Event, Executor, Failure

__all__ = ["ApplyResult", "Event", "Executor", "Failure"]
