"""The room page's static module graph, for `<link rel="modulepreload">`.

There is no build step: the room page is some 60 ES modules, and a browser only learns of a
module's imports once it has fetched and parsed it, so the graph loads in as many round trips as
it is deep (ten). Listed in the page, every module is requested at once, and fetched and parsed
in parallel, before `main.js` asks for it.

The graph is read from the files themselves (their `import … from "./x.js"` lines; dynamic
`import()`, e.g. a language, is left out), once per process, so that adding a module needs no
list kept by hand.
"""

import re
from collections.abc import Iterator
from pathlib import Path

_STATIC_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?["'](\.{1,2}/[^"']+\.js)["']""",
    re.MULTILINE,
)
"""`import x from "./a.js"`, `import "./a.js"`, `export * from "./a.js"`, over several lines too
(the names between braces hold no quote); only relative specifiers, the only kind the page uses."""


def static_imports(source: str) -> list[str]:
    """The relative specifiers a module imports statically, in order."""
    return [match.group(1) for match in _STATIC_IMPORT.finditer(source)]


def module_graph(entry: Path) -> list[Path]:
    """Every module `entry` loads statically, itself included, each once, in the order first met
    (breadth first: the modules needed first come first)."""
    entry = entry.resolve()
    seen = {entry: None}
    queue = [entry]
    for module in _drain(queue):
        for specifier in static_imports(module.read_text(encoding="utf-8")):
            found = (module.parent / specifier).resolve()
            if found not in seen and found.is_file():
                seen[found] = None
                queue.append(found)
    return list(seen)


def _drain(queue: list[Path]) -> Iterator[Path]:
    index = 0
    while index < len(queue):
        yield queue[index]
        index += 1


def preload_links(entry: Path, root: Path, url_prefix: str, page: str = "") -> str:
    """`<link rel="modulepreload">` for every module of `entry`'s graph but `entry` itself (the
    page's `<script type="module">` asks for that one) and those `page` already lists, as URLs
    under `url_prefix` for `root`, one a line."""
    root = root.resolve()
    links = (
        f'<link rel="modulepreload" href="{url_prefix}/{module.relative_to(root).as_posix()}">'
        for module in module_graph(entry)[1:]
    )
    return "\n  ".join(link for link in links if link not in page)
