"""Reference tests of the parameter-merging helpers (chapter 22)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from overparam_utils import merging as mg  # noqa: E402
from overparam_utils.training import mlp  # noqa: E402


def two_dicts(seed=0):
    a, b = mlp(3, 4, 2, seed=seed), mlp(3, 4, 2, seed=seed + 1)
    return a, mg.param_dict(a), mg.param_dict(b)


def test_plain_merge_is_the_weighted_mean_and_equal_fishers_change_nothing():
    _, pa, pb = two_dicts()
    plain = mg.merge([pa, pb], [0.3, 0.7])
    fisher = {k: torch.full_like(v, 2.5) for k, v in pa.items()}
    weighted = mg.merge([pa, pb], [0.3, 0.7], [fisher, fisher])
    for k in pa:
        torch.testing.assert_close(plain[k], 0.3 * pa[k] + 0.7 * pb[k])
        torch.testing.assert_close(weighted[k], plain[k])
    # an unnormalised pair of weights gives the same plain average
    for k in pa:
        torch.testing.assert_close(mg.merge([pa, pb], [3.0, 7.0])[k], plain[k])


def test_a_fisher_that_is_zero_for_one_model_takes_the_other_models_value():
    _, pa, pb = two_dicts()
    ones = {k: torch.ones_like(v) for k, v in pa.items()}
    zeros = {k: torch.zeros_like(v) for k, v in pa.items()}
    merged = mg.merge([pa, pb], [0.5, 0.5], [ones, zeros], eps=1e-12)
    for k in pa:
        torch.testing.assert_close(merged[k], pa[k])
    # no model sensitive at all: the eps terms fall back to the plain average
    both_zero = mg.merge([pa, pb], [0.5, 0.5], [zeros, zeros])
    for k in pa:
        torch.testing.assert_close(both_zero[k], 0.5 * (pa[k] + pb[k]))


def test_diagonal_fisher_matches_a_loop_over_examples_and_classes():
    model, params, _ = two_dicts(3)
    X = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    want = {k: torch.zeros_like(v) for k, v in params.items()}
    for x in torch.as_tensor(X):
        logp = torch.log_softmax(model(x[None])[0], dim=-1)
        for c in range(2):
            model.zero_grad()
            logp[c].backward(retain_graph=True)
            for k, p in model.named_parameters():
                want[k] += logp[c].exp().detach() * p.grad**2
    got = mg.diagonal_fisher(model, params, X, chunk=3)  # chunks of 3, 3 and 1
    for k in params:
        torch.testing.assert_close(got[k], want[k] / len(X), rtol=1e-5, atol=1e-8)
    assert mg.fisher_mass(got) == pytest.approx(float(sum((w / len(X)).sum() for w in want.values())), rel=1e-5)


def test_shuffle_within_keeps_shapes_and_values_of_each_tensor():
    _, pa, _ = two_dicts()
    shuffled = mg.shuffle_within(pa, np.random.default_rng(0))
    for k, v in pa.items():
        assert shuffled[k].shape == v.shape
        torch.testing.assert_close(shuffled[k].reshape(-1).sort().values, v.reshape(-1).sort().values)
    assert any(not torch.equal(shuffled[k], v) for k, v in pa.items())


def test_fisher_masks_pick_the_smallest_or_largest_fraction_across_tensors():
    fisher = {"a": torch.tensor([[5.0, 1.0], [3.0, 7.0]]), "b": torch.tensor([2.0, 8.0, 4.0, 6.0])}
    low = mg.fisher_masks(fisher, 0.5)
    high = mg.fisher_masks(fisher, 0.5, largest=True)
    picked_low = sorted(float(v) for k in fisher for v in fisher[k][low[k]])
    picked_high = sorted(float(v) for k in fisher for v in fisher[k][high[k]])
    assert picked_low == [1.0, 2.0, 3.0, 4.0] and picked_high == [5.0, 6.0, 7.0, 8.0]
    assert sum(int(m.sum()) for m in mg.fisher_masks(fisher, 0.25).values()) == 2
    with pytest.raises(ValueError):
        mg.fisher_masks(fisher, 1.5)


def test_overwrite_takes_the_donor_exactly_where_the_mask_is_true():
    params = {"w": torch.zeros(2, 2)}
    donor = {"w": torch.ones(2, 2)}
    mask = {"w": torch.tensor([[True, False], [False, True]])}
    torch.testing.assert_close(mg.overwrite(params, donor, mask)["w"], torch.tensor([[1.0, 0.0], [0.0, 1.0]]))


def test_logits_and_accuracy_with_a_parameter_dict_match_the_module():
    model, params, other = two_dicts()
    X = np.random.default_rng(1).standard_normal((20, 3)).astype(np.float32)
    with torch.no_grad():
        torch.testing.assert_close(mg.logits_with(model, params, X), model(torch.as_tensor(X)))
    y = mg.logits_with(model, other, X).argmax(1).numpy()
    assert mg.accuracy_with(model, other, X, y) == 1.0
