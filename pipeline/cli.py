"""The `pipeline` command: one subcommand per stage, plus `all`.

Stages are modules with a `run(config) -> dict` function returning a summary (label -> value) that
the CLI prints as a table. Only the CLI configures logging: a console handler and one log file per
run under the processed folder.
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path

from pipeline import __version__
from pipeline import summary as outputs
from pipeline.config import DEFAULT_CONFIG, ConfigError, load_config

log = logging.getLogger("pipeline")

# stage name -> module
STAGES = {
    "demo": "pipeline.demo",
    "fetch": "pipeline.fetch",
    "ingest": "pipeline.ingest",
    "analyse": "pipeline.analyse",
    "score": "pipeline.score",
    "export": "pipeline.export",
    "summary": "pipeline.summary",
}


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
    summary = module.run(config, **options) or {}
    seconds = time.perf_counter() - started
    log.info("stage %s: done in %.1f s", stage, seconds)
    print_summary(stage, summary, seconds)
    return summary


def stages_of_all(config) -> list[str]:
    """`all`: the demo when the config has one, downloads when a source has a url, then the analysis chain."""
    has_url = any(source is not None and source.url for _, source in config.sources)
    return [*(["demo"] if config.demo is not None else []), *(["fetch"] if has_url else []),
            "ingest", "analyse", "score", "export"]


CONTRACT_DOC = Path(__file__).resolve().parent.parent / "docs" / "contract.md"


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
        helptext = {"all": "run every stage", "summary": "print what the last run produced"}.get(
            stage, f"run the {stage} stage")
        p = sub.add_parser(stage, help=helptext)
        p.add_argument("--config", default=str(DEFAULT_CONFIG), help="YAML configuration (default %(default)s)")
        p.add_argument("-v", "--verbose", action="store_true", help="debug output on the console")
        if stage in ("demo", "all"):
            p.add_argument("--scale", type=float, default=None,
                           help="demo size; 1.0 = province (650 terreinen). Overrides demo.scale")
            p.add_argument("--force", action="store_true", help="regenerate the demo even if it is up to date")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.stage == "contract":
        from pipeline.catalogue.contract import render_contract
        write_text(render_contract(), args.output)
        return 0
    if args.stage == "config-schema":
        from pipeline.config import config_schema
        write_text(json.dumps(config_schema(), ensure_ascii=False, indent=1), args.output)
        return 0
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
    log_file = _setup_logging(config.paths.processed, args.stage, args.verbose)
    demo_options = {"force": args.force} if args.stage in ("demo", "all") else {}
    try:
        if args.stage == "all":
            for stage in stages_of_all(config):
                run_stage(stage, config, **(demo_options if stage == "demo" else {}))
            run_stage("summary", config)
        elif args.stage == "demo" and config.demo is None:
            log.info("%s has no demo section: no demo region to build", args.config)
        else:
            run_stage(args.stage, config, **demo_options)
    except (ValueError, FileNotFoundError, ConfigError) as exc:
        log.debug("failure", exc_info=True)
        log.error("%s", exc)
        print(f"\nerror: {exc}\n(log: {log_file})", file=sys.stderr)
        return 1
    print(f"\nlog: {log_file}")
    return 0
