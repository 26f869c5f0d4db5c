"""Early stopping in a lab session: ``bp.train.EarlyStopping`` watches every epoch's test loss
(the training loss when there is no test split), marks the best epoch and keeps its weights;
with the config's ``early_stopping`` on it pauses training once the loss has not improved for
``limits.EARLY_STOPPING_PATIENCE`` epochs, and ``restore_best`` goes back to that epoch.

``EarlyStop`` is one part of :class:`~backproplab.lab.session.Session`, working under its lock.
"""

from backproplab import train
from backproplab.lab import limits


class EarlyStop:
    def _start_early_stopping(self) -> None:
        """A fresh watcher from the current epoch on (a new run, or the toggle switched on)."""
        self.early = train.EarlyStopping("val_loss", patience=limits.EARLY_STOPPING_PATIENCE,
                                         restore_best_weights=True)
        self.early.on_train_begin(self.state)

    def _check_early_stopping(self, train_loss: float, test_loss: float | None) -> None:
        if not self.config.early_stopping:
            return
        logs = {"loss": train_loss} if test_loss is None else {"loss": train_loss,
                                                               "val_loss": test_loss}
        self.early.on_epoch_end(self.state, logs)
        if self.state.stop:  # the library logged the event; the lab pauses and keeps both
            self.state.stop = False  # the current and the best weights, for the user to pick
            self.playing = False
            event = self.history.events[-1]
            event.message = (event.message.replace("; restored the best weights", "")
                             + ": paused; Restore best goes back to that epoch")
            self.version += 1

    def best_epoch(self) -> int | None:
        """The epoch with the lowest watched loss so far, while early stopping is on."""
        return self.early.best_epoch if self.config.early_stopping else None

    def restore_best(self) -> int:
        """The best epoch's weights back (``EarlyStopping.on_train_end``); returns that epoch.
        The optimizer keeps its state; the replay log records the weights loaded."""
        with self.lock:
            epoch = self.best_epoch()
            if epoch is None:
                raise ValueError("there is no best epoch to go back to: switch early stopping "
                                 "on and train for an epoch first")
            self.playing = False
            self.early.on_train_end(self.state)
            self._record("restore", best_epoch=epoch,
                         state={k: v.array.tolist() for k, v in
                                self.network.model.state_dict().items()})
            self._event("restore", f"weights of epoch {epoch} restored (best test loss "
                                   f"{self.early.best:.4g})")
            self._weights_changed()
            return epoch
