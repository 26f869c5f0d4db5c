"""``bp.lab.show`` outside Jupyter and the notebook's lab session: the lab trains the notebook's
very model object, reset and re-initialise act on it in place, and what would break that link
(other layers, other data, a CSV import) is refused with the reason and changes nothing."""


import numpy
import pytest

pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

import backproplab as bp  # noqa: E402
from backproplab import nn  # noqa: E402
from backproplab.lab import notebook  # noqa: E402
from backproplab.lab.notebook_session import NotebookExperiment, NotebookSession  # noqa: E402
from backproplab.lab.point_set import PointSet  # noqa: E402

SPEC = {"layers": [2, 2, 1], "activation": "sigmoid", "output_activation": "sigmoid",
        "weights": [[[0.5, -0.4], [0.3, 0.8]], [[0.7, -0.6]]], "biases": [[0.1, -0.2], [0.05]]}

THREE_INPUTS = bp.data.LabeledDataset(numpy.zeros((4, 3), numpy.float32),
                                      numpy.zeros((4, 1), numpy.float32),
                                      bp.data.DatasetInfo("three", "binary", 3, 1, 2))


@pytest.fixture
def model():
    return nn.from_spec(SPEC)


@pytest.fixture
def xor():
    return bp.data.load_dataset("xor")


@pytest.fixture
def session(model, xor):
    return NotebookSession(NotebookExperiment(model, xor, loss="mse", lr=2.0))


@pytest.fixture
def stop_servers():
    yield
    notebook.stop()


def _weights(model) -> list:
    return [p.array.copy() for p in model.parameters()]


def test_lab_steps_train_the_notebooks_model_in_place(session, model):
    shown = _weights(model)
    params = list(model.parameters())
    session.step("epoch")
    assert session.network.model is model
    assert list(model.parameters()) == params  # the same Parameter objects
    assert any(not numpy.array_equal(a, p.array) for a, p in zip(shown, params, strict=True))


def test_the_session_trains_with_the_given_loss_and_rate(session):
    assert session.network.head.loss == "mse" and session.config.lr == 2.0
    assert session.config.hidden == (2,) and session.config.activation == "sigmoid"


def test_weights_typed_in_the_lab_are_the_notebooks(session, model):
    session.set_weight(1, 0, 1, 0.125)
    assert model[2].weight.array[0, 1] == numpy.float32(0.125)


def test_reset_restores_the_weights_the_model_had_when_shown(session, model):
    shown = _weights(model)
    session.step("epoch")
    session.reset()
    assert session.network.model is model
    for a, p in zip(shown, model.parameters(), strict=True):
        numpy.testing.assert_array_equal(a, p.array)


def test_reinitialise_draws_new_weights_into_the_same_model(session, model):
    shown = _weights(model)
    seed = session.reinitialise()
    assert session.config.seed == seed and session.network.model is model
    assert all(not numpy.array_equal(a, p.array) for a, p in zip(shown, model.parameters(),
                                                                strict=True))


def test_first_build_keeps_weights_trained_in_the_notebook(model, xor):
    experiment = NotebookExperiment(model, xor)
    with bp.no_grad():
        model[0].weight.array[0, 0] = 3.0  # trained in the notebook after show, before opening
    NotebookSession(experiment)
    assert model[0].weight.array[0, 0] == 3.0


@pytest.mark.parametrize("changes", [{"hidden": (3,)}, {"dataset": "moons"},
                                     {"activation": "tanh"}, {"loss": "bce"}])
def test_changes_that_would_replace_the_model_or_data_are_refused(session, changes):
    before = session.config
    with pytest.raises(ValueError, match="notebook's model and data"):
        session.configure(session.config.updated(changes))
    assert session.config == before


def test_training_settings_still_change(session):
    assert session.configure(session.config.updated({"lr": 0.1, "optimizer": "adam"})) == \
        "training"
    assert session.optimizer.param_groups[0]["lr"] == 0.1


def test_csv_import_is_refused_and_rows_edited_in_the_lab_stay_in_the_lab(session, xor):
    with pytest.raises(ValueError, match="notebook's data"):
        session.load_points(PointSet.from_csv(b"x1,x2,y\n0,0,0\n1,1,1\n", 0.0, 0))
    session.set_row(0, [0.5, 0.5], 1)
    assert xor.x[0].tolist() == [0.0, 0.0] and len(session.points) == 4


def test_a_model_ending_in_logits_trains_with_bce_with_logits(xor):
    logits = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert NotebookExperiment(logits, xor).loss == "bce_with_logits"


def test_an_autoencoder_opens_the_autoencoder_mode():
    data = bp.data.load_dataset("encoder")
    ae = nn.Autoencoder(8, bottleneck=3, activation="sigmoid", output_activation="sigmoid")
    session = NotebookSession(NotebookExperiment(ae, data))
    assert session.config.mode == "autoencoder" and session.config.bottleneck == 3
    assert session.step("epoch") > 0


@pytest.mark.parametrize(("make", "error", "words"), [
    (lambda m, d: (m, (d.x, d.y)), TypeError, "bp.data dataset"),
    (lambda m, d: (nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Linear(2, 1)), d),
     ValueError, "1 is a Dropout"),
    (lambda m, d: (nn.Sequential(nn.Linear(3, 1)), d), ValueError, "maps 3 inputs to 1"),
    (lambda m, d: (nn.Sequential(nn.Linear(2, 1, bias=False)), d), ValueError, "without"),
    (lambda m, d: (m, THREE_INPUTS), ValueError, "1 or 2 inputs"),
    (lambda m, d: (nn.Sequential(nn.Linear(2, 40), nn.ReLU(), nn.Linear(40, 1)), d),
     ValueError, "at most 32 neurons"),
])
def test_what_the_lab_cannot_show_is_refused_with_the_reason(model, xor, make, error, words):
    with pytest.raises(error, match=words):
        NotebookExperiment(*make(model, xor))


def test_a_loss_that_does_not_fit_the_last_layer_is_refused(model, xor):
    with pytest.raises(ValueError, match="ends with sigmoid"):
        NotebookExperiment(model, xor, loss="bce_with_logits")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"model": "M"}, "both model and data"),
    ({"height": 50}, "height"),
    ({"lesson": "../x"}, "unknown lesson '../x'; lessons: .*chain-rule"),
    ({"lesson": "chain-rule", "model": "M", "data": "D"}, "without a model"),
])
def test_bad_arguments_are_refused_before_any_server_starts(kwargs, words, model, xor):
    kwargs = {k: {"M": model, "D": xor}.get(v, v) for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=words):
        bp.lab.show(**kwargs)
    assert notebook._servers == {}


def test_show_in_plain_python_prints_a_url_that_answers(capsys, stop_servers):
    bp.lab.show()
    bp.lab.show(lesson="chain-rule")
    lines = capsys.readouterr().out.splitlines()
    url = lines[0].rsplit(" ", 1)[1]
    assert lines[1].rsplit(" ", 1)[1] == url + "?lesson=chain-rule"  # the server is reused
    assert url.startswith("http://127.0.0.1:") and httpx.get(url).status_code == 200


def test_each_model_gets_its_own_server_and_showing_it_again_reuses_it(model, xor, capsys,
                                                                        stop_servers):
    other = nn.from_spec(SPEC)
    bp.lab.show(model, xor)
    bp.lab.show(model, xor, lr=0.1)
    bp.lab.show(other, xor)
    first, again, second = (line.rsplit(" ", 1)[1] for line in capsys.readouterr().out.split("\n")
                            if line)
    assert first == again != second
    server = notebook._servers[id(model)][1]
    assert server.new_session(None).config.lr == 0.1  # the latest settings


def test_the_frame_scales_to_the_cell_and_links_to_a_tab_of_its_own():
    html = notebook.frame_html('http://127.0.0.1:1/?lesson=a"b', 700)
    assert '<iframe src="http://127.0.0.1:1/?lesson=a&quot;b"' in html
    assert f"/ {notebook.LAB_MIN_WIDTH})" in html and "(700 / scale)" in html
    assert 'target="_blank"' in html
