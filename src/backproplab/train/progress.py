"""Progress display for ``fit``: a rich progress bar on a terminal, lines or silence elsewhere.

verbose=0 prints nothing; verbose=1 shows a live bar (epoch, loss, metrics, ETA) only when
standard output is a terminal, so logs and CI output stay clean; verbose=2 prints one line
per epoch wherever it runs.
"""

import sys


def _format(logs: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in logs.items())


class _Silent:
    def start(self, epochs: int, steps: int) -> None:
        pass

    def step(self, loss: float) -> None:
        pass

    def epoch_end(self, epoch: int, logs: dict) -> None:
        pass

    def close(self) -> None:
        pass


class _Lines(_Silent):
    def __init__(self, stream):
        self.stream = stream
        self.epochs = 0

    def start(self, epochs: int, steps: int) -> None:
        self.epochs = epochs

    def epoch_end(self, epoch: int, logs: dict) -> None:
        print(f"epoch {epoch}/{self.epochs}  {_format(logs)}", file=self.stream, flush=True)


class _RichBar(_Silent):
    def __init__(self, stream):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
            BarColumn(),
            TextColumn("{task.fields[logs]}"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self.task = None
        self._loss_sum = 0.0
        self._count = 0

    def start(self, epochs: int, steps: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("fit", total=epochs * steps, epoch=1, epochs=epochs,
                                           logs="")

    def step(self, loss: float) -> None:
        self._loss_sum += loss
        self._count += 1
        self.progress.update(self.task, advance=1,
                             logs=f"loss {self._loss_sum / self._count:.4g}")

    def epoch_end(self, epoch: int, logs: dict) -> None:
        self._loss_sum = 0.0
        self._count = 0
        self.progress.update(self.task, epoch=epoch, logs=_format(logs))

    def close(self) -> None:
        self.progress.stop()


def make_reporter(verbose: int, stream=None):
    stream = sys.stdout if stream is None else stream
    if verbose <= 0:
        return _Silent()
    if verbose >= 2:
        return _Lines(stream)
    if not stream.isatty():
        return _Silent()
    try:
        return _RichBar(stream)
    except ImportError:
        return _Lines(stream)
