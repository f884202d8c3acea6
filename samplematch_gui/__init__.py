"""SampleMatch desktop app: headless library core (cache, scanner, ranking) and the Qt layer in ui/."""
