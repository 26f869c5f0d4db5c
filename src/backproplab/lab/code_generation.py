"""The Python script that reproduces a lab run with the library alone.

Same data (the dataset call, or the rows themselves once edited), same split, same initial
weights (the seeded generator), same shuffling and the same loop, so running the script for
the run's number of epochs ends at the lab's weights. Changes made while the run was going
(learning rate, optimizer, hand-edited weights) are listed in the script, not replayed.
"""


import numpy

from backproplab import nn
from backproplab.lab.config import to_query

_TEMPLATE = '''"""Reproduces a backproplab lab run: http://127.0.0.1:8000/?{query}

{events}"""

import numpy

import backproplab as bp

{data}
IS_TEST = numpy.zeros(len(x), dtype=bool)
n_test = int(round({test_fraction!r} * len(x))) if len(x) >= 10 else 0
IS_TEST[numpy.random.default_rng({data_seed}).permutation(len(x))[:n_test]] = True
t = {targets}

model = bp.nn.from_spec({spec})
init = numpy.random.default_rng({seed})
for layer in model.modules():
    if isinstance(layer, bp.nn.Linear):
        layer.reset_parameters(init)
loss_fn = bp.train.make_loss({loss!r})
optimizer = bp.train.make_optimizer({optimizer!r}, model.parameters(), lr={lr!r},
                                    weight_decay={l2!r})

EPOCHS, BATCH_SIZE = {epochs}, {batch_size}
shuffle = numpy.random.default_rng({seed} + 1)
train_rows = numpy.flatnonzero(~IS_TEST)
for epoch in range(EPOCHS):
    order = shuffle.permutation(train_rows)
    for start in range(0, len(order), BATCH_SIZE):
        rows = order[start:start + BATCH_SIZE]
        loss = loss_fn(model(bp.from_numpy(x[rows])), bp.from_numpy(t[rows]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

if __name__ == "__main__":
    print(f"epochs {{EPOCHS}}: last batch loss {{loss.item():.6g}}")
    bp.save(model, "model.safetensors")
'''


def python_script(session) -> str:
    config, points, net = session.config, session.points, session.network
    if points.edited:
        data = (f"x = numpy.array({_array(points.x)}, dtype=numpy.float32)\n"
                f"y = numpy.array({_array(points.y)}, dtype=numpy.{points.y.dtype})")
    elif config.dataset == "digits":
        data = (f"x = bp.data.load_dataset('digits', n={config.points or None}, "
                f"seed={config.data_seed}).x\ny = x")
    else:
        data = (f"dataset = bp.data.load_dataset({config.dataset!r}, n={config.points or None}, "
                f"noise={config.noise!r}, seed={config.data_seed})\n"
                "x, y = dataset.x, dataset.y")
    if net.head.loss == "cross_entropy":
        targets = "y.astype(numpy.int64).reshape(-1)"
    else:
        targets = "y.astype(numpy.float32).reshape(len(y), -1)"
    events = session.history.events
    lines = "".join(f"  epoch {e.epoch}, step {e.step}: {e.message}\n" for e in events)
    note = ("Not replayed here — changes made during the run:\n" + lines) if lines else ""
    partial = (f"The lab was {session._cursor} samples into epoch {session.epoch + 1}; "
               "the script stops at the last full epoch.\n") if session._cursor else ""
    spec = repr(nn.to_spec(net.model, weights=False))
    return _TEMPLATE.format(
        query=to_query(config), events=note + partial, data=data,
        test_fraction=config.test_fraction, data_seed=config.data_seed, targets=targets,
        spec=spec,
        seed=config.seed, loss=net.head.loss, optimizer=config.optimizer,
        lr=session.optimizer.param_groups[0]["lr"], l2=config.l2, epochs=session.epoch,
        batch_size=config.batch_size)


def _array(a: numpy.ndarray) -> str:
    return repr(numpy.asarray(a).tolist())
