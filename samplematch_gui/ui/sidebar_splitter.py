"""The sidebar beside the workspace. When the window is too narrow for both (half a screen, beside a DAW) the
sidebar steps aside rather than squeeze the workspace, and comes back when there is room again, unless the user
hid it. Asked for in a narrow window (F9), it shows while both fit at their least widths."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget

ROOM = 160  # px more than its least width the workspace keeps before the sidebar shows by itself: readable names


def least_width(widget: QWidget) -> int:
    """The narrowest the widget can be drawn without overlapping or cutting its contents."""
    return max(widget.minimumWidth(), widget.minimumSizeHint().width())


class SidebarSplitter(QSplitter):
    sidebarShown = Signal(bool)

    def __init__(self, sidebar: QWidget, main: QWidget, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.sidebar, self.main = sidebar, main
        self.addWidget(sidebar)
        self.addWidget(main)
        self.setStretchFactor(1, 1)
        self.setChildrenCollapsible(False)
        self.wanted = True  # the user's choice; the sidebar shows when it is wanted and there is room
        self._insisted = False  # asked for while there was only just room: shown squeezed

    def width_for_both(self, room: int = 0) -> int:
        return least_width(self.sidebar) + self.handleWidth() + least_width(self.main) + room

    def set_wanted(self, wanted: bool, insist: bool = False) -> None:
        """insist: show it even if the workspace then has only its least width (the user asked, with F9)."""
        self.wanted = wanted
        self._insisted = wanted and insist
        self._fit(self.width())

    def minimumSizeHint(self) -> QSize:
        """As narrow as the workspace alone: the sidebar hides rather than let it be squeezed."""
        hint = super().minimumSizeHint()
        return QSize(least_width(self.main), hint.height())

    def resizeEvent(self, event) -> None:
        self._fit(event.size().width())  # before the children are laid out at the new width
        super().resizeEvent(event)

    def _fit(self, width: int) -> None:
        shown = self.wanted and width >= self.width_for_both(0 if self._insisted else ROOM)
        if shown != self.sidebar.isVisibleTo(self):
            self.sidebar.setVisible(shown)
            self.sidebarShown.emit(shown)
