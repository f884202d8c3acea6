"""The Qt layer: a thin desktop UI over the headless library core."""
