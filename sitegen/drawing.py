"""Graphviz itself: DOT in, SVG out, by its `dot` program or, for many graphs, its library.

Starting `dot` costs about 10 ms a graph, ten times what the drawing takes, so a build with
many diagrams to draw lays them out with Graphviz's C library (through ctypes) in worker
processes instead (diagrams.py decides). Both ways give the same bytes (tests/test_drawing.py checks), with one
fix-up: Graphviz orders a graph's clusters by the memory addresses of their names, which
depend on what the process did before, so the clusters are put back in the order the DOT
source declares them (they are separate, flat groups in the SVG; only their order moves).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from .errors import MissingTool


def check_graphviz() -> None:
    if shutil.which("dot") is None:
        raise MissingTool("Graphviz's `dot` is not installed (Debian package: graphviz)")


def draw_all(sources: list[str], jobs: int) -> list[bytes]:
    """Every DOT source drawn as SVG by the `dot` program, in order; up to `jobs` at once."""
    # `dot` is a separate process, so threads run as many drawings at once as there are cores.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(draw_with_program, sources))


@lru_cache(maxsize=1)
def library_available() -> bool:
    """Whether Graphviz's library is installed and is the same version as `dot`: both ways
    must draw alike, or an edited topic's diagrams would differ from a new build's."""
    if not _library_path():
        return False
    try:
        library = _library().version()
        program = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr
    except (OSError, AttributeError):
        return False
    return f"version {library} " in program


def draw_with_program(dot: str) -> bytes:
    """One graph drawn by a `dot` process of its own."""
    result = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), capture_output=True,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.decode(errors='replace')}")
    return in_declared_order(result.stdout, dot)


def draw_with_library(dot: str) -> bytes:
    """One graph drawn by Graphviz's library, loaded once per process."""
    return in_declared_order(_library().draw(dot.encode("utf-8")), dot)


PREVIEW_SIZE = (1200, 630)
"""Pixels of a link-preview image: what Open Graph and X (Twitter) show in a large card."""
PREVIEW_MARGIN = 48
"""Pixels kept free around the drawing on a preview."""
PREVIEW_MOST_ZOOM = 4.0
"""A small drawing is enlarged at most this much: further, its text would shout."""


def draw_preview(dot: str, width_pt: float, height_pt: float) -> bytes:
    """The graph drawn as a PNG of PREVIEW_SIZE on white, as large as fits within the margin
    and centred. width_pt, height_pt: the drawing's size at its natural scale (its SVG's)."""
    width, height = PREVIEW_SIZE
    zoom = min((width - 2 * PREVIEW_MARGIN) / max(width_pt, 1.0),
               (height - 2 * PREVIEW_MARGIN) / max(height_pt, 1.0), PREVIEW_MOST_ZOOM)
    # At 72 dpi a point is a pixel: the viewport (width, height, zoom; centred on the
    # drawing by default) is the whole image. Options given here outweigh the graph's own
    # (its transparent background, say).
    command = ["dot", "-Tpng", "-Gdpi=72", "-Gbgcolor=white", "-Gpad=0",
               f"-Gviewport={width},{height},{zoom:.4f}"]
    result = subprocess.run(command, input=dot.encode("utf-8"), capture_output=True, check=False)
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG"):
        raise RuntimeError(f"dot failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


def draw_previews(jobs: list[tuple[str, float, float]], threads: int) -> list[bytes]:
    """Every (DOT, width, height) drawn by draw_preview, in order; up to `threads` at once."""
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(lambda job: draw_preview(*job), jobs))


def fingerprint() -> str:
    """Which Graphviz draws, told apart by path, size and date: a new Graphviz draws anew."""
    return ";".join(_file_stamp(path) for path in _installed_files())


@lru_cache(maxsize=1)
def _installed_files() -> tuple[str, ...]:
    """`dot`, the libraries it and the library way draw with, and the plugin lists beside
    them (which name the layout and render plugins): an upgrade of any changes a stamp."""
    libraries = [path for name in (_library_path(), _cgraph_name()) if name
                 for path in _library_files(name)]
    configs = []
    for folder in dict.fromkeys(os.path.join(os.path.dirname(path), "graphviz")
                                for path in libraries):
        if os.path.isdir(folder):
            configs += sorted(os.path.join(folder, name) for name in os.listdir(folder)
                              if name.startswith("config"))
    return (shutil.which("dot") or "", *libraries, *configs)


def _library_files(name: str) -> list[str]:
    """The files a Graphviz library name (libgvc.so.6) stands for, wherever the dynamic
    linker may take it from: LD_LIBRARY_PATH, the system's folders, and the lib folder
    beside `dot` (a Graphviz under /opt or in a Nix store). Every copy is stamped, since
    which one the program or the library way loads depends on how each was linked; asking
    `ldconfig -p` takes ten times longer."""
    arch = getattr(sys.implementation, "_multiarch", "")
    folders = [folder for folder in os.environ.get("LD_LIBRARY_PATH", "").split(":") if folder]
    folders += [f"/usr/local/lib/{arch}", "/usr/local/lib", f"/usr/lib/{arch}", f"/lib/{arch}",
                "/usr/lib", "/lib", "/usr/lib64", "/lib64"]
    program = shutil.which("dot")
    if program:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(program)))
        folders += [os.path.join(prefix, "lib", arch), os.path.join(prefix, "lib"),
                    os.path.join(prefix, "lib64")]
    found = (os.path.realpath(os.path.join(folder, name)) for folder in folders
             if os.path.exists(os.path.join(folder, name)))
    return list(dict.fromkeys(found))


def _file_stamp(path: str) -> str:
    try:
        stat = os.stat(path)
        return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        return path


_CLUSTER_GROUP = re.compile(rb'<g id="[^"]*" class="cluster[^"]*">\n<title>(.*?)</title>\n'
                            rb'.*?</g>\n', re.S)
_CLUSTER_DECLARATION = re.compile(r'\bsubgraph\s+"?(cluster[^\s"{]*)')


def in_declared_order(svg: bytes, dot: str) -> bytes:
    """The SVG with its cluster groups in the order the DOT source declares the clusters.

    Graphviz draws clusters one after another, parents first, before any node; the order it
    picks varies with memory addresses, not with the drawing, which stays the same.
    """
    groups = list(_CLUSTER_GROUP.finditer(svg))
    if len(groups) < 2:
        return svg
    start, end = groups[0].start(), groups[-1].end()
    if sum(len(group.group(0)) for group in groups) != end - start:
        return svg  # not one run of cluster groups: a layout this code does not know
    declared = {name: index for index, name in enumerate(_CLUSTER_DECLARATION.findall(dot))}
    ordered = sorted(groups, key=lambda group: declared.get(group.group(1).decode(), len(declared)))
    return svg[:start] + b"".join(group.group(0) for group in ordered) + svg[end:]


@lru_cache(maxsize=1)
def _library_path() -> str:
    """libgvc's name, when libcgraph is there too; "" otherwise."""
    if not _cgraph_name():
        return ""
    import ctypes.util  # here: a build that draws with the program never loads ctypes

    return ctypes.util.find_library("gvc") or ""


@lru_cache(maxsize=1)
def _cgraph_name() -> str:
    import ctypes.util

    return ctypes.util.find_library("cgraph") or ""


class _Graphviz:
    """Graphviz's C library: a context with its plugins loaded, reused for every graph."""

    def __init__(self) -> None:
        import ctypes

        self.gvc = ctypes.CDLL(_library_path())
        self.cgraph = ctypes.CDLL(_cgraph_name())
        pointer, text = ctypes.c_void_p, ctypes.c_char_p
        self.gvc.gvContext.restype = pointer
        self.cgraph.agmemread.restype = pointer
        self.cgraph.agmemread.argtypes = [text]
        self.cgraph.agclose.argtypes = [pointer]
        self.gvc.gvLayout.argtypes = [pointer, pointer, text]
        self.gvc.gvRenderData.argtypes = [pointer, pointer, text, ctypes.POINTER(text),
                                          ctypes.POINTER(ctypes.c_uint)]
        self.gvc.gvFreeRenderData.argtypes = [text]
        self.gvc.gvFreeLayout.argtypes = [pointer, pointer]
        # Graphviz reports through a callback; kept on self so it outlives the library's use.
        self.messages: list[str] = []
        self._report = ctypes.CFUNCTYPE(ctypes.c_int, text)(self._collect)
        self.cgraph.agseterrf(self._report)
        self.context = self.gvc.gvContext()

    def version(self) -> str:
        import ctypes

        self.gvc.gvcVersion.restype = ctypes.c_char_p
        self.gvc.gvcVersion.argtypes = [ctypes.c_void_p]
        return self.gvc.gvcVersion(self.context).decode("ascii", "replace")

    def _collect(self, message: bytes) -> int:
        self.messages.append(message.decode("utf-8", "replace"))
        return 0

    def draw(self, dot: bytes) -> bytes:
        import ctypes

        self.messages.clear()
        graph = self.cgraph.agmemread(dot)
        if not graph:
            raise RuntimeError(f"dot failed: {''.join(self.messages)}")
        try:
            if self.gvc.gvLayout(self.context, graph, b"dot") != 0:
                raise RuntimeError(f"dot failed: {''.join(self.messages)}")
            data, size = ctypes.c_char_p(), ctypes.c_uint()
            try:
                if self.gvc.gvRenderData(self.context, graph, b"svg", ctypes.byref(data),
                                         ctypes.byref(size)) != 0:
                    raise RuntimeError(f"dot failed: {''.join(self.messages)}")
                return ctypes.string_at(data, size.value)
            finally:
                self.gvc.gvFreeRenderData(data)
                self.gvc.gvFreeLayout(self.context, graph)
        finally:
            self.cgraph.agclose(graph)


@lru_cache(maxsize=1)
def _library() -> _Graphviz:
    return _Graphviz()
