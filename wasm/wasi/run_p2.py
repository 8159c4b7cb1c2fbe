"""Runs the WASI preview 2 build of the command (a component) under Wasmtime's Python
package (requirements.txt), passing on the arguments and the AWS_* environment variables:

    python3 wasm/wasi/run_p2.py get s3://BUCKET/KEY --region R --date DATE ...

Exits with the command's status.
"""

import os
import sys
from pathlib import Path

from wasmtime import Engine, ExitTrap, Store, WasiConfig
from wasmtime.component import Component, Linker

COMPONENT = Path(__file__).parent / "target/wasm32-wasip2/release/s3presign-wasi.wasm"


def main() -> int:
    engine = Engine()
    store = Store(engine)
    wasi = WasiConfig()
    wasi.argv = ["s3presign-wasi", *sys.argv[1:]]
    wasi.env = [(k, v) for k, v in os.environ.items() if k.startswith("AWS_")]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    linker = Linker(engine)
    linker.add_wasip2()
    component = Component.from_file(engine, str(COMPONENT))
    instance = linker.instantiate(store, component)
    # A command component exports wasi:cli/run@0.2.x with one function, run.
    versions = (f"wasi:cli/run@0.2.{minor}" for minor in range(20))
    interface = next(filter(None, (component.get_export_index(v) for v in versions)), None)
    if interface is None:
        print("the component exports no wasi:cli/run interface", file=sys.stderr)
        return 2
    run = instance.get_func(store, component.get_export_index("run", interface))
    try:
        result = run(store)
    except ExitTrap as e:
        return e.code
    return 0 if getattr(result, "tag", "ok") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
