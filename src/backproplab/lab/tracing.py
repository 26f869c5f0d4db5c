"""Looking inside a lab session without changing it: one step explained, one point predicted.

``Tracing`` is one part of :class:`~backproplab.lab.session.Session`; both answers come from
the library (``bp.explain.trace_step`` and the model's forward pass), never a second copy of
the math.
"""

import numpy

from backproplab.lab.json_numbers import significant


class Tracing:
    def trace(self, index: int | None = None) -> dict:
        """``bp.explain.trace_step`` of one step on sample ``index`` (default: the selected
        one), with the session's optimizer; the weights are left as they are."""
        from backproplab import explain

        with self.lock:
            index = self.selected if index is None else index
            if not 0 <= index < len(self.points):
                raise ValueError(f"there is no row {index}; the table has {len(self.points)}")
            rows = numpy.array([index])
            trace = explain.trace_step(self.network.model, self._x[rows], self._t[rows],
                                       self.network.loss_fn, optimizer=self.optimizer)
            return {"index": index, **trace.to_dict()}


    def predict(self, x) -> dict:
        """The network's output at ``x`` and the forward pass that produced it."""
        with self.lock:
            if len(x) != self.points.x.shape[1]:
                raise ValueError(f"the network takes {self.points.x.shape[1]} input(s), "
                                 f"got {len(x)}")
            point = numpy.asarray(x, dtype=numpy.float32)
            out = self.network.outputs(point[None])[0]
            return {"x": point.tolist(), "output": significant(out),
                    "inputs": self.network.input_values(point),
                    "layers": self.network.forward_details(point)}
