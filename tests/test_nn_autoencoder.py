"""Autoencoder: architecture, encode/decode/reconstruct, and that it learns."""

import numpy
import pytest

import backproplab as bp
from backproplab import nn


def _sizes(seq):
    return [(m.in_features, m.out_features) for m in seq if isinstance(m, nn.Linear)]


def test_encoder_narrows_to_the_bottleneck_and_decoder_mirrors_it():
    model = nn.Autoencoder(8, hidden=[6, 4], bottleneck=2)
    assert _sizes(model.encoder) == [(8, 6), (6, 4), (4, 2)]
    assert _sizes(model.decoder) == [(2, 4), (4, 6), (6, 8)]


def test_code_layer_is_linear_and_output_activation_is_last():
    model = nn.Autoencoder(4, hidden=[3], bottleneck=2, activation="tanh",
                           output_activation="sigmoid")
    assert [type(m).__name__ for m in model.encoder] == ["Linear", "Tanh", "Linear"]
    assert [type(m).__name__ for m in model.decoder] == ["Linear", "Tanh", "Linear", "Sigmoid"]


def test_activation_may_be_a_module_class():
    model = nn.Autoencoder(4, hidden=[3], activation=nn.ELU)
    assert isinstance(model.encoder[1], nn.ELU)


def test_encode_decode_and_forward_agree_with_reconstruct():
    model = nn.Autoencoder(5, hidden=[4], bottleneck=2)
    x = bp.randn(7, 5)
    code = model.encode(x)
    assert code.shape == (7, 2)
    numpy.testing.assert_array_equal(model.decode(code).array, model.reconstruct(x).array)
    numpy.testing.assert_array_equal(model(x).array, model.reconstruct(x).array)


def test_state_dict_keys_name_encoder_and_decoder_layers():
    keys = list(nn.Autoencoder(3, bottleneck=1).state_dict())
    assert keys == ["encoder.0.weight", "encoder.0.bias", "decoder.0.weight", "decoder.0.bias"]


def test_unknown_activation_fails_at_construction_listing_names():
    with pytest.raises(ValueError, match="valid names: identity"):
        nn.Autoencoder(4, activation="swish")


def test_nonpositive_sizes_are_refused():
    with pytest.raises(ValueError, match="bottleneck"):
        nn.Autoencoder(4, bottleneck=0)


def test_autoencoder_learns_to_reconstruct_points_on_a_line():
    bp.manual_seed(0)
    t = numpy.linspace(-1, 1, 64)[:, None]
    data = bp.tensor(numpy.hstack([t, 2 * t, -t]))  # rank 1: a 1-unit bottleneck suffices
    model = nn.Autoencoder(3, hidden=[8], bottleneck=1, activation="tanh")
    opt = bp.optim.Adam(model.parameters(), lr=0.02)
    loss_fn = nn.MSELoss()
    first = loss_fn(model(data), data).item()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(data), data)
        loss.backward()
        opt.step()
    assert loss.item() < 0.01 * first
