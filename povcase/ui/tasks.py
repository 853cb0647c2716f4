"""Slow work off the GUI thread: a small task runner with a progress dialog and Cancel.

Anything that can take more than half a second (imports, exports, batch printing, big queries) goes
through `TaskRunner.run()`:

* Writes run on **one** writer thread, one at a time, in the order they were submitted (SQLite has
  one writer anyway; a single thread also keeps the order of the officer's actions). The writer
  thread is shared by every runner in the process. Reads run on a small pool beside it.
* The work function gets a `TaskProgress` to report progress and to learn about cancellation; it is
  also a `progress(done) -> bool` callback, the shape our services take.
* The result (or the exception) comes back to `on_done` / `on_error` on the GUI thread through a
  queued signal. Without `on_error`, the error is shown with `messages.show_error`.
* A modal `QProgressDialog` appears only if the task is still running after `show_after_ms`:
  determinate when the work reports a total, busy otherwise, with Cancel when cancellable.
* Cancel only sets a flag; the work function decides how to stop. Services roll back and raise
  `PovcaseError("Cancelled; nothing was saved")`: a PovcaseError raised after cancellation is a quiet
  cancel (no message box, neither callback). Work that finishes anyway really finished (its data is
  saved), so `on_done` is called.
* `TaskRunner(inline=True)` runs the same calls synchronously (tests, scripts).

Lifetimes: the runner keeps every task (work function, callbacks, dialog) until its result has been
handled on the GUI thread, and the worker drops its own reference to the work function before it
reports, so nothing of the GUI's is ever freed on a worker thread. Call `wait_idle()` before
closing the window that owns the runner.
"""

from __future__ import annotations

import enum
import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    SIGNAL,
    SLOT,
    QCoreApplication,
    QEventLoop,
    QObject,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QPushButton, QWidget

from povcase.errors import N_, PovcaseError
from povcase.i18n import _
from povcase.ui.messages import show_error

log = logging.getLogger(__name__)

CANCELLED_MSGID = N_("Cancelled; nothing was saved")
REFRESH_MS = 100  # how often a visible progress dialog reads the task's progress
_BAR_MAX = 1_000_000  # QProgressBar counts in int; bigger totals are scaled to this


# --- progress (shared by the worker and the GUI) ------------------------------------------------
class TaskProgress:
    """Handed to the work function: report progress, notice Cancel. Safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._ended = threading.Event()  # set by the worker when the work function has returned
        self._done = 0
        self._total: int | None = None
        self._text: str | None = None

    def update(self, done: int, total: int | None = None, text: str | None = None) -> bool:
        """Record progress (`total` and `text` keep their last value when None).

        Returns False once the task has been cancelled: stop, roll back, and raise
        (see `raise_if_cancelled`)."""
        with self._lock:
            self._done = done
            if total is not None:
                self._total = total
            if text is not None:
                self._text = text
        return not self._cancel.is_set()

    def __call__(self, done: int) -> bool:
        """The `progress(done) -> bool` callback our services accept."""
        return self.update(done)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def raise_if_cancelled(self) -> None:
        """Stop the work the way services do: a PovcaseError that the runner treats as a quiet cancel."""
        if self._cancel.is_set():
            raise PovcaseError(CANCELLED_MSGID)

    def snapshot(self) -> tuple[int, int | None, str | None]:
        """(done, total, text) as last reported."""
        with self._lock:
            return self._done, self._total, self._text


class TaskState(enum.StrEnum):
    PENDING = "pending"  # queued or running
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Task[T]:
    """One submitted piece of work, as the GUI sees it. Returned by `TaskRunner.run()`."""

    def __init__(self, title: str, fn: Callable[[TaskProgress], T], on_done: Callable[[T], None] | None,
                 on_error: Callable[[BaseException], None] | None, *, writes: bool, cancellable: bool) -> None:
        self.title = title
        self.writes = writes
        self.cancellable = cancellable
        self.progress = TaskProgress()
        self.state = TaskState.PENDING
        self.result: T | None = None
        self.error: BaseException | None = None
        self.dialog_shown = False  # did a progress dialog ever appear for this task?
        self._fn: Callable[[TaskProgress], T] | None = fn
        self._on_done = on_done
        self._on_error = on_error
        self._dialog: _ProgressDialog | None = None
        self._show_timer: QTimer | None = None

    @property
    def finished(self) -> bool:
        """True once the result has been handled (callbacks called) on the GUI thread."""
        return self.state is not TaskState.PENDING

    @property
    def dialog(self) -> QProgressDialog | None:
        """The progress dialog while it is showing."""
        return self._dialog

    def cancel(self) -> None:
        """Ask the work to stop (it decides how); a no-op for tasks that are not cancellable."""
        if self.cancellable:
            self.progress.cancel()

    def __repr__(self) -> str:
        return f"<Task {self.title!r} {self.state.value}>"


# --- the progress dialog --------------------------------------------------------------------------
class _ProgressDialog(QProgressDialog):
    """A modal progress dialog whose Cancel, Esc and close button only *ask* the work to stop.

    The dialog stays up ("Cancelling…") until the work has really stopped, so the officer cannot
    start something else while the writer thread is still rolling back."""

    def __init__(self, task: Task[Any], parent: QWidget | None) -> None:
        super().__init__(parent)
        self._task = task
        self._cancel_requested = False
        self._text: str | None = None
        self._range: tuple[int, int] = (0, 0)
        self.setWindowTitle(task.title)
        self.setLabelText(task.title)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(380)
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 0)  # busy until the work reports a total
        self.setBar(self._bar)
        if task.cancellable:
            self.setCancelButtonText(_("Cancel"))
            # QProgressDialog hides itself on Cancel; we keep it up until the work has stopped.
            QObject.disconnect(self, SIGNAL("canceled()"), self, SLOT("cancel()"))
            self.canceled.connect(self.request_cancel)
        else:
            self.setCancelButton(None)  # type: ignore[arg-type]
        self.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                               else Qt.WindowModality.ApplicationModal)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.show()
        self._timer.start()

    @Slot()
    def refresh(self) -> None:
        """Show the latest progress. Sets the bar directly: QProgressDialog.setValue() would spin a
        nested event loop in a modal dialog."""
        done, total, text = self._task.progress.snapshot()
        if total is not None and total > 0:
            scale = _BAR_MAX / total if total > _BAR_MAX else 1.0
            wanted = (0, round(total * scale))
            value = round(min(max(done, 0), total) * scale)
        else:
            wanted, value = (0, 0), 0
        if wanted != self._range:
            self._range = wanted
            self._bar.setRange(*wanted)
        if self._bar.value() != value:
            self._bar.setValue(value)
        if text is not None and text != self._text and not self._cancel_requested:
            self._text = text
            self.setLabelText(text)

    @Slot()
    def request_cancel(self) -> None:
        if self._cancel_requested or not self._task.cancellable:
            return
        self._cancel_requested = True
        self._task.progress.cancel()
        self.setLabelText(_("Cancelling…"))
        button = self.cancel_button()
        if button is not None:
            button.setEnabled(False)

    def cancel_button(self) -> QPushButton | None:
        return self.findChild(QPushButton)

    def reject(self) -> None:  # Esc
        self.request_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:  # the title bar's close button
        event.ignore()
        self.request_cancel()

    def finish(self) -> None:
        self._timer.stop()
        self.hide()
        self.deleteLater()


# --- running work ---------------------------------------------------------------------------------
class _Relay(QObject):
    """Carries results from worker threads to the GUI thread (queued connection).

    Parentless and referenced by every job, so it outlives any job still running."""

    finished = Signal(int, bool, object)


class _Job:
    """What a pool thread runs. Holds nothing of the GUI's except the work function, which it drops
    before reporting (the GUI-side Task still holds it, so it is freed on the GUI thread)."""

    def __init__(self, key: int, fn: Callable[[TaskProgress], Any], progress: TaskProgress, relay: _Relay,
                 wake: threading.Event) -> None:
        self._key = key
        self._fn: Callable[[TaskProgress], Any] | None = fn
        self._progress = progress
        self._relay = relay
        self._wake = wake

    def __call__(self) -> None:
        fn, self._fn = self._fn, None
        outcome: tuple[bool, object]
        try:
            if fn is None:
                raise RuntimeError("task started twice")
            outcome = (True, fn(self._progress))
        except BaseException as error:  # everything goes back to the GUI thread
            outcome = (False, error)
        del fn
        self._progress._ended.set()
        try:
            self._relay.finished.emit(self._key, *outcome)
        except RuntimeError:  # the runner was destroyed without wait_idle(); nobody to tell
            log.exception("task %s finished after its runner was destroyed", self._key)
        finally:
            del outcome
            self._wake.set()


_pools: dict[bool, QThreadPool] = {}
_pools_lock = threading.Lock()


def _pool(writes: bool) -> QThreadPool:
    """The process-wide writer pool (exactly one thread, kept alive, FIFO) or the reader pool."""
    with _pools_lock:
        pool = _pools.get(writes)
        if pool is None:
            pool = QThreadPool()
            if writes:
                pool.setObjectName("povcase-writer")
                pool.setMaxThreadCount(1)
                pool.setExpiryTimeout(-1)  # the same thread for every write, for the life of the app
            else:
                pool.setObjectName("povcase-readers")
                pool.setMaxThreadCount(max(4, QThread.idealThreadCount()))
            _pools[writes] = pool
        return pool


class TaskRunner(QObject):
    """Runs work off the GUI thread and brings the outcome back to it. See the module docstring.

    Use it from the GUI thread only."""

    busy_changed = Signal(bool)  # True when the first task starts, False when the last one is handled

    def __init__(self, parent: QWidget | None = None, inline: bool = False) -> None:
        super().__init__(parent)
        self._widget = parent
        self._inline = inline
        self._keys = itertools.count(1)
        self._active: dict[int, Task[Any]] = {}
        self._wake = threading.Event()
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @property
    def inline(self) -> bool:
        return self._inline

    @property
    def active_count(self) -> int:
        """Tasks submitted and not yet handled."""
        return len(self._active)

    def run[T](self, title: str, fn: Callable[[TaskProgress], T], on_done: Callable[[T], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, *, writes: bool = True,
               cancellable: bool = True, show_after_ms: int = 500) -> Task[T]:
        """Run `fn(progress)` on the writer thread (`writes`) or a reader thread.

        `title` (already translated) names the progress dialog and any error box. `on_done(result)`
        and `on_error(exception)` are called on the GUI thread; without `on_error` the error is shown
        in a message box. A PovcaseError raised after Cancel is a quiet cancel: neither is called."""
        task: Task[T] = Task(title, fn, on_done, on_error, writes=writes, cancellable=cancellable)
        if self._inline:
            self._run_inline(task)
            return task
        key = next(self._keys)
        self._active[key] = task
        if len(self._active) == 1:
            self.busy_changed.emit(True)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(functools.partial(self._show_dialog, key))
        task._show_timer = timer
        timer.start(max(0, show_after_ms))
        _pool(writes).start(_Job(key, fn, task.progress, self._relay, self._wake))
        return task

    def cancel_all(self) -> None:
        """Ask every running or queued task to stop (e.g. before closing the window)."""
        for task in self._active.values():
            task.cancel()

    def wait_idle(self, timeout_ms: int = 10000) -> bool:
        """Wait until every task has finished and its callbacks have run; False on timeout.

        Keeps painting (and delivering results) but ignores user input meanwhile."""
        deadline = time.monotonic() + max(0, timeout_ms) / 1000
        while True:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            if not self._active:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("%d task(s) still running after %d ms", len(self._active), timeout_ms)
                return False
            self._wake.wait(min(remaining, 0.02))
            self._wake.clear()

    # --- internals --------------------------------------------------------------------------------
    def _run_inline(self, task: Task[Any]) -> None:
        fn, task._fn = task._fn, None
        assert fn is not None
        try:
            result = fn(task.progress)
        except Exception as error:  # KeyboardInterrupt and SystemExit still stop a script
            task.progress._ended.set()
            self._conclude(task, False, error)
        else:
            task.progress._ended.set()
            self._conclude(task, True, result)

    def _show_dialog(self, key: int) -> None:
        task = self._active.get(key)
        if task is None or task.progress._ended.is_set():
            return  # finished meanwhile; its result is on its way
        task._dialog = _ProgressDialog(task, self._widget)
        task.dialog_shown = True
        task._dialog.start()

    @Slot(int, bool, object)
    def _on_finished(self, key: int, ok: bool, payload: object) -> None:
        task = self._active.pop(key, None)
        if task is None:
            return
        try:
            self._conclude(task, ok, payload)
        finally:
            if not self._active:
                self.busy_changed.emit(False)

    def _conclude(self, task: Task[Any], ok: bool, payload: object) -> None:
        """Close the task's UI and call its callbacks (GUI thread)."""
        if task._show_timer is not None:
            task._show_timer.stop()
            task._show_timer.deleteLater()
            task._show_timer = None
        if task._dialog is not None:
            task._dialog.finish()
            task._dialog = None
        task._fn = None
        if ok:
            task.state = TaskState.DONE
            task.result = payload
            if task._on_done is not None:
                try:
                    task._on_done(payload)
                except Exception as error:
                    self._report(task, error)
            return
        assert isinstance(payload, BaseException)
        if task.progress.cancelled and isinstance(payload, PovcaseError):
            task.state = TaskState.CANCELLED
            log.info("task %r cancelled: %s", task.title, payload)
            return
        task.state = TaskState.FAILED
        task.error = payload
        self._report(task, payload)

    def _report(self, task: Task[Any], error: BaseException) -> None:
        if task._on_error is None:
            show_error(self._widget, error, task.title)
            return
        if not isinstance(error, PovcaseError):
            log.error("task %r failed", task.title, exc_info=error)
        task._on_error(error)


def runner_for(widget: QObject) -> Callable[..., Any]:
    """The window's task runner (the nearest `run_task` up the parent chain, i.e. MainWindow's one writer
    thread), or, for a widget shown without such a window (scripts, tests), one runner of its own."""
    w: QObject | None = widget
    while w is not None:
        run = getattr(w, "run_task", None)
        if callable(run):
            return run
        w = w.parent()
    own = getattr(widget, "_own_task_runner", None)
    if own is None:
        own = TaskRunner(widget)
        widget._own_task_runner = own  # type: ignore[attr-defined]
    return own.run
