"""The task runner: work off the GUI thread, one writer at a time, a progress dialog only for slow
work, Cancel that stops the work quietly, errors to on_error or a message box, and an inline mode."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from povcase.errors import PovcaseError
from povcase.i18n import _
from povcase.ui.tasks import CANCELLED_MSGID, Task, TaskProgress, TaskRunner, TaskState

MAIN = threading.get_ident()
WAIT = 5.0  # seconds a worker waits on a gate before giving up (a failing test must not hang)


@pytest.fixture
def gates() -> Iterator[list[threading.Event]]:
    """Events that hold workers back; all released at teardown so no test leaves the writer busy."""
    made: list[threading.Event] = []
    yield made
    for gate in made:
        gate.set()


def gate(gates: list[threading.Event]) -> threading.Event:
    event = threading.Event()
    gates.append(event)
    return event


@pytest.fixture
def runner(qtbot, gates) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    for g in gates:
        g.set()
    assert r.wait_idle(10000), "tasks still running at teardown"


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every QMessageBox.warning shown (nothing really pops up)."""
    shown: list[tuple[str, str]] = []

    def warning(parent: QWidget | None, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def raising(error: BaseException) -> Callable[[TaskProgress], None]:
    def work(progress: TaskProgress) -> None:
        raise error
    return work


def visible_progress_dialogs() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def wait_for_dialog(qtbot, task: Task[Any]) -> QProgressDialog:
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=3000)
    assert task.dialog is not None
    return task.dialog


# --- threads ----------------------------------------------------------------------------------------
def test_work_runs_on_a_worker_and_results_arrive_on_the_gui_thread(qtbot, runner, boxes):
    seen: dict[str, Any] = {}

    def work(progress: TaskProgress) -> int:
        seen["work"] = threading.get_ident()
        return 42

    def done(result: int) -> None:
        seen["done"] = threading.get_ident()
        seen["result"] = result

    for writes in (True, False):
        seen.clear()
        task = runner.run("Sum", work, done, writes=writes)
        assert task.state is TaskState.PENDING
        assert runner.wait_idle()
        assert seen["work"] != MAIN
        assert seen["done"] == MAIN
        assert seen["result"] == 42
        assert task.state is TaskState.DONE and task.result == 42 and task.finished
        assert not task.dialog_shown
    assert boxes == []


def test_writes_run_one_at_a_time_in_submission_order(qtbot, runner):
    spans: list[tuple[int, float, float, int]] = []
    finished: list[int] = []

    def write(i: int) -> Callable[[TaskProgress], int]:
        def work(progress: TaskProgress) -> int:
            start = time.monotonic()
            time.sleep(0.02)
            spans.append((i, start, time.monotonic(), threading.get_ident()))
            return i
        return work

    other = TaskRunner()  # a second runner (another window) shares the one writer thread
    for i in range(8):
        (runner if i % 2 else other).run(f"Write {i}", write(i), finished.append)
    assert runner.wait_idle() and other.wait_idle()
    assert [s[0] for s in spans] == list(range(8))
    assert sorted(finished) == list(range(8))
    assert len({s[3] for s in spans}) == 1, "every write on the same thread"
    assert spans[0][3] != MAIN
    for before, after in zip(spans, spans[1:], strict=False):
        assert after[1] >= before[2], "two writes overlapped"


def test_reads_run_side_by_side_and_beside_a_write(qtbot, runner, gates):
    both_in = threading.Barrier(2, timeout=WAIT)  # breaks (an error) unless both reads run at once
    hold = gate(gates)
    results: list[str] = []
    errors: list[BaseException] = []

    def read(name: str) -> Callable[[TaskProgress], str]:
        def work(progress: TaskProgress) -> str:
            both_in.wait()
            return name
        return work

    writing = runner.run("Long write", lambda p: hold.wait(WAIT), on_error=errors.append)
    runner.run("Read A", read("a"), results.append, errors.append, writes=False)
    runner.run("Read B", read("b"), results.append, errors.append, writes=False)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=3000)
    assert sorted(results) == ["a", "b"]
    assert not writing.finished, "reads did not wait for the write"
    hold.set()
    assert runner.wait_idle()
    assert writing.state is TaskState.DONE
    assert errors == []


# --- the progress dialog ---------------------------------------------------------------------------
def test_no_progress_dialog_for_quick_work(qtbot, runner):
    task = runner.run("Quick", lambda p: p.update(1, 1, "Almost instant"), show_after_ms=150)
    assert runner.wait_idle()
    qtbot.wait(250)  # past show_after_ms: the timer must not bring up a dialog for finished work
    assert not task.dialog_shown
    assert visible_progress_dialogs() == []


def test_slow_work_shows_a_dialog_with_its_text_and_progress(qtbot, runner, gates):
    step = gate(gates)
    go_on = gate(gates)

    def work(progress: TaskProgress) -> str:
        progress.update(3, 10, "Importing households (3 of 10)")
        step.wait(WAIT)
        progress.update(7, text="Importing households (7 of 10)")
        go_on.wait(WAIT)
        return "ok"

    done: list[str] = []
    task = runner.run("Import", work, done.append, show_after_ms=30)
    dialog = wait_for_dialog(qtbot, task)
    assert task.dialog_shown
    assert dialog.windowTitle() == "Import"
    assert dialog.isModal()
    qtbot.waitUntil(lambda: dialog.labelText() == "Importing households (3 of 10)", timeout=2000)
    assert (dialog.minimum(), dialog.maximum(), dialog.value()) == (0, 10, 3)
    step.set()
    qtbot.waitUntil(lambda: dialog.value() == 7, timeout=2000)
    assert dialog.maximum() == 10  # the total is kept when not repeated
    assert dialog.labelText() == "Importing households (7 of 10)"
    go_on.set()
    qtbot.waitUntil(lambda: done == ["ok"], timeout=3000)
    assert task.dialog is None
    qtbot.waitUntil(lambda: visible_progress_dialogs() == [], timeout=2000)


def test_work_without_a_total_shows_a_busy_dialog_titled_by_the_task(qtbot, runner, gates):
    hold = gate(gates)
    task = runner.run("Search the register", lambda p: hold.wait(WAIT), writes=False, show_after_ms=10)
    dialog = wait_for_dialog(qtbot, task)
    assert (dialog.minimum(), dialog.maximum()) == (0, 0)  # busy indicator
    assert dialog.labelText() == "Search the register"
    hold.set()
    assert runner.wait_idle()
    assert visible_progress_dialogs() == []


# --- cancel ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["button", "escape", "close"])
def test_cancel_stops_the_work_quietly(qtbot, runner, gates, boxes, how):
    release = gate(gates)
    calls: list[str] = []
    saved: list[int] = []

    def work(progress: TaskProgress) -> int:
        deadline = time.monotonic() + WAIT
        i = 0
        while progress.update(i, 1000, f"Saving household {i}") and time.monotonic() < deadline:
            saved.append(i)
            i += 1
            time.sleep(0.005)
        release.wait(WAIT)  # a service would roll back here
        raise PovcaseError(CANCELLED_MSGID)

    task = runner.run("Import", work, lambda r: calls.append("done"), lambda e: calls.append("error"),
                      show_after_ms=20)
    dialog = wait_for_dialog(qtbot, task)
    button = dialog.cancel_button()
    assert button is not None and button.text() == _("Cancel")
    if how == "button":
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    elif how == "escape":
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    else:
        dialog.close()
    assert task.progress.cancelled
    # The dialog stays up while the work winds down, and says so.
    assert dialog.isVisible()
    assert dialog.labelText() == _("Cancelling…")
    assert not button.isEnabled()
    stopped_at = len(saved)
    release.set()
    assert runner.wait_idle()
    assert len(saved) <= stopped_at + 1, "the work went on after Cancel"
    assert task.state is TaskState.CANCELLED
    assert calls == []
    assert boxes == []
    qtbot.waitUntil(lambda: visible_progress_dialogs() == [], timeout=2000)


def test_raise_if_cancelled_and_the_service_callback_shape(qtbot, runner, boxes):
    def work(progress: TaskProgress) -> None:
        assert progress(1) is True  # services call progress(done)
        progress.cancel()
        assert progress(2) is False
        progress.raise_if_cancelled()

    task = runner.run("Demo data", work, lambda r: pytest.fail("on_done after cancel"))
    assert runner.wait_idle()
    assert task.state is TaskState.CANCELLED
    assert boxes == []


def test_work_that_finishes_despite_cancel_is_reported_done(qtbot, runner, gates):
    started, hold = gate(gates), gate(gates)
    done: list[str] = []

    def work(progress: TaskProgress) -> str:
        started.set()
        hold.wait(WAIT)
        return "saved"

    task = runner.run("Save", work, done.append)
    assert started.wait(WAIT)
    task.cancel()
    hold.set()
    assert runner.wait_idle()
    assert done == ["saved"] and task.state is TaskState.DONE


def test_an_error_after_cancel_that_is_not_ours_is_still_an_error(qtbot, runner, boxes):
    errors: list[BaseException] = []

    def work(progress: TaskProgress) -> None:
        progress.cancel()
        raise KeyError("bug")

    runner.run("Import", work, on_error=errors.append)
    assert runner.wait_idle()
    assert len(errors) == 1 and isinstance(errors[0], KeyError)


def test_a_task_that_cannot_be_cancelled_has_no_cancel_button(qtbot, runner, gates):
    hold = gate(gates)
    task = runner.run("Back up the register", lambda p: hold.wait(WAIT), cancellable=False, show_after_ms=10)
    dialog = wait_for_dialog(qtbot, task)
    assert dialog.cancel_button() is None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    task.cancel()
    assert not task.progress.cancelled
    assert dialog.isVisible()
    hold.set()
    assert runner.wait_idle()
    assert task.state is TaskState.DONE


# --- errors ----------------------------------------------------------------------------------------
def test_an_exception_goes_to_on_error_on_the_gui_thread(qtbot, runner, boxes):
    got: list[tuple[BaseException, int]] = []

    def work(progress: TaskProgress) -> None:
        raise PovcaseError("Household {code} not found", code="X1")

    task = runner.run("Open", work, lambda r: pytest.fail("on_done after an error"),
                      lambda e: got.append((e, threading.get_ident())))
    assert runner.wait_idle()
    assert len(got) == 1
    error, thread = got[0]
    assert isinstance(error, PovcaseError) and error.params == {"code": "X1"}
    assert thread == MAIN
    assert task.state is TaskState.FAILED and task.error is error
    assert boxes == []


def test_without_on_error_the_error_is_shown_in_a_message_box(qtbot, runner, boxes):
    runner.run("Export the list", raising(PovcaseError("The file is open in Excel")))
    runner.run("Print", lambda p: 1 / 0, writes=False)
    assert runner.wait_idle()
    assert len(boxes) == 2
    titles = {title for title, _text in boxes}
    assert titles == {"Export the list", "Print"}
    texts = dict(boxes)
    assert texts["Export the list"] == "The file is open in Excel"
    # An unexpected error says so, without a traceback.
    assert texts["Print"] == _("Something went wrong. The details are in the log file; nothing was saved.")


def test_an_error_in_on_done_goes_to_on_error(qtbot, runner):
    errors: list[BaseException] = []

    def done(result: int) -> None:
        raise ValueError("bad result")

    runner.run("Count", lambda p: 1, done, errors.append)
    assert runner.wait_idle()
    assert len(errors) == 1 and isinstance(errors[0], ValueError)


# --- inline mode, waiting ----------------------------------------------------------------------------
def test_inline_mode_runs_synchronously_and_still_calls_back(qtbot, boxes):
    runner = TaskRunner(inline=True)
    assert runner.inline
    seen: list[tuple[str, int]] = []

    def work(progress: TaskProgress) -> str:
        seen.append(("work", threading.get_ident()))
        assert progress.update(1, 2, "half")
        return "result"

    task = runner.run("Inline", work, lambda r: seen.append((r, threading.get_ident())), show_after_ms=0)
    assert task.state is TaskState.DONE and task.result == "result"
    assert seen == [("work", MAIN), ("result", MAIN)]
    assert task.progress.snapshot() == (1, 2, "half")
    assert not task.dialog_shown

    errors: list[BaseException] = []
    failed = runner.run("Inline error", lambda p: 1 / 0, on_error=errors.append)
    assert failed.state is TaskState.FAILED and isinstance(errors[0], ZeroDivisionError)
    runner.run("Inline box", raising(PovcaseError("No hamlet")))
    assert boxes == [("Inline box", "No hamlet")]

    def cancelled(progress: TaskProgress) -> None:
        progress.cancel()
        progress.raise_if_cancelled()

    quiet = runner.run("Inline cancel", cancelled, lambda r: pytest.fail("on_done after cancel"))
    assert quiet.state is TaskState.CANCELLED
    assert len(boxes) == 1
    assert runner.wait_idle(0)
    assert runner.active_count == 0


def test_wait_idle_times_out_while_work_is_running(qtbot, runner, gates):
    hold = gate(gates)
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    task = runner.run("Stuck", lambda p: hold.wait(WAIT), show_after_ms=60000)
    assert runner.active_count == 1
    started = time.monotonic()
    assert runner.wait_idle(100) is False
    assert time.monotonic() - started < 2
    assert not task.finished
    hold.set()
    assert runner.wait_idle() is True
    assert task.finished and runner.active_count == 0
    assert busy == [True, False]


def test_cancel_all_asks_every_task_to_stop(qtbot, runner, boxes):
    def work(progress: TaskProgress) -> None:
        deadline = time.monotonic() + WAIT
        while not progress.cancelled and time.monotonic() < deadline:
            time.sleep(0.005)
        progress.raise_if_cancelled()

    tasks = [runner.run(f"Job {i}", work, writes=i == 0, show_after_ms=60000) for i in range(3)]
    runner.cancel_all()
    assert runner.wait_idle()
    assert [t.state for t in tasks] == [TaskState.CANCELLED] * 3
    assert boxes == []


# --- with a real register ----------------------------------------------------------------------------
def test_a_real_write_then_read_across_threads_and_a_quiet_cancel(qtbot, runner, boxes, empty_register, officer):
    from povcase.services.demo import build_demo

    loaded: list[int] = []
    runner.run("Demo data", lambda p: build_demo(empty_register, officer, 40, seed=3, progress=p).households,
               loaded.append)
    counts: list[dict[str, int]] = []
    runner.run("Count", lambda p: empty_register.counts(), counts.append, writes=False)
    assert runner.wait_idle(30000)
    assert loaded == [40]
    # The read was queued after the write but runs on another thread; it saw 0 or 40, never a part.
    assert counts[0]["households"] in (0, 40)

    def cancelled_load(progress: TaskProgress) -> int:
        progress.cancel()  # as if the officer pressed Cancel at once
        return build_demo(empty_register, officer, 40, seed=4, progress=progress).households

    task = runner.run("More demo data", cancelled_load, lambda r: pytest.fail("on_done after cancel"))
    assert runner.wait_idle(30000)
    assert task.state is TaskState.CANCELLED
    assert boxes == []
    runner.run("Count again", lambda p: empty_register.counts(), counts.append, writes=False)
    assert runner.wait_idle()
    assert counts[-1]["households"] == 40, "the cancelled load saved something"
