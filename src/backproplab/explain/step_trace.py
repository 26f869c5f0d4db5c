"""``StepTrace``: one training step written out number by number, and its JSON schema.

The dataclasses hold plain floats and lists only (already JSON-safe: NaN and ±inf are
``None``), so ``to_dict()`` is the contract every view renders from — the terminal, Markdown,
HTML and the web lab's step-by-step panel. The schema is versioned (``schema_version``) and
kept stable; new keys may be added, existing ones keep their meaning.

Per-sample quantities are lists with one entry per sample of the batch (length 1 for a single
sample), so ``neuron["net"][0]`` is the net input of the first sample. Weight and bias
gradients are sums over the batch, exactly what lands in ``param.grad``.

Schema of ``StepTrace.to_dict()`` for a 2-2-1 sigmoid network, MSE, SGD, one sample (lists
shortened with …)::

    {
      "schema_version": 1,
      "kind": "mlp",                      # "mlp", or "graph" for the op-level fallback
      "batch_size": 1,
      "inputs": [[0.05, 0.1]],            # (batch, in_features)
      "targets": [[0.01]],                # as given: (batch, outputs) or class indices (batch,)
      "layers": [                         # first Linear layer to last; [] when kind == "graph"
        {
          "index": 0, "name": "0",        # the Linear module's name in the model
          "weight_name": "0.weight", "bias_name": "0.bias",   # bias_name None without bias
          "activation": "sigmoid",        # "identity" when no activation follows the layer
          "formula": "σ(a) = 1 / (1 + e^(-a))",               # the activation op's own text
          "derivative": "∂σ(a)/∂a = σ(a)·(1 - σ(a))",
          "input_labels": ["x1", "x2"], "output_labels": ["h1", "h2"],
          "neurons": [
            {
              "index": 0, "label": "h1",
              "inputs": [[0.05, 0.1]],    # per sample: what feeds this neuron
              "weights": [0.15, 0.2], "bias": 0.35,           # bias None without bias
              "terms": [[0.0075, 0.02]],  # per sample: w_i · x_i, so net = Σ terms + bias
              "net": [0.3775], "out": [0.593269992],
              "dL_dout": [0.0361], "dout_dnet": [0.241300709], "delta": [0.00871],
              "upstream": [               # hidden neurons: the neurons this one feeds
                {"neuron": 0, "label": "o1", "weight": 0.4,
                 "delta": [0.1385], "product": [0.0554]}     # product = δ_next · w
              ],                          # [] for the output layer (dL_dout comes from the loss)
              "weight_grads": [
                {"name": "0.weight[0, 0]", "input": 0,
                 "terms": [0.000436],     # per sample: δ · input
                 "grad": 0.000436,        # Σ terms: this trace's gradient
                 "engine_grad": 0.000436} # param.grad after loss.backward()
              ],
              "bias_grad": {"name": "0.bias[0]", "input": None, "terms": [0.00871],
                            "grad": 0.00871, "engine_grad": 0.00871}   # None without bias
            }
          ]
        }
      ],
      "loss": {
        "name": "MSELoss", "reduction": "mean",
        "formula": "L = (1/n) Σ (y - t)²",  "latex": "L = \\frac{1}{n}\\sum_i (y_i - t_i)^2",
        "derivative": "∂L/∂yᵢ = 2·(yᵢ - tᵢ)/n",
        "value": 0.2748,
        "outputs": [              # one per output unit
          {"index": 0, "label": "o1", "prediction": [0.7514], "target": [0.01],
           "term": [0.2748],      # per sample: this output's share of L (None if not separable)
           "grad": [1.4828]}      # per sample: ∂L/∂y from the engine
        ]
      },
      "update": {
        "optimizer": "SGD", "lr": 0.5,
        "hyperparameters": {"momentum": 0.0, …},
        "formula": "p ← p - lr·g", "latex": "p \\leftarrow p - \\eta\\, g",
        "params": [
          {"name": "0.weight[0, 0]", "param": "0.weight", "index": [0, 0],
           "old": 0.15, "grad": 0.000436, "lr": 0.5, "new": 0.149782,
           "terms": {}}           # optimizer terms, e.g. {"momentum_buffer": …} or Adam's
        ]                         # {"m": …, "v": …, "m_hat": …, "v_hat": …, "step": …}
      },
      "check": {"max_abs_diff": 0.0, "tolerance": 1e-06, "ok": true},
      "graph": None               # kind == "graph": bp.explain.graph(loss).to_dict()
    }
"""

from dataclasses import asdict, dataclass, field

SCHEMA_VERSION = 1


@dataclass
class UpstreamTerm:
    """One neuron fed by a hidden neuron: its δ and the weight between them."""

    neuron: int
    label: str
    weight: float | None
    delta: list
    product: list


@dataclass
class GradientTerm:
    """∂L/∂w (or ∂L/∂b) of one parameter element: per-sample terms, their sum, the engine's."""

    name: str
    input: int | None
    terms: list
    grad: float | None
    engine_grad: float | None


@dataclass
class NeuronTrace:
    index: int
    label: str
    inputs: list
    weights: list
    bias: float | None
    terms: list
    net: list
    out: list
    dL_dout: list
    dout_dnet: list
    delta: list
    upstream: list[UpstreamTerm]
    weight_grads: list[GradientTerm]
    bias_grad: GradientTerm | None


@dataclass
class LayerTrace:
    index: int
    name: str
    weight_name: str
    bias_name: str | None
    activation: str
    formula: str
    derivative: str
    input_labels: list[str]
    output_labels: list[str]
    neurons: list[NeuronTrace]


@dataclass
class LossOutput:
    index: int
    label: str
    prediction: list
    target: list
    term: list | None
    grad: list


@dataclass
class LossTrace:
    name: str
    reduction: str
    formula: str
    latex: str
    derivative: str
    value: float | None
    outputs: list[LossOutput]


@dataclass
class ParameterUpdate:
    name: str
    param: str
    index: list[int]
    old: float | None
    grad: float | None
    lr: float
    new: float | None
    terms: dict


@dataclass
class UpdateTrace:
    optimizer: str
    lr: float
    hyperparameters: dict
    formula: str
    latex: str
    params: list[ParameterUpdate]


@dataclass
class GradientAgreement:
    """How far this trace's gradients are from ``param.grad`` (the largest difference)."""

    max_abs_diff: float | None
    tolerance: float
    ok: bool


@dataclass
class StepTrace:
    """One training step on one sample or a small batch; see the module docstring's schema."""

    kind: str
    inputs: list
    targets: list
    layers: list[LayerTrace]
    loss: LossTrace
    update: UpdateTrace
    check: GradientAgreement
    graph: dict | None = None
    batch_size: int = field(default=1)

    def to_dict(self) -> dict:
        """The JSON-ready form (plain floats, lists and ``None``); the schema is documented in
        :mod:`backproplab.explain.step_trace`."""
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    def to_text(self, digits: int = 9, color: bool = True) -> str:
        """The trace for a terminal, drawn with rich (ANSI colours unless ``color=False``)."""
        from backproplab.explain.render_text import render_text

        return render_text(self.to_dict(), digits, color)

    def to_markdown(self, digits: int = 9) -> str:
        """Markdown with LaTeX formulas (``$…$``), for notebooks and course notes."""
        from backproplab.explain.render_markdown import render_markdown

        return render_markdown(self.to_dict(), digits)

    def to_html(self, digits: int = 9) -> str:
        """A self-contained HTML fragment (no <html>/<body>) the lab can insert as is."""
        from backproplab.explain.render_html import render_html

        return render_html(self.to_dict(), digits)

    def __repr__(self) -> str:
        from backproplab.display.trace_view import trace_repr

        return trace_repr(self)

    def _repr_html_(self) -> str:
        from backproplab.display.trace_view import trace_html

        return trace_html(self)
