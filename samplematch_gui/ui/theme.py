"""Dark studio theme: one palette, one style sheet, the category colours."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BG = "#141519"
PANEL = "#1b1d22"
RAISED = "#23262d"
HOVER = "#2c3038"
BORDER = "#2f333b"
TEXT = "#e7e9ee"
MUTED = "#8d93a1"
FAINT = "#5d6270"
ACCENT = "#f0a742"
ACCENT_DIM = "#6b4c22"
SELECTION = "#33405a"

CATEGORY_COLOURS = {
    "kick": "#ff6b6b",
    "snare": "#ffa94d",
    "clap": "#ff8fab",
    "hihat": "#ffe066",
    "ride": "#69db7c",
    "crash": "#4dabf7",
    "tom": "#b197fc",
    "perc": "#63e6be",
    "other": "#a0a7b4",
    "non_drum": "#5d6270",
}
CATEGORY_LABELS = {"kick": "Kick", "snare": "Snare", "clap": "Clap", "hihat": "Hi-hat", "ride": "Ride",
                   "crash": "Crash", "tom": "Tom", "perc": "Perc", "other": "Other", "non_drum": "Non-drum"}

FONT_FAMILIES = ["Inter", "Segoe UI", "SF Pro Text", ".AppleSystemUIFont", "Helvetica Neue",
                 "Cantarell", "Noto Sans", "DejaVu Sans"]
MONO_FAMILIES = ["JetBrains Mono", "SF Mono", "Menlo", "Consolas", "DejaVu Sans Mono"]


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, MUTED))


def mono_font(point_size: float = 9.5) -> QFont:
    font = QFont()
    font.setFamilies(MONO_FAMILIES)
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


STYLE_SHEET = f"""
QWidget {{ color: {TEXT}; }}
QMainWindow, QDialog {{ background: {BG}; }}
QToolTip {{ background: {RAISED}; color: {TEXT}; border: 1px solid {BORDER}; padding: 4px 6px; }}

#Sidebar {{ background: {PANEL}; border-right: 1px solid {BORDER}; }}
#Sidebar QPushButton {{ padding: 5px 8px; }}
#Card {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 8px; }}
#SectionTitle {{ color: {MUTED}; font-size: 8.5pt; font-weight: 600; letter-spacing: 1.2px; }}
#Brand {{ font-size: 13pt; font-weight: 700; }}
#BrandAccent {{ color: {ACCENT}; font-size: 13pt; font-weight: 700; }}
#Muted {{ color: {MUTED}; }}
#QueryTitle {{ font-size: 11pt; font-weight: 600; }}
#Badge {{ background: {ACCENT_DIM}; color: {ACCENT}; border-radius: 9px; padding: 1px 8px;
          font-size: 8.5pt; font-weight: 600; }}
#DropHint {{ color: {MUTED}; font-size: 11pt; border: 2px dashed {BORDER}; border-radius: 10px; }}
#DropHint[hot="true"] {{ color: {ACCENT}; border-color: {ACCENT}; }}
#Banner {{ background: #3a2a17; border: 1px solid {ACCENT_DIM}; border-radius: 8px; }}
#BannerText {{ color: #f5d7a8; }}
#StepNumber {{ background: {ACCENT}; color: {BG}; border-radius: 16px; font-weight: 700;
               font-size: 12pt; min-width: 32px; max-width: 32px; min-height: 32px;
               max-height: 32px; }}
#StepTitle {{ font-size: 12pt; font-weight: 600; }}
#Headline {{ font-size: 20pt; font-weight: 700; }}

QPushButton, QToolButton {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: 5px 12px; }}
QPushButton:hover, QToolButton:hover {{ background: {HOVER}; }}
QPushButton:pressed, QToolButton:pressed {{ background: {BORDER}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {FAINT}; background: {PANEL}; }}
QPushButton#Primary {{ background: {ACCENT}; color: {BG}; border: none; font-weight: 600; }}
QPushButton#Primary:hover {{ background: #f6b85e; }}
QPushButton#ModeButton {{ border-radius: 0; padding: 4px 10px; }}
QPushButton#ModeButton:checked {{ background: {SELECTION}; border-color: {ACCENT}; color: {ACCENT}; }}
QToolButton::menu-indicator {{ image: none; }}
QToolButton#Chip {{ border-radius: 13px; padding: 3px 8px; min-height: 18px; }}
QToolButton#Chip:checked {{ background: {SELECTION}; border-color: {ACCENT}; }}
QToolButton#Chip[dimmed="true"] {{ color: {FAINT}; background: {PANEL}; }}
QToolButton#Flat {{ background: transparent; border: none; padding: 3px 6px; }}
QToolButton#Flat:hover {{ background: {HOVER}; }}

QLineEdit, QComboBox, QSpinBox {{ background: {RAISED}; border: 1px solid {BORDER};
    border-radius: 6px; padding: 4px 8px; selection-background-color: {SELECTION}; }}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus {{ border-color: {ACCENT_DIM}; }}
QComboBox QAbstractItemView {{ background: {RAISED}; border: 1px solid {BORDER};
    selection-background-color: {SELECTION}; }}

QTableView {{ background: {BG}; alternate-background-color: #17191e; border: none;
    gridline-color: transparent; selection-background-color: {SELECTION}; selection-color: {TEXT};
    outline: 0; }}
QTableView::item {{ padding: 0 6px; border: none; }}
QHeaderView::section {{ background: {PANEL}; color: {MUTED}; border: none;
    border-bottom: 1px solid {BORDER}; padding: 6px 18px 6px 8px; font-size: 8.5pt; font-weight: 600; }}
QListWidget {{ background: transparent; border: none; outline: 0; }}
QListWidget::item {{ padding: 6px 6px; border-radius: 6px; }}
QListWidget::item:selected {{ background: {SELECTION}; color: {TEXT}; }}
QListWidget::item:hover:!selected:enabled {{ background: {RAISED}; }}
QListWidget::item:disabled {{ color: {FAINT}; }}

QProgressBar {{ background: {RAISED}; border: none; border-radius: 3px; max-height: 6px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QSlider::groove:horizontal {{ height: 4px; background: {BORDER}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {TEXT}; width: 12px; margin: -5px 0;
    border-radius: 6px; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border-radius: 3px; border: 1px solid {FAINT};
    background: {RAISED}; }}
QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}

QSplitter::handle {{ background: {BG}; }}
QSplitter::handle:vertical {{ height: 6px; }}
QSplitter::handle:horizontal {{ width: 1px; background: {BORDER}; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
QScrollBar::handle:vertical {{ background: {BORDER}; border-radius: 4px; min-height: 30px;
    margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
QScrollBar::handle:horizontal {{ background: {BORDER}; border-radius: 4px; min-width: 30px;
    margin: 2px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}

QMenuBar {{ background: {BG}; }}
QMenuBar::item:selected {{ background: {RAISED}; }}
QMenu {{ background: {RAISED}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 22px 5px 14px; border-radius: 4px; }}
QMenu::item:selected {{ background: {SELECTION}; }}
QMenu::item:disabled {{ color: {FAINT}; }}
QMenu::separator {{ height: 1px; background: {BORDER}; margin: 4px 6px; }}
QStatusBar {{ background: {PANEL}; color: {MUTED}; border-top: 1px solid {BORDER}; }}
QStatusBar::item {{ border: none; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in {
        QPalette.ColorRole.Window: BG, QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BG, QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.Text: TEXT, QPalette.ColorRole.Button: RAISED,
        QPalette.ColorRole.ButtonText: TEXT, QPalette.ColorRole.Highlight: SELECTION,
        QPalette.ColorRole.HighlightedText: TEXT, QPalette.ColorRole.ToolTipBase: RAISED,
        QPalette.ColorRole.ToolTipText: TEXT, QPalette.ColorRole.PlaceholderText: FAINT,
        QPalette.ColorRole.Link: ACCENT,
    }.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(FAINT))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(FAINT))
    app.setPalette(palette)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(9.5)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
