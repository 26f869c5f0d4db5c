"""fit: it learns (XOR, moons), is repeatable, splits validation data, takes tuples or inputs
alone, explains size mismatches before training, and reports progress only where asked."""

import numpy
import pytest

import backproplab as bp
from backproplab import data, nn, optim, train
from backproplab.data import DataLoader, TensorDataset
from backproplab.train import Callback

XOR_X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=numpy.float32)
XOR_Y = numpy.array([[0], [1], [1], [0]], dtype=numpy.float32)


def _weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def test_xor_is_learned_by_a_2_4_1_network_from_most_seeds():
    solved = 0
    for seed in range(10):
        bp.manual_seed(seed)
        model = nn.from_spec({"layers": [2, 4, 1], "activation": "tanh"})
        history = train.fit(model, (XOR_X, XOR_Y), loss="bce_with_logits", lr=0.05,
                            epochs=300, batch_size=4, metrics=["accuracy"], verbose=0)
        solved += history.last("accuracy") == 1.0
    assert solved >= 8


def test_moons_reach_97_percent_on_a_separate_test_set():
    train_set = data.make_moons(n=300, noise=0.1, seed=1)
    test_set = data.make_moons(n=300, noise=0.1, seed=2)
    bp.manual_seed(0)
    model = nn.from_spec({"layers": [2, 16, 16, 1], "activation": "tanh"})
    train.fit(model, train_set, loss="bce_with_logits", epochs=60, verbose=0)
    logs = train.evaluate(model, test_set, nn.BCEWithLogitsLoss(),
                          [train.metrics.resolve("accuracy")], threshold=0.0)
    assert logs["accuracy"] >= 0.97


def _run(seed):
    bp.manual_seed(seed)
    ds = data.make_moons(n=64, noise=0.2, seed=3)
    model = nn.from_spec({"layers": [2, 8, 1], "activation": "tanh"})
    history = train.fit(model, ds, loss="bce_with_logits", epochs=3, batch_size=16,
                        validation_split=0.25, metrics=["accuracy"], record_steps=True,
                        verbose=0)
    return history, _weights(model)


def test_same_manual_seed_gives_an_identical_run():
    (h1, w1), (h2, w2) = _run(7), _run(7)
    assert h1.columns() == h2.columns()
    assert h1.step_loss == h2.step_loss
    for k in w1:
        numpy.testing.assert_array_equal(w1[k], w2[k])
    h3, _ = _run(8)
    assert h3.step_loss != h1.step_loss


def test_a_run_split_over_two_fit_calls_shuffles_like_one():
    ds = data.make_moons(n=40, noise=0.2, seed=3)
    bp.manual_seed(1)
    one = nn.from_spec({"layers": [2, 4, 1], "activation": "tanh"})
    two = nn.from_spec({"layers": [2, 4, 1], "activation": "tanh"})
    two.load_state_dict(one.state_dict())
    kw = {"loss": "bce_with_logits", "optimizer": "sgd", "batch_size": 8, "verbose": 0}
    train.fit(one, ds, epochs=4, generator=numpy.random.default_rng(2), **kw)
    gen = numpy.random.default_rng(2)
    train.fit(two, ds, epochs=2, generator=gen, **kw)
    train.fit(two, ds, epochs=2, generator=gen, **kw)
    for k, v in _weights(one).items():
        numpy.testing.assert_array_equal(_weights(two)[k], v, err_msg=k)


@pytest.mark.parametrize(("n", "split", "n_val"), [(100, 0.2, 20), (10, 0.25, 2), (7, 0.01, 1)])
def test_validation_split_holds_out_the_expected_number_of_samples(n, split, n_val):
    seen = []

    def rows(out, target):
        seen.append(len(out))
        return 0.0

    x = numpy.random.default_rng(0).normal(size=(n, 2)).astype(numpy.float32)
    model = nn.from_spec({"layers": [2, 1]})
    history = train.fit(model, (x, x[:, :1]), epochs=1, validation_split=split,
                        metrics=[rows], verbose=0)
    assert seen == [n - n_val, n_val]
    assert len(history.val_loss) == 1 and "val_rows" in history.metrics


def test_validation_split_that_leaves_no_training_data_is_refused():
    x = numpy.zeros((1, 2), dtype=numpy.float32)
    with pytest.raises(ValueError, match="leaves no training data out of 1 samples"):
        train.fit(nn.from_spec({"layers": [2, 2]}), x, validation_split=0.4, verbose=0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"epochs": -1}, "epochs must be >= 0"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"validation_split": 1.5}, "validation_split must be between 0 and 1"),
    ({"validation_split": 0.2, "validation": (XOR_X, XOR_Y)}, "not both"),
    ({"loss": "hinge"}, "unknown loss 'hinge'; valid names"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'; valid names"),
    ({"lr": float("nan")}, "finite positive number"),
    ({"metrics": ["f1"]}, "unknown metric 'f1'"),
])
def test_bad_arguments_are_refused_before_training(kwargs, message):
    model = nn.from_spec({"layers": [2, 1]})
    before = _weights(model)
    with pytest.raises(ValueError, match=message):
        train.fit(model, (XOR_X, XOR_Y), verbose=0, **kwargs)
    numpy.testing.assert_array_equal(model[0].weight.array, before["0.weight"])


def test_validation_split_needs_a_dataset_not_a_loader():
    loader = DataLoader(TensorDataset(bp.from_numpy(XOR_X), bp.from_numpy(XOR_Y)), batch_size=2)
    with pytest.raises(ValueError, match="validation_split needs a dataset"):
        train.fit(nn.from_spec({"layers": [2, 1]}), loader, validation_split=0.5, verbose=0)


def test_too_many_input_features_are_explained_naming_both_shapes():
    model = nn.from_spec({"layers": [2, 3, 1]})
    before = _weights(model)
    x = numpy.zeros((5, 3), dtype=numpy.float32)
    with pytest.raises(ValueError, match=r"inputs of shape \(5, 3\) \(3 features per sample\)"
                                         r".*weight of shape \(3, 2\).*must be 2"):
        train.fit(model, (x, numpy.zeros((5, 1), dtype=numpy.float32)), verbose=0)
    numpy.testing.assert_array_equal(model[0].weight.array, before["0.weight"])


def test_targets_of_another_width_than_the_output_are_explained_naming_both_shapes():
    model = nn.from_spec({"layers": [2, 3, 1]})
    y = numpy.zeros((4, 4), dtype=numpy.float32)
    with pytest.raises(ValueError, match=r"output of shape \(4, 1\) does not fit the targets of "
                                         r"shape \(4, 4\) for MSELoss"):
        train.fit(model, (XOR_X, y), batch_size=4, verbose=0)


def test_fit_accepts_datasets_loaders_and_tuples_alike():
    bp.manual_seed(0)
    first = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
    runs = []
    for data_arg in [(XOR_X, XOR_Y), (bp.from_numpy(XOR_X), bp.from_numpy(XOR_Y)),
                     TensorDataset(bp.from_numpy(XOR_X), bp.from_numpy(XOR_Y)),
                     DataLoader(TensorDataset(bp.from_numpy(XOR_X), bp.from_numpy(XOR_Y)),
                                batch_size=4)]:
        model = nn.from_spec({"layers": [2, 3, 1], "activation": "tanh"})
        model.load_state_dict(first.state_dict())
        runs.append(train.fit(model, data_arg, epochs=3, batch_size=4, shuffle=False,
                              optimizer="sgd", verbose=0).train_loss)
    assert all(r == runs[0] for r in runs)


def test_inputs_alone_train_an_autoencoder_to_reproduce_them():
    x = numpy.eye(4, dtype=numpy.float32)
    bp.manual_seed(0)
    model = nn.Autoencoder(4, bottleneck=2, activation="tanh", output_activation="sigmoid")
    history = train.fit(model, x, epochs=200, batch_size=4, lr=0.05, verbose=0)
    with bp.no_grad():
        recon = model(bp.from_numpy(x)).array
    assert history.train_loss[-1] == pytest.approx(((recon - x) ** 2).mean(), rel=0.2)
    assert history.train_loss[-1] < 0.25 * history.train_loss[0]


def test_loss_and_metrics_are_recorded_per_epoch_with_learning_rate_and_steps():
    history = train.fit(nn.from_spec({"layers": [2, 1]}), (XOR_X, XOR_Y), epochs=3,
                        batch_size=3, lr=0.02, metrics=["mae"], validation=(XOR_X, XOR_Y),
                        record_steps=True, verbose=0)
    assert history.epochs == [1, 2, 3]
    assert len(history.train_loss) == len(history.val_loss) == 3
    assert set(history.metrics) == {"mae", "val_mae"}
    assert history.learning_rates == [0.02] * 3
    assert len(history.step_loss) == 6  # two batches (3 + 1 rows) per epoch
    assert history.wall_time > 0 and history.stop_reason is None


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    history = train.fit(nn.from_spec({"layers": [2, 1]}), (XOR_X, XOR_Y), epochs=1,
                        batch_size=3, shuffle=False, record_steps=True, verbose=0)
    first, second = history.step_loss
    assert history.train_loss[0] == pytest.approx((3 * first + 1 * second) / 4)


def test_callbacks_see_gradients_before_the_optimizer_step():
    model = nn.from_spec({"layers": [2, 1]})

    class Check(Callback):
        def on_after_backward(self, state, loss):
            self.before = model[0].weight.array.copy()
            self.grad = model[0].weight.grad.array.copy()

        def on_step_end(self, state, loss):
            numpy.testing.assert_allclose(model[0].weight.array,
                                          self.before - 0.5 * self.grad, rtol=1e-6)
            self.checked = True

    check = Check()
    train.fit(model, (XOR_X, XOR_Y), optimizer=optim.SGD(model.parameters(), lr=0.5),
              epochs=1, batch_size=4, callbacks=[check], verbose=0)
    assert check.checked


def test_evaluate_uses_no_graph_and_restores_training_mode():
    model = nn.from_spec({"layers": [2, 1]})
    model.train()
    logs = train.evaluate(model, TensorDataset(bp.from_numpy(XOR_X), bp.from_numpy(XOR_Y)),
                          nn.MSELoss(), prefix="test_")
    assert model.training
    assert model[0].weight.grad is None
    with bp.no_grad():
        expected = ((model(bp.from_numpy(XOR_X)).array - XOR_Y) ** 2).mean()
    assert logs["test_loss"] == pytest.approx(expected)


def test_progress_is_silent_when_output_is_not_a_terminal(capsys):
    train.fit(nn.from_spec({"layers": [2, 1]}), (XOR_X, XOR_Y), epochs=3, verbose=1)
    assert capsys.readouterr().out == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    train.fit(nn.from_spec({"layers": [2, 1]}), (XOR_X, XOR_Y), epochs=3, metrics=["acc"],
              verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines, 1):
        assert line.startswith(f"epoch {epoch}/3  loss ")
        assert "accuracy" in line


def test_verbose_0_prints_nothing_even_when_stopping(capsys):
    model = nn.from_spec({"layers": [2, 1]})
    history = train.fit(model, (XOR_X, XOR_Y), epochs=5, verbose=0,
                        callbacks=[train.EarlyStopping(monitor="loss", patience=0,
                                                       min_delta=10.0)])
    assert history.stop_reason is not None
    assert capsys.readouterr().out == ""


def test_zero_epochs_trains_nothing():
    model = nn.from_spec({"layers": [2, 1]})
    before = _weights(model)
    history = train.fit(model, (XOR_X, XOR_Y), epochs=0, verbose=0)
    assert history.epochs == []
    numpy.testing.assert_array_equal(model[0].weight.array, before["0.weight"])
