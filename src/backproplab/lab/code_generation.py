"""The Python script that reproduces a lab run with the library alone.

Same data (the dataset call, or the rows themselves once edited), same split, same initial
weights (the seeded generator), same shuffling, the same training step — and then the run's
replay log (``ReplayLog``) in order: mini-batches, single-sample steps, learning-rate, L2, L1
and optimizer changes, weights set by hand or restored by early stopping, rows edited, added
or deleted. So the script ends at the lab's weights bit for bit, or says plainly that it
cannot because the log filled up.
"""

import textwrap

import numpy

from backproplab import nn
from backproplab.data import FEATURES
from backproplab.lab.config import to_query

_HEAD = '''"""Reproduces a backproplab lab run step for step: http://127.0.0.1:8000/?{query}

{summary}
"""

import numpy

import backproplab as bp

# ----- The data: the lab's rows and its train/test split ------------------------------------
{data}


def targets(y):
    """The expected outputs in the form the loss takes."""
    return {targets}


t = targets(y)
{inputs}
# ----- The network: the same layers and the same seeded initial weights ---------------------
model = bp.nn.from_spec({spec})
init = numpy.random.default_rng({seed})
linears = [layer for layer in model.modules() if isinstance(layer, bp.nn.Linear)]
for layer, activation in zip(linears, {activations!r}, strict=True):
    bp.nn.init.init_linear_for_(layer, activation, init)  # Kaiming+bias 0.1 for ReLUs, else Xavier
# ReLU units off (net input <= 0) on every training row could never learn: drawn again
bp.nn.init.redraw_dead_relus_(model, bp.from_numpy(inputs[~IS_TEST]), init)
loss_fn = bp.train.make_loss({loss!r})
optimizer = bp.train.make_optimizer({optimizer!r}, model.parameters(), lr={lr!r},
                                    weight_decay={l2!r})
l1 = {l1!r}  # L1 regularisation: l1·Σ|p| joins the loss (0: none)


def train_step(rows):
    """One optimizer step on the given rows: forward, loss (+ the L1 penalty), backward,
    update; returns the data loss."""
    loss = loss_fn(model(bp.from_numpy(inputs[rows])), bp.from_numpy(t[rows]))
    optimizer.zero_grad()
    (loss + l1 * sum(p.abs().sum() for p in model.parameters()) if l1 else loss).backward()
    optimizer.step()
    return loss.item()


class Batches:
    """The order the lab takes training rows in: each epoch a fresh shuffle of them, then
    mini-batches in turn. The lab starts a new one (and a new epoch) when the data changes."""

    def __init__(self, is_test):
        self.shuffle = numpy.random.default_rng({seed} + 1)  # the lab's seed + 1
        self.train_rows = numpy.flatnonzero(~is_test)
        self.new_epoch()

    def new_epoch(self):
        self.order = self.shuffle.permutation(self.train_rows)
        self.cursor = 0

    def next(self, size):
        rows = self.order[self.cursor:self.cursor + size]
        self.cursor += len(rows)
        if self.cursor >= len(self.order):
            self.new_epoch()
        return rows


# ----- Training: everything the lab did, in the order it did it -----------------------------
batches = Batches(IS_TEST)
loss = None

'''

_TAIL = '''
if __name__ == "__main__":
{warning}    print(f"{steps} steps replayed; last loss {{loss}}")
    bp.save(model, "model.safetensors")
'''

_DATA_KINDS = ("add_row", "set_row", "delete_row")


def python_script(session) -> str:
    config, net, replay = session.replay.config, session.network, session.replay
    if net.head.loss == "cross_entropy":
        targets = "y.astype(numpy.int64).reshape(-1)"
    else:
        targets = "y.astype(numpy.float32).reshape(len(y), -1)"
    head = _HEAD.format(
        query=to_query(config), summary=_summary(session), data=_data(session),
        targets=targets, spec=repr(nn.to_spec(net.model, weights=False)), seed=config.seed,
        activations=[w["activation"] for w in net.weights()],
        loss=net.head.loss, optimizer=config.optimizer, lr=config.lr, l2=config.l2, l1=config.l1,
        inputs=_inputs(net.features))
    body = _training(replay.changes)
    steps = sum(c.values["count"] for c in replay.changes if c.kind in ("batches", "sample"))
    warning = ""
    if replay.truncated_at is not None:
        warning = ('    print("WARNING: the lab\'s log of this run filled up; this script stops '
                   'early and does NOT end at the lab\'s weights.")\n')
    return head + body + _TAIL.format(warning=warning, steps=steps)


def _summary(session) -> str:
    replay = session.replay
    changes = sum(c.kind not in ("batches", "sample") for c in replay.changes)
    where = f"{session.step_count} steps (epoch {session.epoch + 1}"
    where += f", {session._cursor} rows into it)" if session._cursor else ", at its start)"
    if replay.truncated_at is None:
        return (f"The lab trained for {where} and {changes} change(s) were made along the way.\n"
                "This script replays all of it in order, so it ends at the lab's weights exactly.")
    epoch, step = replay.truncated_at
    return (f"NOT A FULL REPRODUCTION. The lab trained for {where}, but its log of the run\n"
            f"holds at most {replay.limit} entries and filled up at epoch {epoch + 1}, step "
            f"{step}.\nThis script replays the run only up to there, so it does NOT end at the "
            "lab's weights.")


def _data(session) -> str:
    config, rows = session.replay.config, session.replay.rows
    if rows is not None:
        x, y, is_test = rows
        return (f"x = numpy.array({_array(x)}, dtype=numpy.float32)\n"
                f"y = numpy.array({_array(y)}, dtype=numpy.{y.dtype})\n"
                f"IS_TEST = numpy.zeros(len(x), dtype=bool)\n"
                f"IS_TEST[{_array(numpy.flatnonzero(is_test))}] = True")
    if config.dataset == "digits":
        load = (f"dataset = bp.data.load_dataset('digits', n={config.points or None}, "
                f"seed={config.data_seed})\n"
                "x = numpy.array(dataset.x, dtype=numpy.float32)\n"
                "y = numpy.array(dataset.x)  # an autoencoder's target is its input")
    else:
        load = (f"dataset = bp.data.load_dataset({config.dataset!r}, n={config.points or None}, "
                f"noise={config.noise!r}, seed={config.data_seed})\n"
                "x, y = numpy.array(dataset.x, dtype=numpy.float32), numpy.array(dataset.y)")
    return (f"{load}\n"
            "IS_TEST = numpy.zeros(len(x), dtype=bool)\n"
            f"n_test = round({config.test_fraction!r} * len(x)) if len(x) >= 10 else 0\n"
            f"IS_TEST[numpy.random.default_rng({config.data_seed}).permutation(len(x))"
            "[:n_test]] = True")


def _inputs(features) -> str:
    """The model's inputs: the points themselves, or the lab's features of each point."""
    if features is None:
        body = "    return points"
        doc = "The model's inputs: the points themselves (the lab's features are x1, x2)."
    else:
        columns = ", ".join(FEATURES[f].expression for f in features)
        body = ("    x1, x2 = points[:, 0], points[:, 1]\n"
                f"    return numpy.stack([{columns}], axis=1).astype(points.dtype)")
        doc = f"The model's inputs: the lab's features ({', '.join(features)}) of each point."
    return (f"\n\ndef features(points):\n    \"\"\"{doc}\"\"\"\n{body}\n\n\n"
            "inputs = features(x)\n")


def _training(changes) -> str:
    """One commented block per log entry; a run of data edits ends with the data's reload."""
    if not changes:
        return "# (the lab did not train: these are the initial weights)\n"
    blocks = []
    for i, change in enumerate(changes):
        comment, code = _BLOCKS[change.kind](**change.values)
        text = f"Epoch {change.epoch + 1}, step {change.step}: {comment}"
        lines = [*textwrap.wrap(text, 96, initial_indent="# ", subsequent_indent="# "), *code]
        after = changes[i + 1].kind if i + 1 < len(changes) else None
        if change.kind in _DATA_KINDS and after not in _DATA_KINDS:
            lines += ["t = targets(y)", "inputs = features(x)",
                      "batches = Batches(IS_TEST)  # new data: the lab reshuffles from the start"]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _batches(size, count):
    if count == 1:
        return f"one mini-batch of {size} rows.", [f"loss = train_step(batches.next({size}))"]
    return (f"{count} mini-batches of {size} rows (each epoch's end reshuffles).",
            [f"for _ in range({count}):", f"    loss = train_step(batches.next({size}))"])


def _sample(row, count):
    what = "one step" if count == 1 else f"{count} steps"
    comment = f"{what} on row {row} alone (step by step)."
    code = f"loss = train_step(numpy.array([{row}]))"
    return comment, [code] if count == 1 else [f"for _ in range({count}):", "    " + code]


def _lr(old, value):
    return (f"learning rate {old:g} → {value:g}; weights and optimizer state are kept.",
            [f'optimizer.param_groups[0]["lr"] = {value!r}'])


def _l2(old, value):
    return (f"L2 {old:g} → {value:g}; weights and optimizer state are kept.",
            [f'optimizer.param_groups[0]["weight_decay"] = {value!r}'])


def _optimizer(old, name, lr, l2):
    return (f"optimizer {old} → {name}: a new optimizer, starting with no memory of past steps "
            "(the weights are kept).",
            [f"optimizer = bp.train.make_optimizer({name!r}, model.parameters(), lr={lr!r},",
             f"                                    weight_decay={l2!r})"])


def _l1(old, value):
    return f"L1 {old:g} → {value:g}; weights and optimizer state are kept.", [f"l1 = {value!r}"]


def _restore(best_epoch, state):
    return (f"early stopping's best weights (epoch {best_epoch}) restored; the optimizer keeps "
            "its state.",
            ["model.load_state_dict({",
             *(f"    {name!r}: bp.from_numpy(numpy.array({values!r}, dtype=numpy.float32)),"
               for name, values in state.items()),
             "})"])


def _batch_size(old, value):
    return f"batch size {old} → {value} (the mini-batches below take {value} rows).", []


def _weight(layer, row, col, value):
    if col is None:
        return (f"the bias of neuron {row} in layer {layer} set by hand to {value:g}.",
                [f"linears[{layer}].bias.data[{row}] = {value!r}"])
    return (f"the weight from input {col} to neuron {row} of layer {layer} set by hand to "
            f"{value:g}.", [f"linears[{layer}].weight.data[{row}, {col}] = {value!r}"])


def _add_row(x, y, test):
    kind = "test" if test else "training"
    return (f"a {kind} row added: x = {x}, expected output {y:g}.",
            [f"x = numpy.concatenate([x, numpy.array([{x!r}], dtype=numpy.float32)])",
             f"y = numpy.concatenate([y, numpy.full((1, *y.shape[1:]), {y!r}, dtype=y.dtype)])",
             f"IS_TEST = numpy.append(IS_TEST, {test!r})"])


def _set_row(index, x, y):
    return (f"row {index} edited: x = {x}, expected output {y:g}.",
            [f"x[{index}] = {x!r}", f"y[{index}] = {y!r}"])


def _delete_row(index):
    return (f"row {index} deleted.",
            [f"keep = numpy.arange(len(x)) != {index}",
             "x, y, IS_TEST = x[keep], y[keep], IS_TEST[keep]"])


_BLOCKS = {"batches": _batches, "sample": _sample, "lr": _lr, "l2": _l2, "l1": _l1,
           "restore": _restore,
           "optimizer": _optimizer, "batch_size": _batch_size, "weight": _weight,
           "add_row": _add_row, "set_row": _set_row, "delete_row": _delete_row}


def _array(a: numpy.ndarray) -> str:
    return repr(numpy.asarray(a).tolist())
