"""Per-layer gradient norm over epochs: a vanishing gradient shows as the first layers' lines
lying orders of magnitude below the last layer's."""

from backproplab.plots.figure import CLASS_COLORS, figure


def plot_gradient_norms(gradient_norms: dict, path) -> str:
    with figure(path) as fig:
        ax = fig.add_subplot(1, 1, 1)
        for i, (layer, norms) in enumerate(gradient_norms.items()):
            epochs = range(1, len(norms) + 1)
            ax.plot(epochs, norms, color=CLASS_COLORS[i % len(CLASS_COLORS)],
                    label=f"layer {layer}")
        if any(v > 0 for norms in gradient_norms.values() for v in norms):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean ‖∂L/∂θ‖ per step")
        ax.set_title("Gradient flow per layer")
        ax.legend(fontsize=8)
    return str(path)
