#!/usr/bin/env python3
"""A synthetic guide of N topics, written three ways: for sitegen, Hugo and MkDocs.

    .venv/bin/python bench/synthetic.py DIR --topics 100 [--seed 1]

Each topic has the shape and size of content/topics/shared-responsibility/ (every block kind
it uses, two prose files, one card for the first topic) plus a block of five practice
questions, with words drawn per topic from a fixed vocabulary, so pages differ but a given N
and seed always give the same bytes. The sitegen content is in the general content model:
each topic declares its choice sets (`owner`, `service_model`) and the blocks name them;
content/sets.yaml holds a shared set (`domain`) that tags the questions.

    DIR/content/         site.yaml, sets.yaml, topics/<slug>/topic.yaml + overview.md,
                         next-steps.md
    DIR/hugo/            hugo.toml, content/*.md, layouts/_default/{baseof,single,list}.html
    DIR/mkdocs/          mkdocs.yml (default nav: every page), mkdocs-small.yml (nav: index
                         only; site in site-small/), docs/*.md

The peers get the same pages as Markdown: tables as tables (set values by their labels),
lists as lists, scenarios as headings and paragraphs, questions as headings, lists of
options and answers. They draw no diagrams and lay out no cards; sitegen does both.
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


# Shared by every topic (content/sets.yaml); each practice question is tagged with one.
SHARED_SETS = [
    {"id": "domain", "name": "Exam domain", "values": [
        {"id": "cloud-concepts", "label": "Cloud Concepts", "text": "24% of scored content"},
        {"id": "security-compliance", "label": "Security and Compliance",
         "text": "30% of scored content"},
        {"id": "technology-services", "label": "Cloud Technology and Services",
         "text": "34% of scored content"},
        {"id": "billing-support", "label": "Billing, Pricing, and Support",
         "text": "12% of scored content"}]}]


def questions(w: Words) -> dict:
    """Five exam-style questions of four options; the third is multiple response."""
    domains = [v["id"] for v in SHARED_SETS[0]["values"]]
    items = []
    for n in range(5):
        if n == 2:
            item = {"question": w(10) + "?", "choose": 2,
                    "options": [{"id": i, "text": w(3), "note": w(6)} if i in "ad"
                                else {"id": i, "text": w(3)} for i in "abcd"],
                    "answer": sorted(w.rng.sample("abcd", 2))}
        else:
            item = {"question": w(12) + "?", "options": w.many(4, 3),
                    "answer": w.rng.choice("abcd")}
        item["explanation"] = w(10)
        item["tags"] = {"domain": w.rng.choice(domains)}
        items.append(item)
    return {"kind": "questions", "id": "practice-questions", "title": "Practice Questions",
            "items": items}


def topic(index: int, seed: int) -> dict:
    """One topic as data shaped like topic.yaml, plus its prose files under '_prose'.

    Words are drawn in the order the first format drew them (the questions last), so the
    text the two formats share is the same for a given index and seed."""
    w = Words(seed, index)
    ids = ("customer", "provider")
    pick = w.rng.choice
    owners = [("provider", "Provider", "OF"), ("customer", "Customer", "IN")]
    blocks = [
        {"kind": "prose", "id": "overview", "title": "Overview", "file": "overview.md"},
        {"kind": "layers", "id": "core-concept", "title": "The Core Concept", "set": "owner",
         "caption": w(5), "boundary": "Responsibility Boundary",
         "layers": [{"value": "customer", "heading": "Customer Responsibility",
                     "parts": w.many(7, 2)},
                    {"value": "provider", "heading": "Provider Responsibility",
                     "parts": w.many(4, 1),
                     "groups": [{"name": w(2), "parts": w.many(3, 2)},
                                {"name": w(2), "parts": w.many(5, 1)}]}]},
        {"kind": "table", "id": "of-vs-in", "title": w(6), "caption": w(10),
         "columns": [{"id": "aspect", "heading": "Aspect"}]
         + [{"id": p, "heading": label} for p, label, _ in owners],
         "rows": [{"aspect": "Owner", "provider": "Provider team, revision 0",
                   "customer": "Customer team"}]
         + [{"aspect": w(1), **{p: w(3) for p in ("provider", "customer")}}
            for _ in range(5)]},
        {"kind": "breakdown", "id": "detailed-breakdown", "title": "Detailed Breakdown",
         "set": "owner",
         "sections": [{"value": p, "heading": f"{label} Responsibilities (Security {kw} the Cloud)",
                       "intro": w(12),
                       "areas": [{"name": w(2), "points": w.many(3, 3)} for _ in range(n)]}
                      for (p, label, kw), n in zip(owners, (4, 5))]},
        {"kind": "table", "id": "responsibility-matrix", "title": w(3), "caption": w(10),
         "columns": [{"id": "component", "heading": "Component"},
                     {"each": "service_model", "type": "owner", "show_text": True}],
         "row_header": "component",
         # The boundary moves as in the real topic: the customer keeps less on PaaS/SaaS.
         "groups": [{"name": w(3), "rows": [{"component": w(2), **dict(zip(
             ("iaas", "paas", "saas"), cells))} for _ in range(3)]}
             for cells in (("customer",) * 3, ("customer", "provider", "provider"),
                           ("provider",) * 3)]},
        {"kind": "diagram", "id": "boundary-shift", "title": w(6),
         "source": "responsibility-matrix", "caption": w(24)},
        {"kind": "definitions", "id": "why-it-matters", "title": w(4),
         "groups": [{"title": w(3), "items": [{"term": w(2), "definition": w(7)}
                                              for _ in range(4)]} for _ in range(2)]},
        {"kind": "myths", "id": "misconceptions", "title": w(2), "caption": w(8),
         "items": [{"myth": w(5), "reality": w(7)} for _ in range(5)]},
        {"kind": "scenarios", "id": "exam-scenarios", "title": "Key Exam Scenarios",
         "answers": "owner", "prompt": "Who is responsible?",
         "items": [{"title": w(2), "question": w(11) + "?", "answer": pick(ids),
                    "explanation": w(5)} for _ in range(4)]},
        {"kind": "tips", "id": "exam-tips", "title": "Exam Tips", "icon": "🎯",
         "items": w.many(6, 10)},
        {"kind": "list", "id": "key-takeaways", "title": "Key Takeaways", "icon": "💡",
         "ordered": True, "items": w.many(6, 10)},
        {"kind": "quick_reference", "id": "quick-reference", "title": "Quick Reference Card",
         "set": "owner", "caption": w(3),
         "groups": [{"title": "Always Provider", "value": "provider", "items": w.many(5, 2)},
                    {"title": "Always Customer", "value": "customer", "items": w.many(5, 2)},
                    {"title": "Varies by Service", "items": w.many(3, 3)}]},
        {"kind": "prose", "id": "next-steps", "title": "Next Steps", "file": "next-steps.md"},
    ]
    name = w(3)
    head = {
        "_slug": f"topic-{index + 1:04d}-{name.lower().split()[-1]}",
        "title": f"Topic {index + 1}: Understanding {name}",
        "short_title": f"{name} {index + 1}",
        "icon": pick(ICONS),
        "summary": w(28),
    }
    sets = [
        {"id": "owner", "name": "Owner", "values": [
            {"id": "customer", "label": "Customer", "text": "Security IN the Cloud",
             "keyword": "IN"},
            {"id": "provider", "label": "Provider", "text": "Security OF the Cloud",
             "keyword": "OF"}]},
        {"id": "service_model", "name": "Service model",
         "values": [{"id": m, "label": m.upper().replace("AA", "aa"), "text": w(1)}
                    for m in ("iaas", "paas", "saas")]}]
    prose = {"overview.md": f"The **{name}** model {w(20, False)}. "
                            f"It {w(18, False)}.\n\nWhen {w(14, False)}, {w(10, False)}.\n",
             "next-steps.md": f"Continue with **{w(3)}** and {w(22, False)}.\n"}
    blocks.insert([b["id"] for b in blocks].index("exam-tips"), questions(w))
    return {**head, "sets": sets, "blocks": blocks, "_prose": prose}


# --- sitegen: YAML written by hand (block style like the real file; quoted when unsure) ---

PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ?.()/_-]*[A-Za-z0-9?.)]|[A-Za-z]")
YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
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
             "    subtitle: Quick-reference card", "    remember: owner", "    columns:",
             "      - [quick-reference, of-vs-in]", "      - [responsibility-matrix, exam-scenarios]",
             "      - [exam-tips, misconceptions, key-takeaways]"]
    write(root / "content/site.yaml", "\n".join(site) + "\n")
    write(root / "content/sets.yaml", "\n".join(yaml_lines({"sets": SHARED_SETS})) + "\n")
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
    sets = {s["id"]: {v["id"]: v for v in s["values"]} for s in SHARED_SETS + t["sets"]}
    names = {s["id"]: s["name"] for s in SHARED_SETS + t["sets"]}

    def label(set_id: str, value: str) -> str:
        return sets[set_id][value]["label"]

    out = [t["summary"]]
    for b in t["blocks"]:
        out.append(f"## {b['title']}")
        kind = b["kind"]
        if kind == "prose":
            out.append(t["_prose"][b["file"]].strip())
        elif kind == "layers":
            for layer in b["layers"]:
                out.append(f"**{layer['heading']}** "
                           f"({sets[b['set']][layer['value']]['text']})\n\n"
                           + "\n".join(f"- {p}" for p in layer["parts"])
                           + "".join(f"\n- {g['name']}: {', '.join(g['parts'])}"
                                     for g in layer.get("groups", [])))
            out.append(f"*{b['boundary']}*")
        elif kind == "table":
            header, keys = [], []  # one (column, cell type) per Markdown column
            for c in b["columns"]:
                if "each" in c:
                    for v in sets[c["each"]].values():
                        header.append(f"{v['label']} ({v['text']})" if v.get("text")
                                      else v["label"])
                        keys.append((v["id"], c["type"]))
                else:
                    header.append(c["heading"])
                    keys.append((c["id"], c.get("type", "text")))
            rows = b.get("rows") or [r for g in b["groups"] for r in g["rows"]]
            out.append(table(header, [[r[k] if typ == "text" else label(typ, r[k])
                                       for k, typ in keys] for r in rows]))
        elif kind == "breakdown":
            for s in b["sections"]:
                out.append(f"### {s['heading']}\n\n{s['intro']}")
                out += [f"#### {a['name']}\n\n" + "\n".join(f"- {p}" for p in a["points"])
                        for a in s["areas"]]
        elif kind == "diagram":
            out.append(b["caption"])
        elif kind == "definitions":
            for g in b["groups"]:
                out.append(f"### {g['title']}\n\n" + "\n".join(
                    f"- **{i['term']}**: {i['definition']}" for i in g["items"]))
        elif kind == "myths":
            out.append(table(["Myth", "Reality"], [[i["myth"], i["reality"]] for i in b["items"]]))
        elif kind == "scenarios":
            prompt = b.get("prompt") or f"Which {names[b['answers']].lower()}?"
            out += [f"### {i['title']}\n\n{i['question']}\n\n"
                    f"*{prompt}* **Answer: {label(b['answers'], i['answer'])}.** "
                    f"{i['explanation']}" for i in b["items"]]
        elif kind == "questions":
            for n, q in enumerate(b["items"], 1):
                options = [o if isinstance(o, dict) else {"id": chr(97 + k), "text": o}
                           for k, o in enumerate(q["options"])]
                answer = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
                tags = "; ".join(f"{names[s]}: {label(s, v)}" for s, v in q.get("tags", {}).items())
                notes = "\n".join(f"- {o['id'].upper()}: {o['note']}" for o in options
                                   if o.get("note"))
                out.append(f"### Question {n}\n\n{q['question']}\n\n"
                           + "\n".join(f"- **{o['id'].upper()}.** {o['text']}" for o in options)
                           + f"\n\n**Answer: {', '.join(a.upper() for a in answer)}.** "
                           + q["explanation"] + (f"\n\n{notes}" if notes else "")
                           + (f"\n\n*{tags}*" if tags else ""))
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


STUDY_OUTPUTS = "deck:\n  name: Bench deck\nbook:\n  subtitle: Every topic in one document\n"
"""What site.yaml adds for the whole-guide outputs, the Anki deck and the guide PDFs."""


def with_study_outputs(root: Path, study_root: Path) -> None:
    """A copy of root's sitegen guide that also makes the deck and the book."""
    import shutil

    shutil.rmtree(study_root, ignore_errors=True)
    shutil.copytree(root / "content", study_root / "content")
    site = study_root / "content/site.yaml"
    write(site, site.read_text(encoding="utf-8") + STUDY_OUTPUTS)


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
