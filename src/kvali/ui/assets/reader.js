// kvali's reader: the text of a page of segments with its highlights; select words with the
// mouse and press a code (click in the palette, or a number key). Every piece of text is a text
// node (textContent), never HTML. Offsets sent to Python are document offsets in Unicode code
// points, as Python counts them; the gutter (number, time, speaker) is never part of them.

const WORD = /[\p{L}\p{N}_]/u;

function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function buildText(scroller, data) {
  const pieces = [];
  for (const segment of data.segments) {
    const row = element("div", "kv-seg");
    row.dataset.start = segment.start;
    row.appendChild(element("div", "kv-meta", segment.meta));
    const body = element("div", "kv-text");
    for (const piece of segment.pieces) {
      const span = element("span", "kv-p", piece.text);
      span.dataset.s = piece.start;
      span.dataset.e = piece.end;
      if (piece.style) {
        span.classList.add("kv-hl");
        span.style.cssText = piece.style;
        span.title = piece.title;
      }
      if (piece.codings.length) span.dataset.codings = piece.codings.join(",");
      if (piece.focus) span.classList.add("kv-focus");
      body.appendChild(span);
      pieces.push(span);
    }
    row.appendChild(body);
    scroller.appendChild(row);
  }
  return pieces;
}

// The document offset of a boundary point of the selection, moved into the nearest text piece:
// forwards for the start, backwards for the end (so a label or time mark is never included).
function boundary(pieces, node, offset, isEnd) {
  const range = document.createRange();
  const order = isEnd ? [...pieces].reverse() : pieces;
  for (const piece of order) {
    const text = piece.firstChild;
    if (!text) continue;
    range.selectNodeContents(text);
    let where;
    try {
      where = range.comparePoint(node, offset);
    } catch (error) {
      return null;
    }
    const start = Number(piece.dataset.s);
    const end = Number(piece.dataset.e);
    if (where === 0) {
      if (node === text) return start + codePoints(text.data.slice(0, offset));
      return isEnd ? end : start;
    }
    if (!isEnd && where < 0) return start;
    if (isEnd && where > 0) return end;
  }
  return null;
}

// The text between two document offsets, from the pieces (for the palette's preview); the
// segments are joined with a space.
function textBetween(pieces, start, end) {
  let out = "";
  let segment = null;
  for (const piece of pieces) {
    const s = Number(piece.dataset.s);
    const e = Number(piece.dataset.e);
    if (e <= start || s >= end) continue;
    const row = piece.closest(".kv-seg");
    if (segment && row !== segment) out += " ";
    segment = row;
    const chars = Array.from(piece.textContent);
    out += chars.slice(Math.max(start - s, 0), Math.min(end, e) - s).join("");
  }
  return out;
}

// Document offset -> character, for the segments the selection touches.
function charMap(pieces, start, end) {
  const rows = new Set(pieces.filter((p) => Number(p.dataset.e) > start
    && Number(p.dataset.s) < end).map((p) => p.closest(".kv-seg")));
  const chars = new Map();
  for (const row of rows) {
    for (const piece of row.querySelectorAll(".kv-p")) {
      let offset = Number(piece.dataset.s);
      for (const char of piece.textContent) chars.set(offset++, char);
    }
  }
  return chars;
}

// Widen to whole words and trim spaces, as the server will (it snaps again and decides).
function snap(pieces, start, end) {
  const chars = charMap(pieces, start, end);
  const word = (offset) => chars.has(offset) && WORD.test(chars.get(offset));
  const space = (offset) => !chars.has(offset) || /\s/u.test(chars.get(offset));
  let a = start;
  let b = end;
  while (word(a - 1) && word(a)) a -= 1;
  while (word(b - 1) && word(b)) b += 1;
  while (a < b && space(a)) a += 1;
  while (b > a && space(b - 1)) b -= 1;
  return a < b ? [a, b] : null;
}

function paletteEntries(data) {
  const byKey = new Map(data.codes.map((code) => [code.key, code]));
  const entries = [];
  for (const key of data.recent) {
    if (byKey.has(key)) entries.push({ code: byKey.get(key), recent: true });
  }
  for (const code of data.codes) entries.push({ code, recent: false });
  return entries;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (parentElement.kvOff) parentElement.kvOff();
  let root = parentElement.querySelector(":scope > .kv-reader");
  const keep = root ? root.querySelector(".kv-scroll").scrollTop : 0;
  const shownFocus = root ? root.dataset.focus : "";
  if (root) root.remove();
  root = element("div", "kv-reader");
  const scroller = element("div", "kv-scroll");
  scroller.style.maxHeight = `${data.height}px`;
  root.appendChild(scroller);
  const palette = element("div", "kv-palette");
  palette.hidden = true;
  root.appendChild(palette);
  parentElement.appendChild(root);
  const pieces = buildText(scroller, data);
  let chosen = null; // [start, end] of the current selection

  const focusKey = data.focus ? `${data.focus[0]}-${data.focus[1]}-${data.nonce}` : "";
  root.dataset.focus = focusKey;
  const target = focusKey && focusKey !== shownFocus ? scroller.querySelector(".kv-focus") : null;
  scroller.scrollTop = target ? Math.max(target.offsetTop - scroller.offsetTop - 60, 0) : keep;

  function close() {
    palette.hidden = true;
    chosen = null;
  }

  function code(key) {
    if (!chosen) return;
    const [start, end] = chosen;
    close();
    document.getSelection()?.removeAllRanges();
    setTriggerValue("code", { start, end, code: key });
  }

  function mark(type) {
    if (!chosen) return;
    const [start, end] = chosen;
    close();
    document.getSelection()?.removeAllRanges();
    setTriggerValue("pii", { start, end, type });
  }

  function fill(query) {
    const list = palette.querySelector(".kv-pal-list");
    list.replaceChildren();
    const wanted = query.trim().toLowerCase();
    let number = 0;
    let heading = null;
    for (const entry of paletteEntries(data)) {
      const { code: item, recent } = entry;
      if (wanted && !item.name.toLowerCase().includes(wanted) && !item.key.includes(wanted)) continue;
      if (wanted && recent) continue;
      const group = recent ? "Senest brugt" : "Koder";
      if (group !== heading && !wanted) {
        list.appendChild(element("div", "kv-pal-group", group));
        heading = group;
      }
      const button = element("button", "kv-pal-item");
      button.type = "button";
      button.dataset.key = item.key;
      number += 1;
      if (number <= 9) {
        button.dataset.number = String(number);
        button.appendChild(element("span", "kv-num", String(number)));
      } else {
        button.appendChild(element("span", "kv-num", ""));
      }
      const chip = element("span", "kv-chip");
      chip.style.background = item.color;
      button.appendChild(chip);
      const name = element("span", "kv-name", item.name);
      name.style.paddingLeft = `${(wanted ? 0 : item.depth) * 0.9}em`;
      button.appendChild(name);
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => code(item.key));
      list.appendChild(button);
    }
    if (!list.children.length) list.appendChild(element("div", "kv-pal-empty", "Ingen kode passer."));
  }

  function open(start, end, rect) {
    chosen = [start, end];
    palette.replaceChildren();
    const preview = textBetween(pieces, start, end);
    const short = preview.length > 90 ? `${preview.slice(0, 60)} … ${preview.slice(-25)}` : preview;
    palette.appendChild(element("div", "kv-pal-head", `Kod »${short}«`));
    const search = element("input", "kv-pal-search");
    search.type = "search";
    search.placeholder = "Søg kode …";
    search.setAttribute("aria-label", "Søg kode");
    palette.appendChild(search);
    palette.appendChild(element("div", "kv-pal-list"));
    palette.appendChild(element("div", "kv-pal-hint", "Tal 1–9 vælger · Enter første · Esc lukker"));
    if (data.pii_types && data.pii_types.length) {
      const pii = element("div", "kv-pal-pii");
      pii.appendChild(element("span", "kv-pal-pii-label", "Personoplysning:"));
      for (const kind of data.pii_types) {
        const button = element("button", "kv-pal-pii-type", kind.label);
        button.type = "button";
        button.dataset.type = kind.type;
        button.addEventListener("mousedown", (event) => event.preventDefault());
        button.addEventListener("click", () => mark(kind.type));
        pii.appendChild(button);
      }
      palette.appendChild(pii);
    }
    fill("");
    search.addEventListener("input", () => fill(search.value));
    const box = root.getBoundingClientRect();
    palette.hidden = false;
    const left = Math.min(Math.max(rect.left - box.left, 0), Math.max(box.width - palette.offsetWidth, 0));
    palette.style.left = `${left}px`;
    const below = rect.bottom - box.top + 6;
    const above = rect.top - box.top - palette.offsetHeight - 6;
    const fits = below + palette.offsetHeight <= box.height || above < 0;
    palette.style.top = `${fits ? below : above}px`;
  }

  function onSelect(event) {
    const selection = document.getSelection();
    if (palette.contains(event.target)) return;
    if (!root.isConnected) return;
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      close();
      const piece = event.target.closest ? event.target.closest(".kv-p[data-codings]") : null;
      if (piece && event.type === "mouseup") {
        setTriggerValue("open", { codings: piece.dataset.codings.split(",").map(Number) });
      }
      return;
    }
    const range = selection.getRangeAt(0);
    if (!scroller.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== scroller) {
      return;
    }
    const start = boundary(pieces, range.startContainer, range.startOffset, false);
    const end = boundary(pieces, range.endContainer, range.endOffset, true);
    const span = start !== null && end !== null && start < end ? snap(pieces, start, end) : null;
    if (!span) {
      close();
      return;
    }
    open(span[0], span[1], range.getBoundingClientRect());
  }

  function onKey(event) {
    if (palette.hidden) return;
    const search = palette.querySelector(".kv-pal-search");
    if (event.key === "Escape") {
      close();
      return;
    }
    if (event.key === "Enter") {
      const first = palette.querySelector(".kv-pal-item");
      if (first) {
        event.preventDefault();
        code(first.dataset.key);
      }
      return;
    }
    if (/^[1-9]$/.test(event.key) && !(search && search.value)) {
      const item = palette.querySelector(`.kv-pal-item[data-number="${event.key}"]`);
      if (item) {
        event.preventDefault();
        code(item.dataset.key);
      }
      return;
    }
    if (search && event.key.length === 1 && document.activeElement !== search
        && !event.ctrlKey && !event.metaKey && !event.altKey) {
      search.focus();
    }
  }

  const onMouseUp = (event) => setTimeout(() => onSelect(event), 0);
  const onKeyUp = (event) => {
    if (event.shiftKey && event.key.startsWith("Arrow")) onSelect(event);
  };
  document.addEventListener("mouseup", onMouseUp);
  scroller.addEventListener("keyup", onKeyUp);
  document.addEventListener("keydown", onKey);
  scroller.addEventListener("scroll", close);
  const off = () => {
    document.removeEventListener("mouseup", onMouseUp);
    document.removeEventListener("keydown", onKey);
    parentElement.kvOff = null;
  };
  parentElement.kvOff = off;
  return off;
}
