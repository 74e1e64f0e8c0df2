"""The command line of `pipeline vergelijk`: `pipeline vergelijk --config C RUN_A RUN_B` (two processed folders,
the earlier first); the outputs go to C's paths.processed and paths.maps."""
from __future__ import annotations


def add_parser(sub) -> None:
    from pipeline.config import DEFAULT_CONFIG
    p = sub.add_parser("vergelijk", help="what changed between two runs (two processed folders, the earlier first): "
                                         "HMC, quays, issuable ha, flag, type, terreinen gone or shrunk")
    p.add_argument("--config", default=str(DEFAULT_CONFIG),
                   help="YAML configuration: its hmc_vanaf and vergelijk settings, and where the outputs go "
                        "(default %(default)s)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug output on the console")
    p.add_argument("run_a", metavar="RUN_A", help="processed folder of the earlier run (e.g. a previous peildatum)")
    p.add_argument("run_b", metavar="RUN_B", help="processed folder of the later run (e.g. data/processed)")


def run(config, args) -> dict:
    from pipeline.vergelijk import uitvoer, vergelijk
    result = vergelijk(config, args.run_a, args.run_b)
    return uitvoer.summary(result, uitvoer.write(config, result))
