"""``backproplab train``: train a network on a dataset and write the model, history and plots.

Every choice is a flag with a sensible default, so ``backproplab train`` alone trains a small
network on the moons and says where its outputs went. Bad choices are refused before any
training, with the list of valid names.
"""

import math
import os
import sys
import time

import backproplab as bp
from backproplab import data, nn, plots, train
from backproplab.train.pca_reference import pca_reconstruction_mse
from backproplab.train.task import head_for, mlp_spec, probabilities

DEFAULTS = {"dataset": "moons", "layers": "16,16", "activation": "tanh", "optimizer": "adam",
            "epochs": 100, "batch_size": 32, "validation_split": 0.2, "seed": 0}


def add_train_command(sub) -> None:
    p = sub.add_parser("train", help="train a network and write model, history and plots",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default=DEFAULTS["dataset"],
                   help=f"a built-in dataset ({', '.join(data.dataset_names())}) or a .csv file")
    p.add_argument("--target", default="-1", help="CSV target column (name or index)")
    p.add_argument("--n", type=int, default=None, help="number of samples (built-in datasets)")
    p.add_argument("--noise", type=float, default=None, help="noise level (built-in datasets)")
    p.add_argument("--layers", default=DEFAULTS["layers"],
                   help="hidden layer sizes, comma-separated (e.g. 8,8; empty for none)")
    p.add_argument("--activation", default=DEFAULTS["activation"],
                   help=f"hidden activation ({', '.join(sorted(nn.ACTIVATIONS))})")
    p.add_argument("--loss", default=None,
                   help=f"loss ({', '.join(sorted(train.LOSSES))}); default fits the dataset")
    p.add_argument("--optimizer", default=DEFAULTS["optimizer"],
                   help=f"optimizer ({', '.join(sorted(train.OPTIMIZERS))})")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default per optimizer)")
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--validation-split", type=float, default=DEFAULTS["validation_split"])
    p.add_argument("--autoencoder", action="store_true",
                   help="train an autoencoder that reconstructs the inputs")
    p.add_argument("--bottleneck", type=int, default=2, help="autoencoder code size")
    p.add_argument("--out", default=None, help="output folder (default runs/DATASET-TIME)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run_train)


class UsageError(ValueError):
    """A bad command-line choice, reported before any training starts."""


def _layers(text: str) -> list[int]:
    if not text.strip():
        return []
    sizes = []
    for part in text.split(","):
        try:
            size = int(part)
        except ValueError:
            raise UsageError(f"--layers: {part.strip()!r} is not an integer; "
                             "give sizes like 8,8") from None
        if size < 1:
            raise UsageError(f"--layers: layer sizes must be positive integers, got {size}")
        sizes.append(size)
    return sizes


def _check(args) -> list[int]:
    hidden = _layers(args.layers)
    if args.activation not in nn.ACTIVATIONS:
        raise UsageError(f"unknown activation {args.activation!r}; valid names: "
                         f"{', '.join(sorted(nn.ACTIVATIONS))}")
    if args.loss is not None and args.loss not in train.LOSSES:
        raise UsageError(f"unknown loss {args.loss!r}; valid names: "
                         f"{', '.join(sorted(train.LOSSES))}")
    if args.optimizer not in train.OPTIMIZERS:
        raise UsageError(f"unknown optimizer {args.optimizer!r}; valid names: "
                         f"{', '.join(sorted(train.OPTIMIZERS))}")
    if args.lr is not None and (not math.isfinite(args.lr) or args.lr <= 0):
        raise UsageError(f"--lr must be a finite positive number, got {args.lr}")
    for name in ("epochs", "batch_size", "bottleneck"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, "
                             f"got {getattr(args, name)}")
    if not 0.0 <= args.validation_split < 1.0:
        raise UsageError(f"--validation-split must be in [0, 1), got {args.validation_split}")
    if args.autoencoder and not hidden and args.bottleneck < 1:
        raise UsageError("--autoencoder needs a positive --bottleneck")
    return hidden


def _load(args):
    if args.dataset.lower().endswith(".csv"):
        if not os.path.exists(args.dataset):
            raise UsageError(f"--dataset: no such file {args.dataset!r}")
        target = int(args.target) if args.target.lstrip("-").isdigit() else args.target
        return data.load_csv(args.dataset, target=target)
    if args.dataset not in data.DATASETS:
        raise UsageError(f"unknown dataset {args.dataset!r}; valid names: "
                         f"{', '.join(data.dataset_names())}, or a path to a .csv file")
    try:
        return data.load_dataset(args.dataset, n=args.n, noise=args.noise, seed=args.seed)
    except TypeError as e:  # an option this dataset does not take, e.g. --noise for digits
        raise UsageError(str(e)) from None


def _model(args, info, hidden):
    if args.autoencoder:
        ae_info = _autoencoder_info(info)
        head = head_for(ae_info, args.loss)
        model = nn.Autoencoder(info.n_features, hidden=hidden, bottleneck=args.bottleneck,
                               activation=args.activation,
                               output_activation=head.output_activation)
        return model, head, ae_info
    head = head_for(info, args.loss)
    return nn.from_spec(mlp_spec(info, hidden, args.activation, head)), head, info


def _autoencoder_info(info):
    from dataclasses import replace

    return replace(info, task="autoencoder", n_outputs=info.n_features, n_classes=None)


def run_train(args) -> int:
    try:
        hidden = _check(args)
        dataset = _load(args)
        bp.manual_seed(args.seed)
        model, head, task_info = _model(args, dataset.info, hidden)
    except (UsageError, ValueError, ImportError) as e:
        print(f"backproplab train: error: {e}", file=sys.stderr)
        return 2
    out_dir = args.out or os.path.join(
        "runs", f"{dataset.info.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.makedirs(out_dir, exist_ok=True)
    train_data = dataset.x if args.autoencoder else dataset
    recorder = train.GradientFlowRecorder()
    print(f"Training {task_info.task} model on {dataset.info.name} ({len(dataset)} samples, "
          f"{dataset.info.n_features} inputs): {head.loss}, {args.optimizer}")
    try:
        history = train.fit(model, train_data, loss=head.loss, optimizer=args.optimizer,
                            lr=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                            validation_split=args.validation_split, metrics=head.metrics,
                            callbacks=[recorder], verbose=0 if args.quiet else 1)
    except ValueError as e:
        print(f"backproplab train: error: {e}", file=sys.stderr)
        return 2
    files = _write_outputs(out_dir, model, history, dataset, head, args)
    _summary(history, files, out_dir)
    if args.autoencoder:
        _compare_with_pca(model, dataset.x, head, args.bottleneck)
    return 0


def _compare_with_pca(model, x, head, k: int) -> None:
    recon = probabilities(model, x, head)
    mse = float(((recon - x) ** 2).mean())
    print(f"Reconstruction MSE {mse:.6g}; PCA with {k} components: "
          f"{pca_reconstruction_mse(x, k):.6g}")


def _write_outputs(out_dir, model, history, dataset, head, args) -> list[str]:
    path = lambda name: os.path.join(out_dir, name)  # noqa: E731 - local shorthand
    bp.save(model, path("model.safetensors"),
            metadata={"dataset": dataset.info.name, "loss": head.loss})
    history.save_csv(path("history.csv"))
    history.save_json(path("history.json"))
    files = ["model.safetensors", "history.csv", "history.json"]
    if history.epochs:
        plots.plot_loss_curves(history, path("loss.png"))
        files.append("loss.png")
    if history.gradient_norms:
        plots.plot_gradient_norms(history.gradient_norms, path("gradient_norms.png"))
        files.append("gradient_norms.png")
    x, y = dataset.x, dataset.y
    predict = lambda pts: probabilities(model, pts, head)  # noqa: E731 - local shorthand
    if args.autoencoder:
        recon = probabilities(model, x[:8], head)
        plots.plot_reconstructions(x[:8], recon, path("reconstructions.png"))
        files.append("reconstructions.png")
        if args.bottleneck == 2:
            with bp.no_grad():
                codes = model.encode(bp.from_numpy(x)).array
            plots.plot_latent(codes, y if dataset.info.task != "autoencoder" else None,
                              path("latent.png"))
            files.append("latent.png")
    elif x.shape[1] == 2 and dataset.info.task in ("binary", "multiclass"):
        plots.plot_decision_boundary(predict, x, y, path("decision_boundary.png"),
                                     title=f"{dataset.info.name}: decision boundary")
        files.append("decision_boundary.png")
    elif x.shape[1] == 1 and dataset.info.task == "regression":
        plots.plot_regression_fit(predict, x, y, path("fit.png"),
                                  title=f"{dataset.info.name}: fit")
        files.append("fit.png")
    return files


def _summary(history, files, out_dir) -> None:
    if history.epochs:
        parts = [f"epochs {history.epochs[-1]}", f"loss {history.train_loss[-1]:.6g}"]
        if history.val_loss:
            parts.append(f"val_loss {history.val_loss[-1]:.6g}")
        parts += [f"{k} {v[-1]:.4g}" for k, v in history.metrics.items()]
        print("Done: " + ", ".join(parts) + f" ({history.wall_time:.2f} s)")
    if history.stop_reason:
        print(history.stop_reason)
    print(f"Outputs in {os.path.abspath(out_dir)}: {', '.join(files)}")

