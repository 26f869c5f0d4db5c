"""Lessons: one small TOML file per lesson, read by one engine (:mod:`.engine`) whose readouts
(:mod:`.readouts`) are the live numbers of the session's run."""
