"""Training, evaluation and export of the SampleMatch encoders (the method of Lattner's SampleMatch).

Imports model/ (never the app). Entry point: training.cli:main (`samplematch-train`, `python -m training`).
"""
