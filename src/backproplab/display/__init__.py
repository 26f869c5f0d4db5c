"""Rich displays for Jupyter: what a StepTrace, a graph, a History or a report looks like in a
notebook cell.

The library's classes keep thin ``_repr_html_`` / ``_repr_mimebundle_`` methods that call in
here, so the drawing code lives in one place and the classes stay plain experiment objects.
Every number shown is one the object already holds (the engine's); nothing is recomputed.
"""
