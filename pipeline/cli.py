"""The `pipeline` command: one subcommand per stage, `all`, and a few tools that need no run data.

Stages are modules with a `run(config) -> dict` function returning a summary (label -> value) that the CLI
prints as a table. Only the CLI configures logging: a console handler and one log file per run under the
processed folder. Every failure reaches the user as one `error:` line naming what and where, with a non-zero
exit code; the traceback goes to the run's log file only. One run at a time per processed folder
(pipeline.workspace.lock); leftovers of a killed run are cleaned up first (pipeline.workspace.recover).
"""
from __future__ import annotations

import argparse
import errno
import importlib
import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path

from pipeline import __version__, build, progress, workspace
from pipeline import summary as outputs
from pipeline.config import DEFAULT_CONFIG, ConfigError, load_config

log = logging.getLogger("pipeline")

STAGES = {"demo": "pipeline.demo", "fetch": "pipeline.fetch", "ingest": "pipeline.ingest",
          "analyse": "pipeline.analyse", "score": "pipeline.score", "export": "pipeline.export",
          "summary": "pipeline.summary"}
COMMANDS = {"zoek": "pipeline.zoek.commando", "vergelijk": "pipeline.vergelijk.commando"}
CONTRACT_DOC = Path(__file__).resolve().parent.parent / "docs" / "contract.md"


def _setup_logging(processed: Path, stage: str, verbose: bool) -> Path:
    log_dir = processed / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"{datetime.now():%Y%m%d-%H%M%S}-{stage}.log"
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(levelname)-7s %(message)s"))
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setLevel(logging.DEBUG)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.addHandler(console)
    root.addHandler(to_file)
    for noisy in ("pyogrio", "fiona", "rasterio", "urllib3", "matplotlib", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file


def print_summary(stage: str, summary: dict, seconds: float) -> None:
    """A plain two-column table: readable in a terminal and in CI logs."""
    rows = [(str(k), _fmt(v)) for k, v in summary.items()]
    width = max([len(k) for k, _ in rows] + [10])
    print(f"\n== {stage} ({seconds:.1f} s)")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def run_stage(stage: str, config, **options) -> dict:
    module = importlib.import_module(STAGES[stage])
    started = time.perf_counter()
    log.info("stage %s: start (config %s)", stage, config.config_path)
    with progress.logs_above_bars():
        summary = module.run(config, **options) or {}
    seconds = time.perf_counter() - started
    log.info("stage %s: done in %.1f s", stage, seconds)
    if stage in build.STAMPED:
        build.record(stage, config, build.output_files(stage, config))
    print_summary(stage, summary, seconds)
    return summary


def stages_of_all(config, upto: str | None = None) -> list[str]:
    """`all`: the demo when the config has one, downloads when a source has a url, then the analysis chain."""
    has_url = any(source is not None and source.url for _, source in config.sources)
    chain = [*(["demo"] if config.demo is not None else []), *(["fetch"] if has_url else []),
             "ingest", "analyse", "score", "export"]
    return chain[:chain.index(upto) + 1] if upto in chain else chain


def run_all(config, args) -> None:
    """Every stage of `stages_of_all`, skipping the ones that are up to date (pipeline.build)."""
    for stage in stages_of_all(config, args.tot):
        if stage == "demo":
            run_stage(stage, config, force=args.force)
        elif stage in build.STAMPED and not args.force and build.up_to_date(stage, config):
            log.info("stage %s: up to date, skipped", stage)
        else:
            run_stage(stage, config)
    print_summary("summary", outputs.run(config), 0.0)


def describe(exc: BaseException) -> str:
    """One line for a user: what failed and where (an OSError says which file and why)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"no space left on the disk while writing{where}; free space and run again"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"no permission to write{where}; choose a writable folder (paths.processed, paths.maps)"
        if exc.errno == errno.ENOTDIR:
            return f"a path that must be a folder is a file{where}; check paths.processed / paths.maps"
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, (ValueError, FileNotFoundError, ConfigError, workspace.Busy)):
        return str(exc)
    return f"unexpected failure ({type(exc).__name__}: {exc}); this is a bug, please report it with the log"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="stage", required=True)
    p = sub.add_parser("contract", help="write docs/contract.md from the catalogue")
    p.add_argument("--output", default=str(CONTRACT_DOC), help="target file (default %(default)s); - = stdout")
    p = sub.add_parser("config-schema", help="print the JSON schema of a configuration file")
    p.add_argument("--output", default="-", help="target file (default: stdout)")
    p = sub.add_parser("sbi", help="look SBI codes up as the analysis does: matching rows, min-max category, source")
    p.add_argument("codes", nargs="+", metavar="CODE", help="SBI-2008 codes, e.g. 10.11 52.24 4690")
    p.add_argument("--json", action="store_true", help="print a JSON list (sbi_code, cat_min, cat_max, bron, ...)")
    p.add_argument("--config", default=None,
                   help="use this configuration's analyse.milieuruimte.sbi_tabel (default: the built-in table)")
    for stage in [*STAGES, "all"]:
        helptext = {"all": "run every stage that is not up to date", "summary": "print what the last run produced",
                    "fetch": "download the sources with a url"}.get(stage, f"run the {stage} stage")
        p = sub.add_parser(stage, help=helptext)
        p.add_argument("--config", default=str(DEFAULT_CONFIG), help="YAML configuration (default %(default)s)")
        p.add_argument("-v", "--verbose", action="store_true", help="debug output on the console")
        if stage in ("demo", "all"):
            p.add_argument("--scale", type=float, default=None,
                           help="demo size; 1.0 = province (650 terreinen). Overrides demo.scale")
        if stage in ("demo", "all", "fetch"):
            p.add_argument("--force", action="store_true",
                           help="redo even what is up to date (demo: regenerate; fetch: download again; all: every stage)")
        if stage == "fetch":
            p.add_argument("bronnen", nargs="*", metavar="SOURCE", help="only these sources (default: all with a url)")
        if stage == "all":
            p.add_argument("--tot", choices=["demo", "fetch", "ingest", "analyse", "score", "export"], default=None,
                           help="stop after this stage")
    for command in COMMANDS.values():  # questions asked of a finished run (not stages)
        importlib.import_module(command).add_parser(sub)
    add_toets_parser(sub)
    return parser


def add_toets_parser(sub) -> None:
    p = sub.add_parser("toets", help="transformatie-toets: what turning (part of) a terrein into e.g. housing costs and "
                                     "where the replacement space is (reads a complete run)")
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="YAML configuration (default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug output on the console")
    p.add_argument("--terrein", required=True, metavar="RIN", help="rin_nummer of the terrein")
    p.add_argument("--kavels", default=None, metavar="ID,...",
                   help="only these kavels (kavel_id, comma separated) change function; default: the whole terrein")
    p.add_argument("--woningen", action="store_true",
                   help="the transformed area becomes housing: recompute cat_afstand of the kavels within the largest "
                        "richtafstand (1,500 m) and report the milieuruimte the dwellings cost")


def run_toets(config, args) -> None:
    from pipeline import toets
    started = time.perf_counter()
    kavels = [k.strip() for k in args.kavels.split(",") if k.strip()] if args.kavels else None
    summary = toets.run(config, terrein=args.terrein.strip(), kavels=kavels, woningen=args.woningen)
    print_summary("toets", summary, time.perf_counter() - started)


def write_text(text: str, output: str) -> None:
    if output == "-":
        print(text)
        return
    from pipeline.io import atomic_path
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sbi_command(args) -> int:
    """`pipeline sbi CODE...`: what the analysis uses for each code, without any run data."""
    from pipeline.analyse.sbi import beschrijf, sbi_tabellen
    from pipeline.config import Milieuruimte
    try:
        settings = load_config(args.config).analyse.milieuruimte if args.config else Milieuruimte()
        result = beschrijf(args.codes, sbi_tabellen(settings))
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for item in result:
        if item["groep"] is None:
            print(f"{item['sbi_code']}: niet in de SBI-tabel (categorie onbekend)\n")
            continue
        span = item["cat_min"] if item["cat_min"] == item["cat_max"] else f"{item['cat_min']} – {item['cat_max']}"
        status = "bevestigd" if item["bevestigd"] else "onbevestigd"
        tabel = {"ingebouwd": "ingebouwde", "gemeentelijk": "gemeentelijke"}.get(item["tabel"], item["tabel"])
        print(f"{item['sbi_code']}: categorie {span} ({status}), groep {item['groep']} in de {tabel} tabel "
              f"({item['tabel_pad']})")
        for row in item["rijen"]:
            cat = row["cat_min"] if row["cat_min"] == row["cat_max"] else f"{row['cat_min']}-{row['cat_max']}"
            print(f"  rij {row['rij']:>4}  {row['sbi']:<14} {cat:<8} {row['omschrijving']}")
            print(f"            bron: {row['bron']}")
        print()
    return 0


def run_tool(args) -> int:
    if args.stage == "contract":
        from pipeline.catalogue.contract import render_contract
        write_text(render_contract(), args.output)
    else:
        from pipeline.config import config_schema
        write_text(json.dumps(config_schema(), ensure_ascii=False, indent=1), args.output)
    return 0


def _prepare(config, args) -> Path:
    """Folders checked and logging set up; returns the log file (an OSError here is an environment fault)."""
    for name in ("processed", "maps"):
        folder = Path(getattr(config.paths, name))
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, f"paths.{name} is a file, not a folder", str(folder))
    return _setup_logging(Path(config.paths.processed), args.stage, args.verbose)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.stage in ("contract", "config-schema"):
        return run_tool(args)
    if args.stage == "sbi":
        return sbi_command(args)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "scale", None) is not None:
        if config.demo is None:
            print(f"error: --scale given but {args.config} has no 'demo' section", file=sys.stderr)
            return 2
        config.demo.scale = args.scale
    if args.stage == "summary":  # reads only: a `make all` with nothing to do leaves no log file behind
        print_summary("summary", outputs.run(config), 0.0)
        return 0
    try:
        log_file = _prepare(config, args)
    except OSError as exc:
        print(f"error: {describe(exc)}", file=sys.stderr)
        return 1
    try:
        with workspace.lock(config.paths.processed):
            workspace.recover([config.paths.processed, config.paths.maps])
            if args.stage == "all":
                run_all(config, args)
            elif args.stage == "demo" and config.demo is None:
                log.info("%s has no demo section: no demo region to build", args.config)
            elif args.stage in COMMANDS:
                started = time.perf_counter()
                summary = importlib.import_module(COMMANDS[args.stage]).run(config, args)
                print_summary(args.stage, summary, time.perf_counter() - started)
            elif args.stage == "toets":
                run_toets(config, args)
            elif args.stage == "fetch":
                run_stage("fetch", config, force=args.force, only=args.bronnen or None)
            else:
                run_stage(args.stage, config, **({"force": args.force} if args.stage == "demo" else {}))
    except KeyboardInterrupt:
        print(f"\nerror: interrupted; the previous outputs are intact\n(log: {log_file})", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line; the traceback goes to the log
        log.debug("failure: %s", describe(exc), exc_info=True)
        print(f"\nerror: {describe(exc)}\n(log: {log_file})", file=sys.stderr)
        return 3 if isinstance(exc, workspace.Busy) else 1
    print(f"\nlog: {log_file}")
    return 0
