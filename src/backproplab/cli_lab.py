"""``backproplab lab``: serve the Backpropagation Laboratory and open it in the browser."""

import os


def add_lab_command(sub) -> None:
    p = sub.add_parser("lab", help="the interactive Backpropagation Laboratory in the browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only); any other "
                        "address gets an access token, printed in the URL")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="a host name the lab answers to besides localhost, 127.0.0.1 and [::1] "
                        "(e.g. the name a reverse proxy passes); repeatable")
    p.add_argument("--frame-ancestors", action="append", default=[], metavar="ORIGIN",
                   help="an origin allowed to embed the lab in a frame, e.g. "
                        "http://localhost:8888; repeatable")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="worker processes that train the sessions (default: one per core, "
                        f"{os.cpu_count()} here); 0 trains them in the server's own process")
    p.add_argument("--compression", choices=("auto", "on", "off"), default="auto",
                   help="compress WebSocket messages (default auto: on when --host is not "
                        "loopback; it costs the server CPU and saves network bandwidth)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(run=run_lab)


def run_lab(args) -> int:
    try:
        from backproplab.lab import serve
    except ImportError as e:
        print(f"the lab needs its extra dependencies ({e.name} is missing): "
              "pip install 'backproplab[lab]'")
        return 1
    try:
        serve(args.host, args.port, open_browser=not args.no_browser,
              allow_hosts=args.allow_host, frame_ancestors=args.frame_ancestors,
              workers=args.workers,
              compression={"auto": None, "on": True, "off": False}[args.compression])
    except ValueError as e:
        print(f"backproplab lab: {e}")
        return 2
    return 0
