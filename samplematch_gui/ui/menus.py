"""The window's menu bar (every command is also a button or a key in the window)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def _action(menu: QMenu, text: str, slot, shortcut=None) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return action


def build_menus(window) -> tuple[QAction, QAction]:
    """Fill window.menuBar(); returns the checkable auto-play and library panel actions."""
    bar = window.menuBar()
    file = bar.addMenu("&File")
    _action(file, "Open Bounce…", window.choose_bounce, QKeySequence.StandardKey.Open)
    file.addMenu(window.recent_menu)
    file.addSeparator()
    _action(file, "Add Sample Folder…", window.choose_folder, "Ctrl+Shift+A")
    _action(file, "Rescan Library", window.library.rescan, "F5")
    _action(file, "Show Unreadable Files…", window.show_errors)
    _action(file, "Build Demo Library", window.start_demo)
    file.addSeparator()
    _action(file, "Quit", window.close, QKeySequence.StandardKey.Quit)
    query = bar.addMenu("&Query")
    _action(query, "More Like Selected Sample", window.more_like_current, "Ctrl+L")
    _action(query, "Back to Bounce", window.search.back_to_bounce, "Ctrl+B")
    _action(query, "Clear Query", window.search.clear)
    _action(query, "Suggest a Kit", window.suggest_kit, "Ctrl+K")
    _action(query, "Find…", window.filter_bar.search.setFocus, QKeySequence.StandardKey.Find)
    view = bar.addMenu("&View")
    sidebar = _action(view, "Library Panel", window.show_sidebar, "F9")
    sidebar.setCheckable(True)
    play = bar.addMenu("&Audition")
    # Space / Esc / arrows belong to the results list (a text field keeps its Space).
    _action(play, "Play Selected\tSpace", window.play_current)
    _action(play, "Stop\tEsc", window.audition.stop)
    auto_play = play.addAction("Auto-play on Selection")
    auto_play.setCheckable(True)
    play.addSeparator()
    rescan = _action(play, "Rescan Audio Devices", window.audition.rescan_devices)
    rescan.setEnabled(window.audition.can_rescan)
    return auto_play, sidebar
