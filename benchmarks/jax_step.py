"""The JAX side of ``bench_training.py``: the jitted functional SGD step a JAX user writes for
the same networks, losses and batches (JAX is the optional ``bench`` extra)."""

import numpy as np


def jax_or_none():
    """JAX (the ``bench`` extra), or None when it is not installed."""
    try:
        import jax
    except ImportError:
        return None
    return jax


def jax_stepper(jax, sizes, act, out_act, loss, weights, x, y, batch, lr):
    """(step function, sync function, weights getter): the jitted functional SGD step a JAX
    user writes, with the gradient from ``jax.value_and_grad``."""
    jnp = jax.numpy
    acts = {"tanh": jnp.tanh, "relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid}

    def loss_of(params, xb, yb):
        h = xb
        n_layers = len(params) // 2
        for i in range(n_layers):
            h = h @ params[2 * i].T + params[2 * i + 1]
            name = act if i < n_layers - 1 else out_act
            if name:
                h = acts[name](h)
        if loss == "mse":
            return jnp.mean((h - yb) ** 2)
        if loss == "bce_logits":
            return jnp.mean(jnp.maximum(h, 0) - h * yb + jnp.log1p(jnp.exp(-jnp.abs(h))))
        logp = jax.nn.log_softmax(h, axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    @jax.jit
    def train_step(params, xb, yb):
        value, grads = jax.value_and_grad(loss_of)(params, xb, yb)
        return [p - lr * g for p, g in zip(params, grads, strict=True)], value

    xs = [jnp.asarray(x[i:i + batch]) for i in range(0, len(x), batch)]
    ys = [jnp.asarray(y[i:i + batch]) for i in range(0, len(y), batch)]
    state = {"i": 0, "params": [jnp.asarray(w) for w in weights], "loss": None}

    def step():
        i = state["i"] % len(xs)
        state["i"] += 1
        state["params"], state["loss"] = train_step(state["params"], xs[i], ys[i])

    def sync():
        state["loss"].block_until_ready()

    return step, sync, lambda: [np.asarray(p) for p in state["params"]]
