"""``backproplab lab``: serve the Backpropagation Laboratory and open it in the browser."""


def add_lab_command(sub) -> None:
    p = sub.add_parser("lab", help="the interactive Backpropagation Laboratory in the browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(run=run_lab)


def run_lab(args) -> int:
    try:
        from backproplab.lab import serve
    except ImportError as e:
        print(f"the lab needs its extra dependencies ({e.name} is missing): "
              "pip install 'backproplab[lab]'")
        return 1
    serve(args.host, args.port, open_browser=not args.no_browser)
    return 0
