"""One handler per message type: each acts on the session and returns the reply's data.

Handlers run in a worker thread (``asyncio.to_thread``), never on the event loop. A
``ValueError`` / ``TypeError`` they raise is the user's mistake and becomes an error reply
with its message; the server itself never stops on a message.
"""

import numpy
from pydantic import ValidationError

from backproplab.lab import protocol
from backproplab.lab.config import describe_validation_error, from_query, to_query
from backproplab.lab.descent import descent_path
from backproplab.lab.exports import export
from backproplab.lab.frames import status
from backproplab.lab.lessons import engine as lessons


def _configure(msg: protocol.Configure, session, player) -> dict:
    if (msg.changes is None) == (msg.query is None):
        raise ValueError("configure takes either 'changes' or 'query'")
    if msg.query is not None:
        config = from_query(msg.query)
    else:
        try:
            config = session.config.updated(msg.changes)
        except ValidationError as e:
            raise ValueError(describe_validation_error(e)) from None
    was_playing = session.playing
    outcome = session.configure(config)
    if was_playing and not session.playing:
        player.pause()
    return {"outcome": outcome, "config": session.config.model_dump(),
            "query": to_query(session.config)}


def _network_mode(session, action: str) -> None:
    """Play and Step train the network; the gradient descent mode has its own Run."""
    if session.config.mode == "descent":
        raise ValueError(f"{action} trains the network, which waits in the gradient descent "
                         "mode; use the descent panel's Run, or switch back to Network")


def _play(msg, session, player) -> dict:
    _network_mode(session, "Play")
    player.play()
    return {"status": status(session)}


def _pause(msg, session, player) -> dict:
    player.pause()
    return {"status": status(session)}


def _step(msg: protocol.Step, session, player) -> dict:
    _network_mode(session, "Step")
    player.pause()
    taken = session.step(msg.unit)
    return {"steps": taken, "status": status(session)}


def _reset(msg, session, player) -> dict:
    player.pause()
    session.reset()
    return {"status": status(session)}


def _reinit(msg, session, player) -> dict:
    player.pause()
    seed = session.reinitialise()
    return {"seed": seed, "query": to_query(session.config), "status": status(session)}


def _select(msg: protocol.Select, session, player) -> dict:
    session.select(msg.index)
    return {"index": msg.index}


def _set_weight(msg: protocol.SetWeight, session, player) -> dict:
    session.set_weight(msg.layer, msg.row, msg.col, msg.value)
    return {}


def _predict(msg: protocol.Predict, session, player) -> dict:
    return session.predict(msg.x)


def _add_row(msg: protocol.AddRow, session, player) -> dict:
    return {"index": session.add_row(msg.x, msg.y, msg.test)}


def _set_row(msg: protocol.SetRow, session, player) -> dict:
    session.set_row(msg.index, msg.x, msg.y)
    return {"index": msg.index}


def _delete_row(msg: protocol.DeleteRow, session, player) -> dict:
    session.delete_row(msg.index)
    return {}


def _table_page(msg: protocol.TablePage, session, player) -> dict:
    session.show_page(msg.page)
    return {"page": msg.page}


def _trace(msg: protocol.Trace, session, player) -> dict:
    return {"trace": session.trace(msg.index)}


def _export(msg: protocol.Export, session, player) -> dict:
    return export(session, msg.what)


def _descend(msg: protocol.Descend, session, player) -> dict:
    return descent_path(msg.function, msg.start, msg.lr, msg.steps, msg.optimizer)


def _lesson(msg: protocol.OpenLesson, session, player) -> dict:
    player.pause()
    if msg.lesson is None:
        lessons.close(session)
        return {"lesson": None}
    run = lessons.open_stage(session, msg.lesson, msg.stage)
    return {"lesson": run.frame(session), "config": session.config.model_dump(),
            "query": to_query(session.config)}


def _restore_best(msg, session, player) -> dict:
    player.pause()
    return {"epoch": session.restore_best(), "status": status(session)}


def _ping(msg, session, player) -> dict:
    return {}


HANDLERS = {
    "configure": _configure, "play": _play, "pause": _pause, "step": _step, "reset": _reset,
    "reinit": _reinit, "select": _select, "set_weight": _set_weight, "predict": _predict,
    "add_row": _add_row, "set_row": _set_row, "delete_row": _delete_row,
    "table_page": _table_page, "trace": _trace, "export": _export, "descend": _descend,
    "ping": _ping, "restore_best": _restore_best, "lesson": _lesson,
}


def handle(raw: str | bytes, session, player) -> dict:
    """The one reply to ``raw``: ``reply`` with the handler's data, or ``error_reply``."""
    session.touch()
    try:
        msg = protocol.parse_message(raw)
    except protocol.ProtocolError as e:
        return protocol.error_reply(e.id, str(e))
    return dispatch(msg, session, player)


def dispatch(msg, session, player) -> dict:
    """The reply to a parsed message ``msg``: its handler's data, or an error reply.

    Float overflow is no error here (hand-set weights of 1000 overflow float32): the reply's
    encoder sends such numbers as null with a note."""
    try:
        with numpy.errstate(over="ignore", invalid="ignore"):
            data = HANDLERS[msg.type](msg, session, player)
        return protocol.reply(msg.id, **data)
    except (ValueError, TypeError, KeyError) as e:
        return protocol.error_reply(msg.id, str(e).strip("'\""))
    except Exception as e:  # a bug must not take the connection down; say what happened
        return protocol.error_reply(msg.id, f"internal error ({type(e).__name__}): {e}")
