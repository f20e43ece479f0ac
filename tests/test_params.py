import numpy as np
import pytest

from overparam_utils.params import SCALES, ParameterError, Preset, select_preset, validate_scale, validate_seed

PRESETS = {s: {"n_train": i + 1, "widths": [1, 2]} for i, s in enumerate(SCALES)}


@pytest.mark.parametrize("scale", SCALES)
def test_valid_scales_pass(scale):
    assert validate_scale(scale) == scale


@pytest.mark.parametrize("bad", ["Book", "large", "", None, 1])
def test_bad_scale_names_the_parameter_and_the_choices(bad):
    with pytest.raises(ParameterError) as err:
        validate_scale(bad)
    msg = str(err.value)
    assert "scale=" in msg and all(repr(s) in msg for s in SCALES)


@pytest.mark.parametrize("good", [0, 1, 12345, np.int64(7)])
def test_valid_seeds(good):
    assert validate_seed(good) == int(good)
    assert type(validate_seed(good)) is int


@pytest.mark.parametrize("bad", [-1, 1.5, 2.0, "3", True, None])
def test_bad_seed_is_refused_with_a_clear_message(bad):
    with pytest.raises(ParameterError, match="seed=.*non-negative integer"):
        validate_seed(bad)


def test_select_preset_gives_attribute_and_item_access():
    cfg = select_preset(PRESETS, "book")
    assert isinstance(cfg, Preset)
    assert cfg.n_train == 2 and cfg["widths"] == [1, 2] and cfg.scale == "book"
    assert dict(cfg) == PRESETS["book"]
    with pytest.raises(AttributeError, match="has no 'missing'"):
        cfg.missing  # noqa: B018


def test_presets_must_cover_every_scale_with_the_same_keys():
    with pytest.raises(ParameterError, match="missing"):
        select_preset({"smoke": {}, "book": {}}, "book")
    uneven = {**PRESETS, "paper": {"n_train": 3}}
    with pytest.raises(ParameterError, match="differ in the keys"):
        select_preset(uneven, "smoke")


def test_select_preset_validates_scale_first():
    with pytest.raises(ParameterError, match="scale="):
        select_preset(PRESETS, "huge")


@pytest.mark.parametrize("good", ["auto", "cpu"])
def test_valid_devices_and_what_they_resolve_to(good):
    from overparam_utils.params import gpu_visible, resolve_device, validate_device

    assert validate_device(good) == good
    assert resolve_device(good) == ("cuda" if good == "auto" and gpu_visible() else "cpu")


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "", None, 0])
def test_bad_device_names_the_parameter_and_the_choices(bad):
    from overparam_utils.params import validate_device

    with pytest.raises(ParameterError, match=r"device=.* is not allowed; choose one of 'auto', 'cpu', 'cuda'"):
        validate_device(bad)


def test_cuda_without_a_gpu_is_refused_at_setup_before_any_work():
    from overparam_utils import chapter
    from overparam_utils.params import gpu_visible

    if gpu_visible():
        pytest.skip("a GPU is visible here: device='cuda' is allowed")
    presets = {s: {"n": 1} for s in ("smoke", "book", "paper")}
    with pytest.raises(ParameterError, match="device='cuda' is not allowed here: no GPU is visible"):
        chapter.setup("00_test", scale="smoke", seed=0, presets=presets, device="cuda")
    ch = chapter.setup("00_test", scale="smoke", seed=0, presets=presets, device="auto")
    assert ch.claims.record()["device"] == "cpu", "a chapter that never asks for its device ran on the CPU"
    assert ch.device == "cpu" and ch.claims.record()["device"] == "cpu"
