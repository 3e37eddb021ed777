"""A slow command's "working on it" line: the ack when it comes first; nothing when the router's
deadline has acked one already, so the first message after the ack is the answer itself."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from serendip.adapters.slack.coffee.request import CoffeeRequest

Sent = list[dict[str, Any]]


def _request(acks: Sent, responses: Sent) -> CoffeeRequest:
    return CoffeeRequest(
        deps=cast(Any, None),
        who=cast(Any, None),
        ack=cast(Any, lambda payload=None: acks.append(payload)),
        respond=cast(Any, responses.append),
    )


def test_a_working_line_said_first_is_the_ack_and_the_answer_follows() -> None:
    acks: Sent = []
    responses: Sent = []
    request = _request(acks, responses)
    with request.deadline(60, {"text": "Working on it"}, lambda: None):
        request.interim({"text": "Setting up"})
        request.answer({"text": "Done"})
    assert acks == [{"text": "Setting up"}] and responses == [{"text": "Done"}]


def test_after_the_deadline_acked_the_working_line_is_not_said_again() -> None:
    acks: Sent = []
    responses: Sent = []
    late: list[bool] = []
    request = _request(acks, responses)
    with request.deadline(0.01, {"text": "Working on it"}, lambda: late.append(True)):
        deadline = time.monotonic() + 5
        while not request.acked and time.monotonic() < deadline:  # the handler is slow today
            time.sleep(0.01)
        request.interim({"text": "Setting up"})
        request.answer({"text": "Done"})
    assert late == [True] and acks == [{"text": "Working on it"}] and responses == [{"text": "Done"}]


def test_a_modal_command_acks_empty_in_time() -> None:
    acks: Sent = []
    responses: Sent = []
    request = _request(acks, responses)
    with request.deadline(60, {"text": "Working on it"}, lambda: None):
        request.ack_empty({"text": "Your profile is open."})
    assert acks == [None] and responses == []


def test_a_modal_command_past_the_deadline_keeps_the_working_line_s_promise_of_an_answer() -> None:
    acks: Sent = []
    responses: Sent = []
    request = _request(acks, responses)
    with request.deadline(0.01, {"text": "Working on it"}, lambda: None):
        deadline = time.monotonic() + 5
        while not request.acked and time.monotonic() < deadline:
            time.sleep(0.01)
        request.ack_empty({"text": "Your profile is open."})
    assert acks == [{"text": "Working on it"}] and responses == [{"text": "Your profile is open."}]


def test_an_answer_that_finds_the_deadline_acking_returns_only_once_that_ack_is_set() -> None:
    # The ack is made under the lock that decides who acks: whoever loses goes on only once it is set.
    acks: Sent = []
    responses: Sent = []
    acking = threading.Event()

    def slow_ack(payload: dict[str, Any] | None = None) -> None:
        acking.set()
        time.sleep(0.2)
        acks.append(payload)

    request = CoffeeRequest(
        deps=cast(Any, None),
        who=cast(Any, None),
        ack=cast(Any, slow_ack),
        respond=cast(Any, responses.append),
    )
    with request.deadline(0.001, {"text": "Working on it"}, lambda: None):
        assert acking.wait(5)
        request.answer({"text": "Done"})
        assert acks == [{"text": "Working on it"}]
    assert responses == [{"text": "Done"}]
