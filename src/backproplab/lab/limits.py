"""Every limit the lab's server enforces, in one place.

The lab is reachable from a browser, so each size a client can choose is bounded here and
checked by the protocol models before any work is done.
"""

MAX_HIDDEN_LAYERS = 6
"""Most hidden layers a network may have."""

MAX_NEURONS = 32
"""Most neurons in one hidden layer."""

MAX_POINTS = 5_000
"""Most data points (train + test) a session holds, generated, imported or added by hand."""

MAX_COORDINATE = 1e6
"""Largest magnitude of an input or target value, typed in a message or read from a CSV
file: the heatmap's extent and the network's outputs stay finite in float32."""

MAX_CSV_BYTES = 1_000_000
"""Largest CSV file the import accepts."""

MAX_MESSAGE_BYTES = 64 * 1024
"""Largest WebSocket message the server reads; a larger one gets an error reply."""

MAX_TRANSPORT_BYTES = 1024 * 1024
"""Frame size the WebSocket layer accepts at all; above it the connection is closed, between
MAX_MESSAGE_BYTES and this the message is answered with an error."""

MAX_SESSIONS = 32
"""Most sessions (open connections) at once; the least recently used idle one is evicted."""

SESSION_IDLE_SECONDS = 15 * 60
"""A session with no message for this long is closed (its training stopped) by the sweep,
or evicted earlier to make room for a new connection."""

IDLE_SWEEP_SECONDS = 30
"""How often the server looks for sessions idle longer than ``SESSION_IDLE_SECONDS``."""

MAX_FRAMES_PER_SECOND = 40
"""Most frames per second a connection is sent while training."""

HEATMAP_SIZE = 100
"""Width and height of the data-space grid the network is evaluated on."""

HEATMAP_TIME_SHARE = 0.5
"""Most of a lone session's time spent computing its frames' slow part — the data space, the
neuron maps, the predictions of the table page and the selected row's pass: a 6×32 network's
take ~10 ms, so they refresh up to 40 times a second while the frames between carry the status,
weights and history at up to MAX_FRAMES_PER_SECOND."""

WORKER_SLOW_SHARE = 0.15
"""Most of a worker's time spent on the slow parts of the sessions playing on it, when it holds
more than one: each one's waits its cost × sessions / this share. A classroom's 16 XOR
sessions on a worker (~1 ms a slow part) get their maps ~6 times a second each, in frames that
come 10 to 15 times a second (bench_lab_worker.py); a dearer network's come further apart, as
do everyone's when the cores are busy (a slow part then takes longer)."""

WORKER_HEALTH_SHARE = 0.05
"""Most of a worker's time spent on the health checks of all the sessions playing on it: each
session's check waits at least its cost × sessions / this share (and at least
GRADIENT_HEALTH_SECONDS): 16 XOR sessions on a worker (~1 ms a check) get ~3 checks a second
each instead of 4, the frames between carry the norms of the current step."""

NEURON_MAP_SIZE = 20
"""Width and height of each neuron's own map: every 5th cell of the data-space grid (an odd
divisor of HEATMAP_SIZE, so its cells are centred on cells of the large grid)."""

TABLE_PAGE_ROWS = 100
"""Rows on one page of the dataset table. An autoencoder's reconstructions are sent for the
page on show only: 100 rows × 64 digits pixels are 34 KB a frame, all 1,797 rows would be
614 KB, 30 times a second."""

MIN_LR, MAX_LR = 1e-5, 10.0
"""Range of the learning-rate slider (log scale)."""

MAX_L2 = 1.0
MAX_L1 = 1.0
EARLY_STOPPING_PATIENCE = 20
"""Epochs without a lower test loss (training loss when there is no test split) before early
stopping pauses training."""
MAX_NOISE = 2.0
MAX_TEST_FRACTION = 0.8
MAX_BATCH_SIZE = MAX_POINTS
MAX_DESCENT_STEPS = 1_000
"""Most gradient-descent steps one request of the gradient descent mode may take."""
MAX_REPLAY_ENTRIES = 5_000
"""Most entries in a run's replay log (steps of one kind in a row share one entry); past it the
exported script says it no longer reproduces the run."""
MAX_LESSON_STAGES = 8
"""Most stages one lesson may have."""
MAX_LESSON_EPOCHS = 100_000
"""The furthest epoch a lesson stage may tell Play to pause at."""
LESSON_READOUT_SECONDS = 0.25
"""While training, a lesson's readouts are recomputed at most this often (gradient health
runs a backward pass of its own)."""
PLATEAU_EPOCHS = 200
"""Epochs of a flat training loss (under 1 % lower) after which the page says the network is
stuck on a plateau or in a local minimum."""
PLATEAU_POOR_FRACTION = 0.25
"""A flat loss counts as stuck when it is above this fraction of the run's first epoch loss."""
GRADIENT_HEALTH_SECONDS = 0.25
"""While training plays, the gradient panel's health check (a forward and backward pass of its
own) runs at most this often; each frame says the step it describes."""
GRADIENT_HEALTH_ROWS = 64
"""Training rows the gradient panel's health check runs on (``bp.explain``'s traced-batch
limit): evenly spaced over the training set when it has more."""
MAX_MESSAGE_DEPTH = 32
"""Deepest nesting of lists and objects a message may have; deeper ones get an error reply."""
MAX_MESSAGE_ID = 2**53
"""Largest message id (a JavaScript number is an exact integer up to 2⁵³)."""
