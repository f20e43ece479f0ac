"""glue, plotting and progress helpers."""

import matplotlib
import numpy as np
import pytest
import torch

from overparam_utils import glue as glue_mod
from overparam_utils import plotting, progress

matplotlib.use("Agg")


def test_to_builtin_converts_numpy_and_torch_scalars():
    assert type(glue_mod.to_builtin(np.float32(1.5))) is float
    assert type(glue_mod.to_builtin(np.int64(3))) is int
    assert type(glue_mod.to_builtin(torch.tensor(2.5))) is float
    assert glue_mod.to_builtin("text") == "text"
    arr = np.arange(3)
    assert glue_mod.to_builtin(arr) is arr


def test_glue_writes_exactly_what_myst_nb_glue_writes():
    """Reference test: our glued output (written without importing myst-nb in the kernel) is the one
    ``myst_nb.glue(name, value, display=False)`` writes, for a number and for a figure."""
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb import glue as myst_glue
    from myst_nb.ext.glue import GLUE_PREFIX

    assert glue_mod.GLUE_PREFIX == GLUE_PREFIX
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    InteractiveShell.instance()  # display() publishes through a shell, as in a kernel
    try:
        for value, ours in ((np.float64(0.25), lambda: glue_mod.glue("x", np.float64(0.25))),
                            (fig, lambda: glue_mod._write_glued("x", fig))):  # fmt: skip
            with capture_output() as theirs_out:
                myst_glue("x", glue_mod.to_builtin(value), display=False)
            with capture_output() as ours_out:
                ours()
            (theirs,), (mine,) = theirs_out.outputs, ours_out.outputs
            assert mine.data == theirs.data and mine.metadata == theirs.metadata
        assert glue_mod.glue("y", np.float64(0.5)) == 0.5 and type(glue_mod.glue("y", np.int64(3))) is int
    finally:
        InteractiveShell.clear_instance()
        plt.close(fig)


def test_glue_outside_ipython_is_a_no_op_that_returns_the_value(capsys):
    assert glue_mod.glue("x", np.float64(0.25)) == 0.25
    assert capsys.readouterr().out == ""


def test_style_is_opaque_white_for_both_themes():
    import matplotlib.pyplot as plt

    plotting.use_style()
    assert plt.rcParams["figure.facecolor"] == "white" and plt.rcParams["savefig.transparent"] is False
    fig, ax = plt.subplots()
    assert matplotlib.colors.to_hex(ax.lines[0].get_color() if ax.lines else plotting.CYCLE[0]) == "#0072b2"
    plt.close(fig)


def test_sweep_colors_are_distinct_and_avoid_the_pale_end():
    colors = plotting.sweep_colors(5)
    assert len(set(colors)) == 5
    assert colors[-1] == matplotlib.colormaps["viridis"](0.75)
    assert plotting.sweep_colors(0) == []


def test_log_ticks_plain_labels():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0.2, 4], [1, 2])
    plotting.log_ticks(ax, [0.25, 1, 4])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0.25", "1", "4"] and ax.get_xscale() == "log"
    plt.close(fig)


@pytest.mark.parametrize("value, quiet", [("1", True), ("", False), ("0", False)])
def test_progress_is_silent_when_quiet(monkeypatch, value, quiet):
    monkeypatch.setenv(progress.QUIET_ENV, value)
    items = [1, 2, 3]
    wrapped = progress.progress(items, desc="x")
    assert (wrapped is items) is quiet
    assert list(wrapped) == items


def test_glue_figure_renders_once_and_writes_a_shown_and_a_glued_image(monkeypatch):
    """One rendering, written as an ordinary output (Jupyter shows it) and as myst-nb's glued output (the
    book's ``{glue:figure}`` directive shows it; the cell's ``remove-output`` tag hides the first)."""
    import IPython.core.formatters
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from overparam_utils.glue import GLUE_PREFIX

    renders = []

    def fake_format(obj):
        renders.append(obj)
        return {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, {"image/png": {"width": 100}}

    monkeypatch.setattr(IPython.core.formatters, "format_display_data", fake_format)
    fig = object()
    InteractiveShell.instance()  # display() publishes through a shell, as in a kernel
    try:
        with capture_output() as captured:
            glue_mod.glue_figure("fig-test", fig)
    finally:
        InteractiveShell.clear_instance()
    assert renders == [fig], "the figure is rendered once"
    shown, glued = captured.outputs
    assert shown.data == {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    assert glued.data == {GLUE_PREFIX + "image/png": "iVBORw0KGgo=", GLUE_PREFIX + "text/plain": "<Figure>"}
    assert glued.metadata["scrapbook"] == {"name": "fig-test", "mime_prefix": GLUE_PREFIX}
    assert glued.metadata["image/png"] == {"width": 100}
