"""What a topic page says about itself to search engines and link previews: schema.org
structured data (JSON-LD) of the topic as a learning resource, and of its questions as a quiz."""

from __future__ import annotations

import json

from markupsafe import Markup

from . import model as m
from .inline import plain_text
from .kinds import KINDS

# schema.org and Google's practice-problems markup name these types by fixed English values
# (https://developers.google.com/search/docs/appearance/structured-data/practice-problems):
# they are a vocabulary of the markup, not words shown to a reader.
SINGLE_ANSWER = "Multiple choice"
SEVERAL_ANSWERS = "Checkbox"
PRACTICE_PROBLEM = "Practice problem"

# Inside <script>, "</script>" or "<!--" in a text would end the script or start a comment;
# JSON may write any character as \\uXXXX, so these are written that way and stay data.
# U+2028 and U+2029 end a line in older JavaScript parsers.
_IN_SCRIPT = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
              0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(data: object) -> Markup:
    """data as JSON that can stand inside a <script> element as it is."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).translate(_IN_SCRIPT))


def topic_json_ld(site: m.Site, topic: m.Topic, page_url: str, site_url: str,
                  resource_type: str) -> Markup:
    """The topic page's JSON-LD: a LearningResource (its sections are what it teaches) and,
    for a topic with questions, a Quiz of them. page_url and site_url: the public addresses,
    "" without a base URL; resource_type: what the topic is, in the site's language."""
    text = plain_text
    resource: dict = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "name": text(topic.title),
        "description": text(topic.summary),
        "inLanguage": site.language,
        "learningResourceType": (resource_type.unescape() if isinstance(resource_type, Markup)
                                 else resource_type),
        "teaches": [text(block.title) for block in topic.blocks],
        "isPartOf": {"@type": "WebSite", "name": site.title, **({"url": site_url} if site_url else {})},
    }
    if page_url:
        resource["url"] = page_url
    found = [resource]
    questions = [question for block in topic.blocks if KINDS[block.kind].exam_questions
                 for question in KINDS[block.kind].exam_questions(block)]
    if questions:
        found.append({
            "@context": "https://schema.org",
            "@type": "Quiz",
            "name": text(topic.title),
            "inLanguage": site.language,
            "about": {"@type": "Thing", "name": text(topic.title)},
            **({"url": page_url} if page_url else {}),
            "hasPart": [_question(question, site.language) for question in questions],
        })
    return script_json(found)


def _question(question, language: str) -> dict:
    """One schema.org Question: the right options are its accepted answers, the others its
    suggested ones, each by its position among the options."""
    def answer(position: int) -> dict:
        return {"@type": "Answer", "position": position, "text": question.options[position]}

    accepted = [answer(i) for i in question.right]
    if question.explanation:
        for entry in accepted:
            entry["answerExplanation"] = {"@type": "Comment", "text": question.explanation}
    return {
        "@type": "Question",
        "eduQuestionType": SINGLE_ANSWER if len(question.right) == 1 else SEVERAL_ANSWERS,
        "learningResourceType": PRACTICE_PROBLEM,
        "inLanguage": language,
        "name": question.text,
        "text": question.text,
        "encodingFormat": "text/plain",
        "acceptedAnswer": accepted[0] if len(accepted) == 1 else accepted,
        "suggestedAnswer": [answer(i) for i in range(len(question.options))
                            if i not in question.right],
    }
