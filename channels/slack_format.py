"""Turn one assistant message (text, buttons, image) into Slack chat.postMessage arguments.

Plain functions, no Rasa or network, so they are unit-tested directly. What "reads well in Slack"
means here:
- the text keeps its line breaks and paragraphs, in one Slack message rather than one per paragraph;
- Markdown is converted to Slack's mrkdwn (`**bold**` -> `*bold*`, `*italic*` -> `_italic_`,
  `[label](url)` -> `<url|label>`, `# heading` -> bold line, `- item` -> `• item`), and `&`, `<`,
  `>` are escaped as Slack requires, so no raw markup is shown;
- buttons become Block Kit buttons whose value is the payload Rasa receives on a click;
- an image becomes an image block with a text alternative, but only when Slack can fetch it
  (a localhost chart would make Slack reject the whole message; the text already states the figures).
Slack's limits (3,000 characters per section, 25 elements per actions block, 75 characters per
button label, 2,000 per button value and alt text, 50 blocks per message) are respected.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

MAX_SECTION_CHARS = 3000
MAX_BLOCKS_PER_MESSAGE = 50
MAX_BUTTONS_PER_BLOCK = 25
MAX_BUTTON_LABEL_CHARS = 75
MAX_BUTTON_VALUE_CHARS = 2000
MAX_ALT_TEXT_CHARS = 2000
MAX_FALLBACK_TEXT_CHARS = 3000
DEFAULT_ALT_TEXT = "Image from the assistant"
ELLIPSIS = "…"

_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s)]+)\)")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)
# `**bold**` or `__bold__` (groups 1, 2) and `*italic*` (group 3), never across lines.
_EMPHASIS = re.compile(
    r"\*\*(?=\S)([^\n]+?)(?<=\S)\*\*"
    r"|__(?=\S)([^\n]+?)(?<=\S)__"
    r"|(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"
)
_STRIKE = re.compile(r"~~(?=\S)([^\n]+?)(?<=\S)~~")


def escape_mrkdwn(text: str) -> str:
    """Slack treats these three characters as control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _emphasis_to_mrkdwn(match: "re.Match[str]") -> str:
    bold = match.group(1) or match.group(2)
    return f"*{bold}*" if bold is not None else f"_{match.group(3)}_"


def to_mrkdwn(text: str) -> str:
    """Markdown (as the assistant's texts may use it) to Slack mrkdwn, line breaks kept."""
    protected: List[str] = []

    def protect(rendered: str) -> str:
        protected.append(rendered)
        return f"\x00{len(protected) - 1}\x00"

    text = text.replace("\x00", "").replace("\r\n", "\n")
    # Links and code spans are set aside first so that formatting never reaches inside them.
    text = _LINK.sub(lambda m: protect(f"<{m.group(2)}|{escape_mrkdwn(m.group(1))}>"), text)
    text = _CODE_SPAN.sub(lambda m: protect(escape_mrkdwn(m.group(0))), text)
    text = escape_mrkdwn(text)
    text = _HEADING.sub(r"**\1**", text)  # made bold below, with the rest of the emphasis
    text = _BULLET.sub(r"\1• ", text)
    text = _EMPHASIS.sub(_emphasis_to_mrkdwn, text)
    text = _STRIKE.sub(r"~\1~", text)
    return _PLACEHOLDER.sub(lambda m: protected[int(m.group(1))], text).strip()


def to_plain_text(text: str) -> str:
    """Markdown without its markers, for places Slack shows as plain text (button labels)."""
    text = _LINK.sub(r"\1", text.replace("\x00", ""))
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)
    return _STRIKE.sub(r"\1", text).replace("`", "").strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _split_long(paragraph: str, limit: int) -> List[str]:
    """Cut a paragraph longer than a section allows, at line breaks where possible."""
    pieces: List[str] = []
    current = ""
    for line in paragraph.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current:
        pieces.append(current)
    return pieces


def text_sections(mrkdwn: str) -> List[Dict[str, Any]]:
    """Section blocks holding the text, whole paragraphs together while they fit."""
    chunks: List[str] = []
    for paragraph in re.split(r"\n{2,}", mrkdwn):
        if not paragraph.strip():
            continue
        for piece in _split_long(paragraph, MAX_SECTION_CHARS):
            if chunks and len(chunks[-1]) + 2 + len(piece) <= MAX_SECTION_CHARS:
                chunks[-1] = f"{chunks[-1]}\n\n{piece}"
            else:
                chunks.append(piece)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def button_element(button: Mapping[str, Any], index: int) -> Optional[Dict[str, Any]]:
    """One Block Kit button; None (logged) when the button cannot be shown faithfully."""
    title = to_plain_text(str(button.get("title") or "")) or str(button.get("payload") or "")
    if not title:
        return None
    element: Dict[str, Any] = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": _shorten(title, MAX_BUTTON_LABEL_CHARS),
            "emoji": True,
        },
        "action_id": f"button-{index}",  # unique within the message, as Slack requires
    }
    url = button.get("url")
    if url:
        element["url"] = str(url)  # a link button: Slack opens it and sends no payload
        return element
    payload = str(button.get("payload") or title)
    if len(payload) > MAX_BUTTON_VALUE_CHARS:
        logger.warning(
            "Slack: leaving out the button %r, its payload is too long for Slack.", title
        )
        return None
    element["value"] = payload
    return element


def button_blocks(buttons: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    elements = [e for e in (button_element(b, i) for i, b in enumerate(buttons)) if e is not None]
    return [
        {"type": "actions", "elements": elements[start : start + MAX_BUTTONS_PER_BLOCK]}
        for start in range(0, len(elements), MAX_BUTTONS_PER_BLOCK)
    ]


def is_fetchable_by_slack(url: str) -> bool:
    """Whether Slack's servers can download this image: http(s) on a public host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host  # a bare name like "intranet" only resolves inside the clinic
    return address.is_global


def image_alt_text(text: str) -> str:
    """The first line of the message text describes the image (the chart's title line)."""
    first_line = next(
        (line.strip() for line in to_plain_text(text).splitlines() if line.strip()), ""
    )
    return _shorten(first_line or DEFAULT_ALT_TEXT, MAX_ALT_TEXT_CHARS)


def image_block(url: str, alt_text: str) -> Dict[str, Any]:
    return {"type": "image", "image_url": url, "alt_text": _shorten(alt_text, MAX_ALT_TEXT_CHARS)}


def slack_messages(
    text: str = "",
    buttons: Sequence[Mapping[str, Any]] = (),
    image: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """The chat.postMessage arguments (text + blocks) for one assistant message, usually one.

    `text` is the notification fallback Slack shows where blocks cannot be shown.
    """
    mrkdwn = to_mrkdwn(text or "")
    blocks = text_sections(mrkdwn)
    if image:
        if is_fetchable_by_slack(image):
            blocks.append(image_block(image, image_alt_text(text or "")))
        else:
            logger.warning(
                "Slack: not showing the image %s; Slack cannot fetch it from there. Set "
                "public_base_url in config/clinic.yml to a public https address.",
                image,
            )
    blocks.extend(button_blocks(buttons))
    if not blocks:
        return []
    fallback = _shorten(mrkdwn, MAX_FALLBACK_TEXT_CHARS) or (
        image_alt_text(text or "") if image else "Choose an option"
    )
    return [
        {"text": fallback, "blocks": blocks[start : start + MAX_BLOCKS_PER_MESSAGE]}
        for start in range(0, len(blocks), MAX_BLOCKS_PER_MESSAGE)
    ]
