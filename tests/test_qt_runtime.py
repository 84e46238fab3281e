"""The Qt binding itself: a version that leaks references aborts the application."""

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_qt_calls_keep_none_alive(qtbot):
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every call that
    # returns nothing; after a few thousand the interpreter aborts (none_dealloc).
    label = QLabel("x")
    qtbot.addWidget(label)
    label.show()
    app = QApplication.instance()
    before = sys.getrefcount(None)
    for _ in range(2000):
        app.processEvents()
        label.update()
    assert sys.getrefcount(None) >= before - 100
