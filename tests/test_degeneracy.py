import numpy as np
import pytest
import torch

from overparam_utils.degeneracy import (
    behavioural_loss,
    firing_groups,
    firing_restriction,
    layer_activations,
    layer_backward_jacobians,
    llc_quadratic,
    llc_sgld,
    rank_accounting,
    relu_patterns,
)
from overparam_utils.hessian import FlatModel, hessian, output_jacobian
from overparam_utils.training import mlp


def net_and_data(seed=0, n=60, d=5, width=6, k=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return mlp(d, width, k, depth=2, seed=seed).double(), X


def test_activations_have_a_ones_column_and_match_the_forward_pass():
    model, X = net_and_data()
    acts = layer_activations(model, X)
    assert [a.shape for a in acts] == [(60, 6), (60, 7), (60, 7)]
    np.testing.assert_array_equal(acts[1][:, -1], 1.0)
    X_t = torch.as_tensor(X)
    h1 = torch.relu(model[0](X_t))
    np.testing.assert_allclose(acts[1][:, :-1], h1.detach().numpy())


def test_backward_jacobians_are_the_bias_columns_of_the_output_jacobian():
    """d outputs / d z equals d outputs / d bias for z = W a + b."""
    model, X = net_and_data(n=20)
    grads = layer_backward_jacobians(model, X)
    J = output_jacobian(model, X).reshape(20 * 3, -1)
    offsets = np.cumsum([0] + [p.numel() for p in model.parameters()])
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, J[:, offsets[2 * i + 1] : offsets[2 * i + 2]], atol=1e-12)
    np.testing.assert_allclose(grads[-1].reshape(20, 3, 3), np.broadcast_to(np.eye(3), (20, 3, 3)))


def test_firing_groups_on_a_constructed_pattern():
    pattern = np.array(
        [
            [0, 1, 1, 1, 0, 1],
            [0, 1, 0, 0, 1, 1],
            [0, 1, 1, 1, 0, 0],
        ],
        dtype=bool,
    )
    g = firing_groups(pattern)
    assert (g.width, g.dead, g.always) == (6, 1, 1)
    assert sorted(g.sizes) == [1, 1, 1, 2]  # units 2 and 3 fire together
    assert g.synchronised == 2
    assert g.synchronised_partial == 2
    both_on = firing_groups(np.ones((3, 2), dtype=bool))
    assert (both_on.synchronised, both_on.synchronised_partial) == (2, 0)
    assert g.symmetry_dimension == 1 + 1 + 1 + 4 + 1


def test_accounting_predicts_the_rank_with_a_dead_unit_and_two_always_on_units():
    """Kill one unit and make two fire on every example: the prediction follows the measured rank."""
    model, X = net_and_data(seed=1, n=200, d=4, width=6, k=4)
    with torch.no_grad():
        model[0].weight[0] = 0.0
        model[0].bias[0] = -1.0  # unit 0 of layer 1 never fires
        model[0].bias[1:3] = 20.0  # units 1 and 2 always fire: one group of two
    a = rank_accounting(model, X)
    groups = a.groups[0]
    assert (groups.dead, groups.always, groups.synchronised) == (1, 2, 2)
    assert a.r_act[1] == 6  # 6 units + bias, less the dead unit's zero column
    assert a.r_grad[0] == 5  # the dead unit passes no gradient back
    assert a.rank_H <= a.bound <= a.n_params
    assert a.predicted == a.rank_H
    J = output_jacobian(model, X).reshape(200 * 4, -1)
    assert a.rank_H == np.linalg.matrix_rank(J)


def test_patterns_are_positive_pre_activations():
    model, X = net_and_data(n=10)
    p = relu_patterns(model, X)
    assert len(p) == 2 and p[0].shape == (10, 6) and p[0].dtype == bool
    np.testing.assert_array_equal(p[0], (model[0](torch.as_tensor(X)) > 0).numpy())


def test_behavioural_loss_is_zero_at_the_trained_point_with_gauss_newton_hessian():
    model, X = net_and_data(n=15)
    loss = behavioural_loss(model, X)
    theta = FlatModel.of(model).theta
    assert float(loss(theta)) == 0.0
    J = output_jacobian(model, X).reshape(15 * 3, -1)
    np.testing.assert_allclose(hessian(loss, theta).numpy(), J.T @ J / (15 * 3), atol=1e-12)


def test_llc_quadratic_limits():
    assert llc_quadratic([1e6] * 10 + [0.0] * 5, nbeta=10.0, gamma=1.0) == pytest.approx(5.0, rel=1e-5)
    assert llc_quadratic([1.0], nbeta=2.0, gamma=2.0) == pytest.approx(0.25)
    assert llc_quadratic([-3.0, 0.0], nbeta=1.0, gamma=1.0) == 0.0


def test_sgld_on_a_quadratic_matches_the_closed_form():
    h = torch.tensor([50.0, 5.0, 1.0, 0.1, 0.0, 0.0], dtype=torch.float64)
    loss = lambda w: 0.5 * (h * w**2).sum()  # noqa: E731
    nbeta, gamma = 4.0, 2.0
    lr = 0.5 / (nbeta * float(h.max()) + gamma)
    est, trace = llc_sgld(
        loss, torch.zeros(6, dtype=torch.float64), nbeta=nbeta, gamma=gamma, lr=lr, steps=4000, chains=64
    )
    assert trace.shape == (4000,)
    assert est == pytest.approx(llc_quadratic(h.numpy(), nbeta, gamma), rel=0.1)


def test_every_hidden_relu_unit_gives_one_flat_direction():
    """Rescaling a unit's input weights by c and its output weights by 1/c changes nothing: rank(H) is at
    most P minus the number of hidden units, with equality for a generic network on enough data (the
    floor that chapter 11 subtracts before counting degeneracy)."""
    for seed in range(4):
        model, X = net_and_data(seed=seed, n=300, d=4, width=5, k=3)
        a = rank_accounting(model, X)
        n_hidden = sum(g.width for g in a.groups)
        assert a.rank_H <= a.n_params - n_hidden
        assert a.rank_H == a.predicted
        if seed == 2:  # no dead or always-on unit: exactly the rescalings are flat
            assert a.rank_H == a.n_params - n_hidden


def test_firing_restriction_counts_an_input_that_is_constant_where_a_unit_fires():
    """Unit 0 fires exactly where the binary input x0 is 0, so on its firing set x0 is constant: one
    direction lost. The other units fire on random halves, where every input still varies. Random
    firing sets of the same sizes lose nothing."""
    rng = np.random.default_rng(0)
    X = np.hstack([rng.integers(0, 2, (400, 1)), rng.standard_normal((400, 3))]).astype(float)
    model = mlp(4, 3, 2, depth=1, seed=0).double()
    with torch.no_grad():
        model[0].weight[0] = torch.tensor([-1.0, 0.0, 0.0, 0.0], dtype=torch.float64)
        model[0].bias[0] = 0.5
    assert firing_restriction(model, X) == 1
    assert firing_restriction(model, X, shuffle_seed=1) == 0


def test_stacked_regression_training_is_torch_adam_with_a_cosine_schedule_model_by_model():
    import torch.nn.functional as F

    from overparam_utils.degeneracy import train_stacked_regression
    from overparam_utils.training import mlp

    def reference(model, X, Y, mask, steps, lr):
        X, Y = torch.as_tensor(X), torch.as_tensor(Y)
        params = list(model.parameters())
        if mask is not None:
            with torch.no_grad():
                for p, m in zip(params, mask, strict=True):
                    p.mul_(m)
        opt = torch.optim.Adam(params, lr=lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        for _ in range(steps):
            opt.zero_grad()
            F.mse_loss(model(X), Y).backward()
            if mask is not None:
                for p, m in zip(params, mask, strict=True):
                    p.grad.mul_(m)
            opt.step()
            sched.step()
        return float(F.mse_loss(model(X), Y).detach())

    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 40, 6)).astype(np.float32)
    Y = rng.standard_normal((3, 40, 2)).astype(np.float32)
    shapes = [p.shape for p in mlp(6, 8, 2, depth=2, seed=0).parameters()]
    mask = [torch.as_tensor((rng.random(s) > 0.5).astype(np.float32)) for s in shapes]
    masks = [None, mask, None]
    stacked = [mlp(6, 8, 2, depth=2, seed=s) for s in range(3)]
    alone = [mlp(6, 8, 2, depth=2, seed=s) for s in range(3)]
    losses = train_stacked_regression(stacked, X, Y, masks, steps=150, lr=3e-3)
    for i, model in enumerate(alone):
        assert losses[i] == pytest.approx(reference(model, X[i], Y[i], masks[i], 150, 3e-3), rel=1e-5)
        for p, q in zip(stacked[i].parameters(), model.parameters(), strict=True):
            assert torch.allclose(p, q, atol=1e-5)
    for p, m in zip(stacked[1].parameters(), mask, strict=True):
        assert torch.all(p[m == 0] == 0)  # masked weights stayed at zero
