"""PlateauDetector: a loss that stays flat at a poor value is called a plateau (and only then),
the diagnosis clears when the loss falls again, and a real stuck XOR network is caught."""

import numpy
import pytest

from backproplab import data, nn, train
from backproplab.train import PlateauDetector, TrainingState


def _state() -> TrainingState:
    return TrainingState(model=None, optimizer=None, history=train.History())


def _feed(detector, state, losses) -> list:
    """Each epoch's message after feeding ``losses`` one epoch at a time."""
    messages = []
    for epoch, loss in enumerate(losses, start=1):
        state.epoch = epoch
        detector.on_epoch_end(state, {"loss": loss})
        messages.append(detector.message)
    return messages


def test_a_flat_poor_loss_is_a_plateau_after_patience_epochs():
    detector, state = PlateauDetector(patience=10, min_delta=0.01, poor=0.1), _state()
    messages = _feed(detector, state, [0.35] * 12)
    assert messages[:10] == [None] * 10
    assert messages[10].startswith("The loss has stayed near 0.35 for 10 epochs")
    assert messages[11].startswith("The loss has stayed near 0.35 for 11 epochs")
    assert "local minimum" in messages[10] and "Re-initialise" in messages[10]
    assert [e.kind for e in state.history.events] == ["plateau"]
    assert state.history.events[0].epoch == 11
    assert not state.stop


def test_a_falling_loss_is_not_a_plateau():
    detector, state = PlateauDetector(patience=10, min_delta=0.01), _state()
    losses = 0.7 * 0.99 ** numpy.arange(100)  # falls 1 % an epoch: ~10 % a window
    assert _feed(detector, state, losses) == [None] * 100


def test_a_flat_loss_below_poor_is_learned_not_stuck():
    detector, state = PlateauDetector(patience=10, poor=0.05), _state()
    assert _feed(detector, state, [0.004] * 30) == [None] * 30


def test_the_diagnosis_clears_when_the_loss_falls_again_and_is_noted_once_per_plateau():
    detector, state = PlateauDetector(patience=5, min_delta=0.01, poor=0.1), _state()
    messages = _feed(detector, state, [0.5] * 8 + [0.3, 0.2, 0.15] + [0.15] * 7)
    assert messages[7] is not None and messages[9] is None
    assert messages[-1] is not None and "0.15" in messages[-1]
    assert [e.epoch for e in state.history.events] == [6, 16]


def test_stop_true_stops_training_with_the_diagnosis():
    detector, state = PlateauDetector(patience=3, stop=True), _state()
    _feed(detector, state, [1.0] * 4)
    assert state.stop and state.history.stop_reason == detector.message


def test_poor_fraction_measures_poor_against_the_first_epoch():
    detector, state = PlateauDetector(patience=5, poor_fraction=0.25), _state()
    detector.on_train_begin(state)
    assert _feed(detector, state, [0.8] + [0.1] * 10) == [None] * 11  # 0.1 < 0.25 × 0.8
    detector.on_train_begin(state)
    assert _feed(detector, state, [0.8] + [0.3] * 10)[-1] is not None


@pytest.mark.parametrize(("kwargs", "text"), [({"patience": 0}, "patience"),
                                              ({"poor": 0.1, "poor_fraction": 0.5}, "not both"),
                                              ({"min_delta": 0.0}, "min_delta"),
                                              ({"min_delta": 1.5}, "min_delta")])
def test_bad_settings_are_refused(kwargs, text):
    with pytest.raises(ValueError, match=text):
        PlateauDetector(**kwargs)


def _xor_2_2_1(seed: int):
    model = nn.from_spec({"layers": [2, 2, 1], "activation": "tanh"})
    rng = numpy.random.default_rng(seed)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            module.reset_parameters(rng)
    return model


@pytest.mark.parametrize(("seed", "stuck"), [(0, True), (5, False)])
def test_xor_on_two_hidden_units_is_caught_only_when_it_is_stuck(seed, stuck):
    """From seed 0 a 2-2-1 tanh network settles with two of XOR's four points at p = 0.5
    (loss ≈ ln 2 / 2); from seed 5 it learns. Poor: a quarter of the loss of p = 0.5."""
    xor = data.make_xor()
    detector = PlateauDetector(patience=200, poor=0.25 * numpy.log(2))
    history = train.fit(_xor_2_2_1(seed), xor, loss="bce_with_logits", optimizer="sgd",
                        lr=0.5, epochs=1500, batch_size=4, shuffle=False, callbacks=[detector],
                        verbose=0)
    kinds = [e.kind for e in history.events]
    assert ("plateau" in kinds) == stuck
    assert (detector.message is not None) == stuck
    if stuck:
        assert history.last("loss") > 0.3
