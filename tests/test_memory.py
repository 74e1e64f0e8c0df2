"""pipeline.memory: allocator settings made on import, and memory given back after a big block (Linux/glibc).

Each case runs in a fresh interpreter: the settings only take effect before pyarrow is imported and before threads
allocate."""
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator settings: Linux only")

THREADS_ALLOCATING = textwrap.dedent("""
    import ctypes, threading
    {imports}
    import numpy as np
    barrier = threading.Barrier(8)
    def work():
        barrier.wait()  # all eight threads allocate at the same time
        for _ in range(200):
            np.ones(1000).sum()
    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena n:" block per arena, on stderr
""")


# the environment without the two settings a user may have made in their shell
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "MALLOC_ARENA_MAX")}


def _run(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**CLEAN_ENV, **(env or {})})


def _arenas(imports: str, env: dict | None = None) -> int:
    return _run(THREADS_ALLOCATING.format(imports=imports), env).stderr.count("Arena ")


def test_importing_the_pipeline_limits_glibc_to_two_arenas():
    assert _arenas("") > 2  # without the setting, eight allocating threads get arenas of their own
    assert _arenas("import pipeline") <= 2


def test_a_users_own_settings_are_kept():
    backend = "import pipeline, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    assert _run(backend).stdout.strip() == "system"
    assert _run(backend, {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}).stdout.strip() == "mimalloc"
    assert _arenas("import pipeline", {"MALLOC_ARENA_MAX": "8"}) > 2


@pytest.mark.parametrize("collect", [True, False])
def test_release_gives_freed_heap_memory_back(collect):
    """With or without the garbage collector (collect=False: the blocks of a stage, freed by their names going)."""
    code = textwrap.dedent(f"""
        import numpy as np
        from pipeline import memory
        def rss():
            return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024
        blocks = [np.ones(12_000) for _ in range(6_000)]  # 96 KB each: from the heap, not mmap'ed one by one
        held = blocks[-1]  # the last one keeps the top of the heap: free() alone cannot shrink it
        del blocks
        before = rss()
        memory.release(collect={collect})
        print(before, rss())
    """)
    before, after = map(int, _run(code).stdout.split())
    assert before > 450  # ~580 MB were touched and freed
    assert after < before - 400


def test_bench_counts_the_memory_of_helper_processes(tmp_path):
    """benchmarks/schalen.run_child: a stage that forks a helper (export.processen) holds the memory of both
    processes, which the child's ru_maxrss (the largest single process) does not show. Here each of the two
    processes fills 300 MB of its own, so together they hold about 600 MB. run_child runs in a fresh interpreter:
    Linux carries the RSS of a process that forks and execs into the child's ru_maxrss, and pytest's is large."""
    import json
    from pathlib import Path
    stage = textwrap.dedent("""
        import os, time
        pid = os.fork()
        block = bytes([1]) * (300 << 20)  # every page written
        time.sleep(1.5)
        os._exit(0) if pid == 0 else os.waitpid(pid, 0)
    """)
    measure = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1] / "benchmarks")!r})
        import schalen
        print(json.dumps(schalen.run_child([sys.executable, "-c", {stage!r}], Path({str(tmp_path / "child.log")!r}))))
    """)
    result = json.loads(_run(measure).stdout)
    assert result["exit"] == 0
    assert 300 <= result["peak_rss_largest_process_mb"] < 450  # what ru_maxrss alone reports
    assert result["peak_pss_tree_mb"] >= 580 and result["peak_rss_mb"] == result["peak_pss_tree_mb"]


COLLECTIONS_WHILE_DECODING = textwrap.dedent("""
    import contextlib, gc
    from pipeline import memory
    import numpy as np, shapely
    wkb = shapely.to_wkb(shapely.points(np.arange(300_000.0), np.arange(300_000.0)))
    runs = []
    gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else None)
    with {block}:
        geoms = shapely.from_wkb(wkb)  # one tracked Python object per geometry
    print(len(runs), gc.get_threshold()[0])
""")


def test_the_ingest_spaces_out_the_garbage_collections():
    runs, after = map(int, _run(COLLECTIONS_WHILE_DECODING.format(block="contextlib.nullcontext()")).stdout.split())
    assert runs > 400 and after == 700  # Python's default: a young collection every 700 new objects
    runs, after = map(int, _run(COLLECTIONS_WHILE_DECODING.format(block="memory.fewer_collections()")).stdout.split())
    assert runs <= 31 and after == 700  # every 10,000; the default is back after the block
