"""Nothing important is lost silently: the checks that stop ingest, unless the configuration accepts the loss.

Why: a source that reads without error can still be useless to the analyses: every kademuur dropped for its
geometry type, parcels read as label points, an empty vestigingen layer (every kavel then looks vacant and
every quay 'vrij'), a field the analyses read that is empty in every row. Each of these stops the run with
one error listing every problem, naming the source, the feature kind or field, and the setting that accepts
it (sources.<name>.accepteer_geen_rijen, accepteer_verlies, accepteer_leeg). Deliberate selections
(historic versions, other BGT types, older IBIS years) are no loss: the share lost is counted over what is
left after them.
"""
from __future__ import annotations

import pandas as pd

from pipeline.config import Config
from pipeline.ingest.errors import IngestError
from pipeline.ingest.quality import Report, Tally


def filled(values: pd.Series, field: str, src, *, empty_value: str | None = None) -> None:
    """Note an analysis field that is empty (or only `empty_value`) in every row of a source; `verify` stops on it."""
    present = values.notna() if empty_value is None else values.notna() & (values != empty_value)
    if len(values) and not present.any():
        src.tally.empty_fields.append(field)


def _loss(counts, read: int) -> tuple[int, int, list[str]]:
    """(rows lost, rows left after deliberate selections, reasons of the losses) from (reason, loss) -> rows."""
    lost = sum(n for (_, loss), n in counts.items() if loss)
    selected = sum(n for (_, loss), n in counts.items() if not loss)
    reasons = [f"{n}x {r}" for (r, loss), n in counts.items() if loss]
    return lost, read - selected, reasons


def problems(tally: Tally, config: Config) -> list[str]:
    """What is wrong with one source's result, as Dutch/English lines naming source, kind and setting."""
    source = getattr(config.sources, tally.source, None)
    if source is None:
        return []
    name, limit = tally.source, config.ingest.max_verlies_aandeel
    out = []
    if tally.kept == 0 and tally.read > 0 and not source.accepteer_geen_rijen:
        out.append(f"source {name!r} ({tally.path}): 0 rows left of {tally.read} read ({tally.reason()}); "
                   f"accept with sources.{name}.accepteer_geen_rijen: true")
    groups = {"(alle)": {(r, r in tally.lost): n for r, n in tally.dropped.items()}}
    read = {"(alle)": tally.read}
    for kind, c in tally.per_kind.items():
        groups[kind] = {k: n for k, n in c.items() if isinstance(k, tuple)}
        read[kind] = c["gelezen"]
    accepted = set(source.accepteer_verlies)
    for kind, counts in groups.items():
        lost, base, reasons = _loss(counts, read[kind])
        if lost and base > 0 and lost / base > limit and "*" not in accepted and kind not in accepted:
            label = "all features" if kind == "(alle)" else f"feature kind {kind!r}"
            out.append(f"source {name!r}, {label}: {lost} of {base} lost ({lost / base:.0%} > "
                       f"ingest.max_verlies_aandeel {limit:.0%}): {'; '.join(reasons)}; accept with "
                       f"sources.{name}.accepteer_verlies: [{kind if kind != '(alle)' else '*'}]")
    for field in tally.empty_fields:
        if field not in source.accepteer_leeg:
            out.append(f"source {name!r}: field {field!r} is empty in every row ({tally.kept} rows), so the analyses "
                       f"that read it would say nothing; accept with sources.{name}.accepteer_leeg: [{field}]")
    return out


def verify(report: Report, config: Config) -> None:
    """Raise one IngestError listing every problem of every source (see the module docstring)."""
    found = [p for t in report.tallies for p in problems(t, config)]
    if found:
        raise IngestError(f"{len(found)} source problem(s), nothing written:\n  - " + "\n  - ".join(found))


def summary_warnings(report: Report) -> dict[str, str]:
    """Summary lines for values that could not be read and were emptied (per source and field)."""
    out = {}
    for t in report.tallies:
        for field, (n, examples, problem) in t.invalid.items():
            out[f"let op: {t.source}.{field}"] = (f"{n} waarde(n) onleesbaar, leeg gemaakt "
                                                 f"({problem}; bv. {', '.join(map(repr, examples))})")
    return out
