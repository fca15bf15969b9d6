#!/usr/bin/env python3
"""A synthetic guide of N topics, written three ways: for sitegen, Hugo and MkDocs.

    .venv/bin/python bench/synthetic.py DIR --topics 100 [--seed 1]

Each topic has the shape and size of content/topics/shared-responsibility/ (every block kind
it uses, two prose files, one card for the first topic) with words drawn per topic from a
fixed vocabulary, so pages differ but a given N and seed always give the same bytes.

    DIR/content/         site.yaml, topics/<slug>/topic.yaml + overview.md, next-steps.md
    DIR/hugo/            hugo.toml, content/*.md, layouts/_default/{baseof,single,list}.html
    DIR/mkdocs/          mkdocs.yml (default nav: every page), mkdocs-small.yml (nav: index
                         only; site in site-small/), docs/*.md

The peers get the same pages as Markdown: tables as tables, lists as lists, scenarios as
headings and paragraphs. They draw no diagrams and lay out no cards; sitegen does both.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

VOCAB = """access account agent alarm archive audit backup baseline bucket budget cache
certificate channel cipher client cluster compliance compute console container control
credential cryptography data database deployment detection device directory disk domain
edge encryption endpoint engine event failover federation filter firewall fleet gateway
governance guardrail hardware hardening host hypervisor identity image incident instance
integrity inventory isolation key kernel latency layer ledger lifecycle log logging
maintenance metadata migration monitoring network node object operator orchestration
package partition patch payload perimeter permission pipeline platform policy port posture
principal privilege protocol provider queue quota recovery region registry replica
replication resilience resource retention review role rotation route runtime sandbox
scanner schema secret segment sensor server service session shard snapshot software
storage stream subnet tenant threat token topology traffic trust tunnel update upgrade
vault version virtualization volume vulnerability workload zone""".split()
ADJECTIVES = """automatic central continuous dedicated default durable encrypted global
hardened isolated managed minimal multiple physical private public regional scheduled
secure shared single strict temporary trusted verified virtual""".split()
ICONS = ["🛡️", "🔐", "☁️", "🧭", "📦", "🛰️", "🔎", "⚙️"]
EDITED_CELL = re.compile(r"Provider team, revision \d+")  # the one cell edit() rewrites


class Words:
    """Deterministic phrases for one topic, never the same twice (aspects, components and
    terms must be unique within a topic)."""

    def __init__(self, seed: int, index: int):
        self.rng = random.Random(f"{seed}:{index}")
        self.seen: set[str] = set()

    def __call__(self, count: int, cap: bool = True) -> str:
        while True:
            text = " ".join(self.rng.choice(ADJECTIVES if i % 3 == 0 else VOCAB)
                            for i in range(count))
            if text not in self.seen:
                self.seen.add(text)
                return text[0].upper() + text[1:] if cap else text

    def many(self, n: int, count: int) -> list[str]:
        return [self(count) for _ in range(n)]


def topic(index: int, seed: int) -> dict:
    """One topic as data shaped like topic.yaml, plus its prose files under '_prose'."""
    w = Words(seed, index)
    ids = ("customer", "provider")
    pick = w.rng.choice
    blocks = [
        {"kind": "prose", "id": "overview", "title": "Overview", "file": "overview.md"},
        {"kind": "layers", "id": "core-concept", "title": "The Core Concept", "caption": w(5),
         "boundary": "Responsibility Boundary",
         "layers": [{"party": "customer", "parts": w.many(7, 2)},
                    {"party": "provider", "parts": w.many(4, 1),
                     "groups": [{"name": w(2), "parts": w.many(3, 2)},
                                {"name": w(2), "parts": w.many(5, 1)}]}]},
        {"kind": "comparison", "id": "of-vs-in", "title": w(6), "caption": w(10),
         "heading": "Aspect", "parties": ["provider", "customer"],
         "rows": [{"aspect": "Owner", "values": {"provider": "Provider team, revision 0",
                                                  "customer": "Customer team"}}]
         + [{"aspect": w(1), "values": {p: w(3) for p in ("provider", "customer")}}
            for _ in range(5)]},
        {"kind": "breakdown", "id": "detailed-breakdown", "title": "Detailed Breakdown",
         "sections": [{"party": p, "intro": w(12),
                       "areas": [{"name": w(2), "points": w.many(3, 3)} for _ in range(n)]}
                      for p, n in (("provider", 4), ("customer", 5))]},
        {"kind": "matrix", "id": "responsibility-matrix", "title": w(3), "caption": w(10),
         "heading": "Component",
         # The boundary moves as in the real topic: the customer keeps less on PaaS/SaaS.
         "groups": [{"name": w(3), "rows": [{"component": w(2), "owners": dict(zip(
             ("iaas", "paas", "saas"), owners))} for _ in range(3)]}
             for owners in (("customer",) * 3, ("customer", "provider", "provider"),
                            ("provider",) * 3)]},
        {"kind": "diagram", "id": "boundary-shift", "title": w(6),
         "source": "responsibility-matrix", "caption": w(24)},
        {"kind": "definitions", "id": "why-it-matters", "title": w(4),
         "groups": [{"title": w(3), "items": [{"term": w(2), "definition": w(7)}
                                              for _ in range(4)]} for _ in range(2)]},
        {"kind": "myths", "id": "misconceptions", "title": w(2), "caption": w(8),
         "items": [{"myth": w(5), "reality": w(7)} for _ in range(5)]},
        {"kind": "scenarios", "id": "exam-scenarios", "title": "Key Exam Scenarios",
         "items": [{"title": w(2), "question": w(11) + "?", "answer": pick(ids),
                    "explanation": w(5)} for _ in range(4)]},
        {"kind": "tips", "id": "exam-tips", "title": "Exam Tips", "icon": "🎯",
         "items": w.many(6, 10)},
        {"kind": "list", "id": "key-takeaways", "title": "Key Takeaways", "icon": "💡",
         "ordered": True, "items": w.many(6, 10)},
        {"kind": "quick_reference", "id": "quick-reference", "title": "Quick Reference Card",
         "caption": w(3), "groups": [{"title": "Always Provider", "party": "provider",
                                      "items": w.many(5, 2)},
                                     {"title": "Always Customer", "party": "customer",
                                      "items": w.many(5, 2)},
                                     {"title": "Varies by Service", "items": w.many(3, 3)}]},
        {"kind": "prose", "id": "next-steps", "title": "Next Steps", "file": "next-steps.md"},
    ]
    name = w(3)
    return {
        "_slug": f"topic-{index + 1:04d}-{name.lower().split()[-1]}",
        "title": f"Topic {index + 1}: Understanding {name}",
        "short_title": f"{name} {index + 1}",
        "icon": pick(ICONS),
        "summary": w(28),
        "parties": [
            {"id": "customer", "name": "Customer", "responsibility": "Customer Responsibility",
             "tagline": "Security IN the Cloud", "keyword": "IN"},
            {"id": "provider", "name": "Provider", "responsibility": "Provider Responsibility",
             "tagline": "Security OF the Cloud", "keyword": "OF"}],
        "service_models": [{"id": m, "name": m.upper().replace("AA", "aa"), "example": w(1)}
                           for m in ("iaas", "paas", "saas")],
        "blocks": blocks,
        "_prose": {"overview.md": f"The **{name}** model {w(20, False)}. "
                                  f"It {w(18, False)}.\n\nWhen {w(14, False)}, {w(10, False)}.\n",
                   "next-steps.md": f"Continue with **{w(3)}** and {w(22, False)}.\n"},
    }


# --- sitegen: YAML written by hand (block style like the real file; quoted when unsure) ---

PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ?.()/-]*[A-Za-z0-9?.)]|[A-Za-z]")
YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    plain = PLAIN.fullmatch(value) and value.lower() not in YAML_WORDS and ": " not in value
    return value if plain else json.dumps(value, ensure_ascii=False)  # JSON strings are YAML


def yaml_lines(value, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                lines += [f"{pad}{key}:"] + yaml_lines(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)):
                inner = yaml_lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0][indent + 2:]}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {scalar(item)}")
    return lines


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


SITE_TITLE = "Synthetic Study Guide"


def write_sitegen(root: Path, topics: list[dict]) -> None:
    first = topics[0]["_slug"]
    site = [f"title: {SITE_TITLE}", "description: A generated guide for benchmarks.",
            "author: sitegen bench", "language: en", "topics:"]
    site += [f"  - {t['_slug']}" for t in topics]
    site += ["cards:", f"  - topic: {first}", f"    title: {scalar(topics[0]['short_title'])}",
             "    subtitle: Quick-reference card", "    columns:",
             "      - [quick-reference, of-vs-in]", "      - [responsibility-matrix, exam-scenarios]",
             "      - [exam-tips, misconceptions, key-takeaways]"]
    write(root / "content/site.yaml", "\n".join(site) + "\n")
    for t in topics:
        folder = root / "content/topics" / t["_slug"]
        data = {k: v for k, v in t.items() if not k.startswith("_")}
        write(folder / "topic.yaml", "\n".join(yaml_lines(data)) + "\n")
        for name, text in t["_prose"].items():
            write(folder / name, text)


# --- the peers: the same page as Markdown ---

def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def markdown_body(t: dict) -> str:
    """The topic page below its title, block by block."""
    party = {p["id"]: p["name"] for p in t["parties"]}
    models = t["service_models"]
    out = [t["summary"]]
    for b in t["blocks"]:
        out.append(f"## {b['title']}")
        kind = b["kind"]
        if kind == "prose":
            out.append(t["_prose"][b["file"]].strip())
        elif kind == "layers":
            for layer in b["layers"]:
                out.append(f"**{party[layer['party']]}**\n\n"
                           + "\n".join(f"- {p}" for p in layer["parts"])
                           + "".join(f"\n- {g['name']}: {', '.join(g['parts'])}"
                                     for g in layer.get("groups", [])))
            out.append(f"*{b['boundary']}*")
        elif kind == "comparison":
            out.append(table([b["heading"]] + [party[p] for p in b["parties"]],
                             [[r["aspect"]] + [r["values"][p] for p in b["parties"]]
                              for r in b["rows"]]))
        elif kind == "breakdown":
            for s in b["sections"]:
                out.append(f"### {party[s['party']]}\n\n{s['intro']}")
                out += [f"#### {a['name']}\n\n" + "\n".join(f"- {p}" for p in a["points"])
                        for a in s["areas"]]
        elif kind == "matrix":
            out.append(table([b["heading"]] + [f"{m['name']} ({m['example']})" for m in models],
                             [[r["component"]] + [party[r["owners"][m["id"]]] for m in models]
                              for g in b["groups"] for r in g["rows"]]))
        elif kind == "diagram":
            out.append(b["caption"])
        elif kind == "definitions":
            for g in b["groups"]:
                out.append(f"### {g['title']}\n\n" + "\n".join(
                    f"- **{i['term']}**: {i['definition']}" for i in g["items"]))
        elif kind == "myths":
            out.append(table(["Myth", "Reality"], [[i["myth"], i["reality"]] for i in b["items"]]))
        elif kind == "scenarios":
            out += [f"### {i['title']}\n\n{i['question']}\n\n"
                    f"**Answer: {party[i['answer']]}.** {i['explanation']}" for i in b["items"]]
        elif kind in ("tips", "list"):
            numbered = kind == "tips" or b.get("ordered")
            out.append("\n".join(f"{n}. {item}" if numbered else f"- {item}"
                                 for n, item in enumerate(b["items"], 1)))
        elif kind == "quick_reference":
            out += [f"### {g['title']}\n\n" + "\n".join(f"- {i}" for i in g["items"])
                    for g in b["groups"]]
    return "\n\n".join(out) + "\n"


HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body><nav><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1>\n{{ .Content }}{{ end }}\n',
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>\n{{ .Content }}<ul>'
                 '{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}'
                 '</a></li>{{ end }}</ul>{{ end }}\n',
}


def write_hugo(root: Path, topics: list[dict]) -> None:
    # Only home and pages: the kinds we give no layout for would only produce warnings.
    write(root / "hugo/hugo.toml", f'baseURL = "/"\ntitle = "{SITE_TITLE}"\nlanguageCode = "en"\n'
          'relativeURLs = true\n'
          'disableKinds = ["section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
    for name, text in HUGO_LAYOUTS.items():
        write(root / "hugo/layouts/_default" / name, text)
    write(root / "hugo/content/_index.md", f"---\ntitle: {json.dumps(SITE_TITLE)}\n---\n")
    for n, t in enumerate(topics):
        # weight keeps Hugo's page order the guide's order.
        write(root / f"hugo/content/{t['_slug']}.md",
              f"---\ntitle: {json.dumps(t['title'], ensure_ascii=False)}\nweight: {n + 1}\n---\n\n"
              + markdown_body(t))


def write_mkdocs(root: Path, topics: list[dict]) -> None:
    config = f"site_name: {SITE_TITLE}\ntheme:\n  name: mkdocs\n"
    write(root / "mkdocs/mkdocs.yml", config)  # no nav: MkDocs lists every page on every page
    write(root / "mkdocs/mkdocs-small.yml", config + "site_dir: site-small\nnav:\n  - index.md\n")
    write(root / "mkdocs/docs/index.md", f"# {SITE_TITLE}\n\n" + "\n".join(
        f"- [{t['title']}]({t['_slug']}.md)" for t in topics) + "\n")
    for t in topics:
        write(root / f"mkdocs/docs/{t['_slug']}.md", f"# {t['title']}\n\n" + markdown_body(t))


def generate(root: Path, n: int, seed: int = 1) -> None:
    topics = [topic(i, seed) for i in range(n)]
    write_sitegen(root, topics)
    write_hugo(root, topics)
    write_mkdocs(root, topics)


def edit(root: Path, n: int, tool: str, revision: int, seed: int = 1) -> Path:
    """Rewrite one table cell of the middle topic (not the carded first one unless N=1)."""
    slug = topic(n // 2, seed)["_slug"]
    path = root / {"sitegen": f"content/topics/{slug}/topic.yaml", "hugo": f"hugo/content/{slug}.md",
                   "mkdocs": f"mkdocs/docs/{slug}.md"}[tool]
    text, count = EDITED_CELL.subn(f"Provider team, revision {revision}", path.read_text("utf-8"))
    assert count == 1, f"{path}: expected the edit marker once, found it {count} times"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.folder, args.topics, args.seed)
    print(f"wrote {args.topics} topics to {args.folder}/{{content,hugo,mkdocs}}")


if __name__ == "__main__":
    main()
