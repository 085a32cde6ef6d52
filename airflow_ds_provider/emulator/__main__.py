"""Command line: ``python -m airflow_ds_provider.emulator`` / ``oci-ds-emulator``.

Starts the emulator, optionally creates and registers an API key and prints (or writes) a ready
Airflow connection pointing at it, then prints ``oci-ds-emulator listening on <url>`` (and
writes ``--ready-file``) once it accepts connections.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from airflow_ds_provider.emulator.core import Emulator


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(prog="oci-ds-emulator", description="Local OCI Data Science emulator")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090; 0 picks a free one)")
    parser.add_argument("--speed", type=float, default=1.0, help="divide lifecycle durations by this factor")
    parser.add_argument("--region", default="us-ashburn-1", help="region identifier for OCIDs")
    parser.add_argument(
        "--log-ingestion-delay", type=float, default=0.0, help="seconds before log lines are searchable"
    )
    parser.add_argument("--generate-key", action="store_true", help="create and register an API key identity")
    parser.add_argument("--compartment-id", help="compartment OCID for the generated connection")
    parser.add_argument(
        "--conn-id", default="oci_data_science_default", help="Airflow connection id to print"
    )
    parser.add_argument("--connection-format", choices=("json", "uri"), default="json")
    parser.add_argument(
        "--connection-file", type=Path, help="write the connection value here instead of printing"
    )
    parser.add_argument(
        "--private-key-file", type=Path, help="with --generate-key: also write the private key here"
    )
    parser.add_argument("--public-key-file", type=Path, help="a PEM public key to register (needs --key-id)")
    parser.add_argument("--key-id", help="keyId of --public-key-file: <tenancy>/<user>/<fingerprint>")
    parser.add_argument(
        "--session-token-file", type=Path, help="a session token to register (needs --public-key-file)"
    )
    parser.add_argument("--ready-file", type=Path, help="write the URL here once listening")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    return parser


def _register(emu: Emulator, args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.public_key_file is None:
        if args.key_id or args.session_token_file:
            parser.error("--key-id and --session-token-file need --public-key-file")
        return
    pem = args.public_key_file.read_text()
    if args.session_token_file is not None:
        emu.register_session_token(args.session_token_file.read_text().strip(), pem)
    if args.key_id:
        emu.register_key(args.key_id, pem)
    if not args.key_id and args.session_token_file is None:
        parser.error("--public-key-file needs --key-id or --session-token-file")


def _emit_connection(emu: Emulator, args: argparse.Namespace) -> None:
    ident = emu.create_identity()
    kw = {"compartment_id": args.compartment_id} if args.compartment_id else {}
    if args.connection_format == "uri":
        value = emu.airflow_connection_uri(ident, **kw)
    else:
        value = emu.airflow_connection_json(ident, **kw)
    if args.private_key_file is not None:
        args.private_key_file.write_text(ident.private_key_pem)
        os.chmod(args.private_key_file, 0o600)
    if args.connection_file is not None:
        args.connection_file.write_text(value)
        os.chmod(args.connection_file, 0o600)
        print(f"connection written to {args.connection_file}", flush=True)
    else:
        print(f"AIRFLOW_CONN_{args.conn_id.upper()}='{value}'", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until SIGINT/SIGTERM."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(message)s",
        stream=sys.stderr,
    )
    emu = Emulator(
        speed=args.speed,
        host=args.host,
        port=args.port,
        region=args.region,
        log_ingestion_delay=args.log_ingestion_delay,
    )
    _register(emu, args, parser)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emu.start()
    try:
        if args.generate_key:
            _emit_connection(emu, args)
        if args.ready_file is not None:
            tmp = args.ready_file.with_suffix(args.ready_file.suffix + ".tmp")
            tmp.write_text(emu.url + "\n")
            tmp.replace(args.ready_file)
        print(f"oci-ds-emulator listening on {emu.url}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
