"""``weight_path``: the chain rule for one weight, as every path from it to the loss.

∂L/∂w for a weight into neuron j of layer l is, per sample, the input it multiplies, times
∂out/∂net at j, then for each path through the later layers the weight and the slope at every
neuron on the path, ending with ∂L/∂out of an output neuron; the gradient is the sum over all
paths and samples. The factors are the trace's numbers (engine values, engine slopes, the
engine's ∂L/∂y), and the sum is checked against ``param.grad``.
"""

import itertools
import math
import re
from dataclasses import asdict, dataclass

from backproplab.explain.backward_pass import ModelSnapshot, run_backward
from backproplab.explain.json_numbers import fmt, number
from backproplab.explain.limits import MAX_PATHS
from backproplab.explain.trace_step import neuron_labels

_NAME = re.compile(r"^\s*(?P<param>[\w.]+?)\s*(\[(?P<index>[\d,\s]*)\])?\s*$")


@dataclass
class Factor:
    symbol: str  # "x1", "σ'(net_h1)", "w(h1→o1)", "∂L/∂o1"
    latex: str
    value: float | None


@dataclass
class Path:
    sample: int
    factors: list[Factor]
    product: float | None


@dataclass
class WeightPath:
    name: str
    value: float | None  # the weight itself
    paths: list[Path]
    total: float | None  # Σ over paths (and samples)
    engine_grad: float | None  # param.grad after loss.backward()

    def to_dict(self) -> dict:
        return asdict(self)

    def sentence(self, digits: int = 6) -> str:
        f = lambda v: fmt(v, digits)  # noqa: E731
        parts = [" · ".join(f"{fa.symbol} ({f(fa.value)})" for fa in p.factors)
                 + f" = {f(p.product)}" for p in self.paths]
        many = f"the sum over {len(self.paths)} paths" if len(self.paths) > 1 else "one path"
        return (f"∂L/∂{self.name} is {many}: " + ";  ".join(parts)
                + f".  Total {f(self.total)}; param.grad says {f(self.engine_grad)}.")

    def formula(self, digits: int = 6) -> str:
        """LaTeX: the symbolic sum of products, then the same with numbers."""
        f = lambda v: fmt(v, digits)  # noqa: E731
        sym = " + ".join(r" \cdot ".join(fa.latex for fa in p.factors) for p in self.paths)
        num = " + ".join(r" \cdot ".join(f(fa.value) for fa in p.factors) for p in self.paths)
        return (rf"\frac{{\partial L}}{{\partial \texttt{{{self.name}}}}} = {sym} = {num} = "
                rf"{f(self.total)}")

    def _repr_html_(self) -> str:
        from backproplab.display.report_views import path_html

        return path_html(self)


def parse_name(name: str) -> tuple[str, tuple[int, ...]]:
    """'2.weight[0, 1]' -> ('2.weight', (0, 1))."""
    m = _NAME.match(name)
    if not m:
        raise ValueError(f"weight_path: cannot read {name!r}; write it like '2.weight[0, 1]'")
    idx = m.group("index")
    return m.group("param"), tuple(int(i) for i in idx.split(",") if i.strip()) if idx else ()


def weight_path(model, x, target, loss_fn, name: str) -> WeightPath:
    """The chain of factors for one weight or bias of an MLP (``"2.weight[0, 1]"``)."""
    param, index = parse_name(name)
    with ModelSnapshot(model):
        bp_ = run_backward(model, x, target, loss_fn)
    if not bp_.records:
        raise ValueError("weight_path: the model is not an MLP of Linear layers and "
                         "elementwise activations; use trace_step for its op-level graph")
    records = bp_.records
    li = next((i for i, r in enumerate(records)
               if param in (r.layer.weight_name, r.layer.bias_name)), None)
    if li is None:
        names = [n for r in records for n in (r.layer.weight_name, r.layer.bias_name) if n]
        raise ValueError(f"weight_path: no parameter {param!r}; parameters: {', '.join(names)}")
    rec = records[li]
    is_weight = param == rec.layer.weight_name
    shape = rec.layer.linear.weight.shape if is_weight else rec.layer.linear.bias.shape
    if len(index) != len(shape) or any(not 0 <= i < s for i, s in zip(index, shape, strict=True)):
        raise ValueError(f"weight_path: {param} has shape {tuple(shape)}; index {list(index)} "
                         "does not fit")
    n = len(records)
    later = [r.out.shape[1] for r in records[li + 1:]]
    if math.prod(later) * records[0].input.shape[0] > MAX_PATHS:
        raise ValueError(f"weight_path: more than {MAX_PATHS} paths; use a smaller network")
    j = index[0]
    labels = [neuron_labels(n, k, r.out.shape[1]) for k, r in enumerate(records)]
    in_labels = neuron_labels(n, li - 1, rec.input.shape[1])
    act = [r.layer.activation_name for r in records]
    paths = []
    for s in range(rec.input.shape[0]):
        head = []
        if is_weight:
            i = index[1]
            head.append(Factor(in_labels[i], _tex(in_labels[i]), number(rec.input.array[s, i])))
        head.append(_slope(act[li], labels[li][j], rec.slope[s, j]))
        for route in itertools.product(*(range(w) for w in later)):
            factors = list(head)
            prev = j
            for step, k in enumerate(route, start=li + 1):
                r = records[step]
                a, b = labels[step - 1][prev], labels[step][k]
                factors.append(Factor(f"w({a}→{b})", rf"w_{{{_tex(a)} \to {_tex(b)}}}",
                                      number(r.layer.linear.weight.array[k, prev])))
                factors.append(_slope(act[step], b, r.slope[s, k]))
                prev = k
            out = labels[-1][prev]
            factors.append(Factor(f"∂L/∂{out}", rf"\frac{{\partial L}}{{\partial {_tex(out)}}}",
                                  number(bp_.output.grad.array[s, prev])))
            paths.append(Path(s, factors, number(math.prod(fa.value for fa in factors))))
    engine = bp_.grads.get(param)
    return WeightPath(
        name=f"{param}[{', '.join(map(str, index))}]",
        value=number((rec.layer.linear.weight if is_weight
                      else rec.layer.linear.bias).array[index]),
        paths=paths, total=number(sum(p.product for p in paths)),
        engine_grad=None if engine is None else number(engine[index]))


def _tex(label: str) -> str:
    return f"{label[0]}_{{{label[1:]}}}" if len(label) > 1 else label


def _slope(activation: str, label: str, value) -> Factor:
    return Factor(f"{activation}'(net_{label})",
                  rf"\mathrm{{{activation}}}'(net_{{{_tex(label)}}})", number(value))
