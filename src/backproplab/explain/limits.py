"""The explanations' size limits, in one place: a trace is for reading, so past these sizes
it would be a wall of numbers nobody reads (and a message the lab should not send)."""

MAX_BATCH = 64  # samples in one traced step
MAX_TRACED_PARAMETERS = 20_000  # parameter elements written out in a StepTrace
MAX_PATHS = 4096  # paths through hidden layers that weight_path writes out
MAX_GRADCHECK_ELEMENTS = 5_000  # parameter elements checked by finite differences
MAX_GRAPH_NODES = 2_000  # nodes in an exported computation graph
SMALL_VALUE_SIZE = 16  # tensors up to this many elements show every value in graph summaries
