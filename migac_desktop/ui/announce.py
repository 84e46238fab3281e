"""Messages a screen reader says as they appear, not only painted in the status bar.

Qt's announcement event (AT-SPI's « announcement », UI Automation's notification) is
read out by Orca, NVDA and Narrateur without moving the focus; errors interrupt
(assertive), the rest waits for the current speech (polite)."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent


def announce(widget, text: str, assertive: bool = False) -> None:
    if not text or widget is None:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
