// The clinic chat page: talks to Rasa's REST channel (through the page's own server, which passes
// messages on: scripts/serve_web.py) and keeps the conversation in localStorage.
// Every piece of text (the patient's or the assistant's) becomes DOM text nodes; nothing is ever
// parsed as HTML, so a message that looks like markup is shown as the characters it contains.
"use strict";

(() => {
  const STORAGE_KEY = "clinicChat.v1";
  const GREETING_PAYLOAD = "/greet";
  const REPLY_TIMEOUT_MS = 30000;
  // Only the newest entries are kept across reloads, so storage cannot grow without bound.
  const MAX_STORED_ENTRIES = 300;
  // While the assistant restarts, a message is sent again after these waits (then every 8 s)
  // until it arrives, unless the server says how long to wait (Retry-After).
  const RESTART_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
  const MAX_RETRY_AFTER_MS = 10000;
  const DEFAULT_CONFIG = {
    rest_url: "webhook",
    emergency_number: "",
    crisis_line_text: "",
    max_message_chars: 2000,
  };
  const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

  // The assistant answered, but not with a reply this page understands.
  class ReplyFormatError extends Error {}
  // The assistant's server answered with an HTTP error status.
  class ServerError extends Error {
    constructor(status) {
      super(`HTTP ${status}`);
      this.status = status;
    }
  }

  // A part of the assistant is restarting: HTTP 502, 503 or 504, or no answer at all (the page's
  // own server is restarting). The message was not handled (or its turn was undone), so it is
  // safe, and right, to send it again; a repeat of one already handled is answered, not redone.
  class RestartingError extends Error {
    constructor(retryAfterMs) {
      super("restarting");
      this.retryAfterMs = retryAfterMs;
    }
  }

  const ui = {
    conversation: document.getElementById("conversation"),
    messages: document.getElementById("messages"),
    typing: document.getElementById("typing"),
    restarting: document.getElementById("restarting"),
    errorBanner: document.getElementById("error"),
    errorText: document.getElementById("error-text"),
    retry: document.getElementById("retry"),
    form: document.getElementById("composer"),
    input: document.getElementById("message-input"),
    send: document.getElementById("send"),
    startOver: document.getElementById("start-over"),
    startOverConfirm: document.getElementById("start-over-confirm"),
    startOverYes: document.getElementById("start-over-yes"),
    startOverNo: document.getElementById("start-over-no"),
    charCount: document.getElementById("char-count"),
    lengthWarning: document.getElementById("length-warning"),
    emergencyNumber: document.getElementById("emergency-number"),
    restartCrisisLine: document.getElementById("restart-crisis-line"),
  };

  let config = DEFAULT_CONFIG;
  let conversation = loadConversation(); // { senderId, history: [entry] }
  let busy = false;
  // Bumped by "start over" so that a late reply to the old conversation is dropped.
  let generation = 0;
  // What "Try again" sends: { message, display, source } of the last failed delivery.
  let failedDelivery = null;
  // The entry a new reply starts at, while it is the one in view (see scrollToReply).
  let replyStart = null;

  // ---- storage -------------------------------------------------------------------------------

  function newSenderId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function isString(value) {
    return typeof value === "string";
  }

  function isValidEntry(entry) {
    if (!entry || typeof entry !== "object") return false;
    if (entry.from === "user") return isString(entry.text);
    if (entry.from !== "bot") return false;
    if (entry.kind === "text") return isString(entry.text);
    if (entry.kind === "image") return isString(entry.url);
    if (entry.kind === "buttons") {
      return Array.isArray(entry.buttons) &&
        entry.buttons.every((b) => b && isString(b.title) && isString(b.payload));
    }
    return false;
  }

  function loadConversation() {
    try {
      const saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
      if (saved && isString(saved.senderId) && saved.senderId && Array.isArray(saved.history)) {
        return { senderId: saved.senderId, history: saved.history.filter(isValidEntry) };
      }
    } catch (error) {
      // Unreadable or blocked storage: start a fresh conversation rather than break the page.
    }
    return { senderId: newSenderId(), history: [] };
  }

  function saveConversation() {
    const stored = {
      senderId: conversation.senderId,
      history: conversation.history.slice(-MAX_STORED_ENTRIES),
    };
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    } catch (error) {
      // Storage full or disabled: the chat still works, it just will not survive a reload.
    }
  }

  // ---- safe rendering of text ----------------------------------------------------------------

  function safeWebUrl(candidate, base) {
    try {
      const url = base ? new URL(candidate, base) : new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function appendTextWithLinks(parent, text) {
    let position = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const linkText = match[0].replace(TRAILING_PUNCTUATION, "");
      const href = safeWebUrl(linkText);
      if (!href) continue;
      parent.append(text.slice(position, match.index));
      const link = document.createElement("a");
      link.href = href;
      link.textContent = linkText;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.append(link);
      position = match.index + linkText.length;
    }
    parent.append(text.slice(position));
  }

  function appendLine(parent, line) {
    // "**words**" is shown bold; the odd pieces of the split are the bold ones.
    line.split(/\*\*(.+?)\*\*/).forEach((piece, index) => {
      if (!piece) return;
      if (index % 2 === 1) {
        const strong = document.createElement("strong");
        appendTextWithLinks(strong, piece);
        parent.append(strong);
      } else {
        appendTextWithLinks(parent, piece);
      }
    });
  }

  function appendRichText(parent, text) {
    text.split(/\r\n|\r|\n/).forEach((line, index) => {
      if (index > 0) parent.append(document.createElement("br"));
      appendLine(parent, line);
    });
  }

  // ---- rendering entries ---------------------------------------------------------------------

  function messageItem(from) {
    const item = document.createElement("li");
    item.className = `message from-${from}`;
    return item;
  }

  function screenReaderPrefix(text) {
    const prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = text;
    return prefix;
  }

  function renderText(from, speaker, text, appendBody) {
    const item = messageItem(from);
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.append(screenReaderPrefix(speaker));
    const body = document.createElement("div");
    body.className = "message-text";
    appendBody(body, text);
    bubble.append(body);
    item.append(bubble);
    return item;
  }

  // A person's own words exactly as typed: line breaks kept, no bold, no links (issue 16).
  function appendPlainText(parent, text) {
    text.split(/\r\n|\r|\n/).forEach((line, index) => {
      if (index > 0) parent.append(document.createElement("br"));
      parent.append(line);
    });
  }

  function renderUserText(text) {
    return renderText("user", "You said: ", text, appendPlainText);
  }

  function renderBotText(text) {
    return renderText("bot", "Assistant: ", text, appendRichText);
  }

  function renderBotImage(url) {
    const item = messageItem("bot");
    const bubble = document.createElement("div");
    bubble.className = "bubble image-bubble";
    const image = document.createElement("img");
    // Rasa sends a message's text before its image, so the chart's description is the message
    // above it (issue 16: the old text said "the next message").
    image.alt = "Chart from the assistant (described in the message above)";
    image.loading = "lazy";
    image.addEventListener("load", keepReplyInView);
    const src = safeWebUrl(url, window.location.href);
    if (src) {
      image.src = src;
      // A tap shows the chart at full size, scrolling sideways inside its bubble: at phone width
      // its labels are too small to read (issue 16). Another tap makes it fit again. The link
      // still opens the image on its own (a long press, a middle click, no JavaScript).
      const link = document.createElement("a");
      link.href = src;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.className = "image-link";
      link.title = "Show the chart full size";
      link.setAttribute("aria-expanded", "false");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const enlarged = bubble.classList.toggle("enlarged");
        link.setAttribute("aria-expanded", String(enlarged));
        link.title = enlarged ? "Show the chart smaller" : "Show the chart full size";
      });
      link.append(image);
      bubble.append(link);
    } else {
      bubble.append(image);
    }
    item.append(bubble);
    return item;
  }

  function renderButtons(entry, entryIndex) {
    const item = messageItem("bot");
    const group = document.createElement("div");
    group.className = "button-group";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choices from the assistant");
    entry.buttons.forEach((button, buttonIndex) => {
      const control = document.createElement("button");
      control.type = "button";
      control.className = "choice-button";
      control.textContent = button.title;
      control.disabled = Boolean(entry.closed);
      if (entry.chosen === buttonIndex) {
        control.classList.add("chosen");
        control.setAttribute("aria-label", `${button.title} (chosen)`);
      }
      control.addEventListener("click", () => chooseButton(entryIndex, buttonIndex));
      group.append(control);
    });
    item.append(group);
    item.dataset.entryIndex = String(entryIndex);
    return item;
  }

  function renderEntry(entry, entryIndex) {
    let item;
    if (entry.from === "user") item = renderUserText(entry.text);
    else if (entry.kind === "text") item = renderBotText(entry.text);
    else if (entry.kind === "image") item = renderBotImage(entry.url);
    else item = renderButtons(entry, entryIndex);
    item.dataset.entryIndex = String(entryIndex);
    return item;
  }

  function renderHistory() {
    ui.messages.replaceChildren(...conversation.history.map(renderEntry));
    scrollToLatest();
  }

  function addEntry(entry) {
    conversation.history.push(entry);
    ui.messages.append(renderEntry(entry, conversation.history.length - 1));
  }

  function scrollToLatest() {
    replyStart = null;
    ui.conversation.scrollTop = ui.conversation.scrollHeight;
  }

  // A new reply is shown from its start (issue 16): a long answer on a phone used to open at its
  // last line, with the question and the top of the answer off screen. A short one ends at the
  // bottom as before, since scrolling stops there.
  function scrollToReply(entryIndex) {
    const item = ui.messages.querySelector(`li[data-entry-index="${entryIndex}"]`);
    if (!item) {
      scrollToLatest();
      return;
    }
    replyStart = entryIndex;
    const pane = ui.conversation;
    const top = item.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTop = Math.min(top - 8, pane.scrollHeight - pane.clientHeight);
  }

  // A chart that finishes loading makes the reply taller: keep its start where it was.
  function keepReplyInView() {
    if (replyStart === null) scrollToLatest();
    else scrollToReply(replyStart);
  }

  // Rasa's REST reply: [{recipient_id, text?, image?, buttons?: [{title, payload}]}, ...]
  function entriesFromReply(reply) {
    if (!Array.isArray(reply)) throw new ReplyFormatError();
    const entries = [];
    for (const message of reply) {
      if (!message || typeof message !== "object") continue;
      if (isString(message.image) && message.image) entries.push({ from: "bot", kind: "image", url: message.image });
      if (isString(message.text) && message.text.trim()) entries.push({ from: "bot", kind: "text", text: message.text });
      if (Array.isArray(message.buttons)) {
        const buttons = message.buttons
          .filter((b) => b && isString(b.title) && b.title.trim())
          .map((b) => ({ title: b.title, payload: isString(b.payload) && b.payload ? b.payload : b.title }));
        if (buttons.length) entries.push({ from: "bot", kind: "buttons", buttons, closed: false, chosen: null });
      }
    }
    // Only a reply's last question waits for a choice: an answer's follow-up buttons before the
    // safety screen's yes/no question must not lead the person past it.
    const groups = entries.filter((entry) => entry.kind === "buttons");
    groups.slice(0, -1).forEach((entry) => { entry.closed = true; });
    return entries;
  }

  // ---- talking to Rasa -----------------------------------------------------------------------

  function retryAfterMs(response) {
    const seconds = Number(response.headers.get("Retry-After"));
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : null;
  }

  // delivery: { id, attempt } marks a message and how often it was sent, so that the server can
  // tell a message sent again from a new one with the same words.
  async function postToRasa(message, delivery) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), REPLY_TIMEOUT_MS);
    try {
      let response;
      try {
        response = await fetch(config.rest_url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            sender: conversation.senderId,
            message,
            metadata: { message_id: delivery.id, attempt: delivery.attempt },
          }),
          signal: controller.signal,
        });
      } catch (error) {
        if (error && error.name === "AbortError") throw error;
        throw new RestartingError(null); // no answer at all: the page's server is restarting
      }
      if ([502, 503, 504].includes(response.status)) throw new RestartingError(retryAfterMs(response));
      if (!response.ok) throw new ServerError(response.status);
      let reply;
      try {
        reply = await response.json();
      } catch (error) {
        throw new ReplyFormatError();
      }
      return entriesFromReply(reply);
    } finally {
      window.clearTimeout(timer);
    }
  }

  function describeFailure(error, source) {
    const next = {
      input: "Your message is still in the box below. Press Try again, or Enter, to send it again.",
      button: "Press Try again to send your choice again.",
      greeting: "Press Try again to connect.",
    }[source.kind];
    if (error instanceof ServerError) {
      return `The assistant had a problem answering (error ${error.status}). ${next}`;
    }
    if (error instanceof ReplyFormatError) {
      return `The assistant sent an answer this page could not read. ${next}`;
    }
    if (error && error.name === "AbortError") {
      return `The assistant is taking too long to answer. ${next}`;
    }
    return `We can't reach the assistant right now. Please check your internet connection. ${next}`;
  }

  function showError(text) {
    ui.errorText.textContent = text;
    ui.errorBanner.hidden = false;
  }

  function showRestarting(isRestarting) {
    ui.restarting.hidden = !isRestarting;
  }

  function sleep(milliseconds) {
    return new Promise((resolve) => window.setTimeout(resolve, milliseconds));
  }

  // Sends until it arrives while the assistant restarts, showing the notice meanwhile. Any other
  // failure (or "start over", which makes the reply unwanted) ends it.
  async function postUntilDelivered(message, myGeneration) {
    const delivery = { id: newSenderId(), attempt: 1 };
    for (let retries = 0; ; retries += 1) {
      try {
        return await postToRasa(message, delivery);
      } catch (error) {
        if (!(error instanceof RestartingError) || myGeneration !== generation) throw error;
        showRestarting(true);
        const backOff = RESTART_RETRY_DELAYS_MS[Math.min(retries, RESTART_RETRY_DELAYS_MS.length - 1)];
        await sleep(error.retryAfterMs || backOff);
        if (myGeneration !== generation) throw error;
        delivery.attempt += 1;
      }
    }
  }

  function hideError() {
    ui.errorBanner.hidden = true;
    ui.errorText.textContent = "";
  }

  function setBusy(isBusy) {
    busy = isBusy;
    // The box stays editable while a reply is awaited: what is typed meanwhile is kept and can
    // be sent once the reply is in (Send is disabled until then).
    ui.typing.hidden = !isBusy;
    ui.conversation.setAttribute("aria-busy", String(isBusy));
    refreshSendState();
    if (isBusy) scrollToLatest();
  }

  function closeButtonGroups(chosen) {
    conversation.history.forEach((entry, index) => {
      if (entry.from !== "bot" || entry.kind !== "buttons" || entry.closed) return;
      entry.closed = true;
      if (chosen && chosen.entryIndex === index) entry.chosen = chosen.buttonIndex;
      const item = ui.messages.querySelector(`li[data-entry-index="${index}"]`);
      if (item) item.replaceWith(renderButtons(entry, index));
    });
  }

  // Sends `message`; shows `display` as the patient's bubble (null shows none, e.g. the greeting).
  // source: {kind: "input"} | {kind: "button", entryIndex, buttonIndex} | {kind: "greeting"}
  async function deliver(message, display, source) {
    if (busy) return false;
    const myGeneration = generation;
    hideError();
    failedDelivery = null;
    let pendingItem = null;
    let firstReply = null;
    if (display !== null) {
      pendingItem = renderUserText(display);
      pendingItem.classList.add("pending");
      ui.messages.append(pendingItem);
    }
    setBusy(true);
    try {
      const replies = await postUntilDelivered(message, myGeneration);
      if (myGeneration !== generation) return false;
      showRestarting(false);
      if (pendingItem) {
        pendingItem.remove();
        addEntry({ from: "user", text: display });
      }
      closeButtonGroups(source.kind === "button" ? source : null);
      if (replies.length) firstReply = conversation.history.length;
      replies.forEach(addEntry);
      saveConversation();
      return true;
    } catch (error) {
      if (myGeneration !== generation) return false;
      showRestarting(false);
      if (pendingItem) pendingItem.remove();
      failedDelivery = { message, display, source };
      showError(describeFailure(error, source));
      return false;
    } finally {
      if (myGeneration === generation) {
        setBusy(false);
        if (firstReply === null) scrollToLatest();
        else scrollToReply(firstReply);
      }
    }
  }

  // ---- the patient's actions -----------------------------------------------------------------

  function messageLength(text) {
    return Array.from(text).length; // characters as people count them (an emoji is one)
  }

  function isOverLimit() {
    return messageLength(ui.input.value) > config.max_message_chars;
  }

  function refreshSendState() {
    const limit = config.max_message_chars;
    const length = messageLength(ui.input.value);
    const over = length > limit;
    ui.charCount.textContent = `${length.toLocaleString("en")} / ${limit.toLocaleString("en")}`;
    ui.charCount.classList.toggle("over-limit", over);
    ui.input.setAttribute("aria-invalid", String(over));
    ui.lengthWarning.textContent = over
      ? `Your message is too long to send (${length.toLocaleString("en")} characters). ` +
        `Please shorten it to ${limit.toLocaleString("en")} characters or fewer.`
      : "";
    ui.send.disabled = busy || over || !ui.input.value.trim();
  }

  function growInput() {
    ui.input.style.height = "auto";
    ui.input.style.height = `${ui.input.scrollHeight}px`;
  }

  async function submitInput() {
    const text = ui.input.value;
    if (busy || !text.trim() || isOverLimit()) {
      refreshSendState();
      return;
    }
    ui.input.value = "";
    growInput();
    refreshSendState();
    const sent = await deliver(text, text, { kind: "input" });
    if (!sent && failedDelivery) {
      // Never lose what the patient typed: the failed message back in the box, before anything
      // typed while it was on its way.
      ui.input.value = ui.input.value ? `${text}\n${ui.input.value}` : text;
      growInput();
      refreshSendState();
    }
    ui.input.focus();
  }

  function chooseButton(entryIndex, buttonIndex) {
    const entry = conversation.history[entryIndex];
    if (busy || !entry || entry.closed) return;
    const button = entry.buttons[buttonIndex];
    deliver(button.payload, button.title, { kind: "button", entryIndex, buttonIndex }).then(() => ui.input.focus());
  }

  function retry() {
    if (!failedDelivery || busy) return;
    const { message, display, source } = failedDelivery;
    if (source.kind === "input") {
      submitInput(); // the box holds the message, perhaps corrected by the patient
    } else {
      deliver(message, display, source);
    }
  }

  function askToStartOver() {
    ui.startOverConfirm.hidden = false;
    ui.startOver.setAttribute("aria-expanded", "true");
    ui.startOverNo.focus();
  }

  function closeStartOverQuestion() {
    ui.startOverConfirm.hidden = true;
    ui.startOver.setAttribute("aria-expanded", "false");
  }

  function startOver() {
    closeStartOverQuestion();
    generation += 1;
    conversation = { senderId: newSenderId(), history: [] };
    saveConversation();
    failedDelivery = null;
    hideError();
    showRestarting(false);
    setBusy(false);
    renderHistory();
    ui.input.focus();
    deliver(GREETING_PAYLOAD, null, { kind: "greeting" });
  }

  // ---- start ---------------------------------------------------------------------------------

  async function loadConfig() {
    try {
      const response = await fetch("config.json", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const loaded = await response.json();
      return {
        rest_url: isString(loaded.rest_url) && safeWebUrl(loaded.rest_url, window.location.href)
          ? loaded.rest_url : DEFAULT_CONFIG.rest_url,
        emergency_number: isString(loaded.emergency_number) ? loaded.emergency_number : "",
        crisis_line_text: isString(loaded.crisis_line_text) ? loaded.crisis_line_text : "",
        max_message_chars: Number.isInteger(loaded.max_message_chars) && loaded.max_message_chars > 0
          ? loaded.max_message_chars : DEFAULT_CONFIG.max_message_chars,
      };
    } catch (error) {
      console.warn("config.json could not be read; using the defaults", error);
      return DEFAULT_CONFIG;
    }
  }

  function wireEvents() {
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    ui.input.addEventListener("input", () => {
      growInput();
      refreshSendState();
    });
    ui.retry.addEventListener("click", retry);
    ui.startOver.addEventListener("click", askToStartOver);
    ui.startOverYes.addEventListener("click", startOver);
    ui.startOverNo.addEventListener("click", () => {
      closeStartOverQuestion();
      ui.startOver.focus();
    });
  }

  async function start() {
    wireEvents();
    renderHistory();
    busy = true; // until the page knows where the assistant is
    refreshSendState();
    config = await loadConfig();
    if (config.emergency_number) {
      ui.emergencyNumber.textContent = config.emergency_number;
      document.querySelectorAll(".restart-emergency-number").forEach((node) => {
        node.textContent = config.emergency_number;
      });
    }
    ui.restartCrisisLine.textContent = config.crisis_line_text;
    busy = false;
    refreshSendState();
    saveConversation();
    document.documentElement.dataset.chatReady = "true";
    if (conversation.history.length === 0) {
      deliver(GREETING_PAYLOAD, null, { kind: "greeting" });
    }
  }

  start();
})();
