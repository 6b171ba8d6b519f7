/**
 * Safe DOM building: user text (names, chat) never reaches `innerHTML`.
 *
 * - `html` is a tagged template that escapes every interpolated value, unless the value is
 *   itself `html` output (or an icon from `trusted`). `setHTML` accepts only that output, so a
 *   plain string can never be assigned as markup by mistake.
 * - `h` builds elements; string children become text nodes.
 *
 * The string half (escapeHTML, html, SafeHTML) is pure and runs in Node for the unit tests.
 */

/** Markup known to be safe: built by `html` or marked by `trusted` for code-owned constants. */
export class SafeHTML {
  /** @param {string} value */
  constructor(value) {
    /** @readonly */
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

/** @type {Record<string, string>} */
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** @param {unknown} value */
export function escapeHTML(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** @param {unknown} value @returns {string} */
function render(value) {
  if (value instanceof SafeHTML) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHTML(value);
}

/**
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 * @returns {SafeHTML}
 */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + strings[i + 1];
  return new SafeHTML(out);
}

/** Mark a code-owned constant (never user input) as markup, e.g. an SVG icon. @param {string} markup */
export function trusted(markup) {
  return new SafeHTML(markup);
}

/** @param {Element} element @param {SafeHTML} markup */
export function setHTML(element, markup) {
  if (!(markup instanceof SafeHTML)) throw new TypeError("setHTML takes html`` output only");
  element.innerHTML = markup.value;
}

/**
 * The element marked `data-part="name"` inside root.
 * @template {Element} [T=HTMLElement]
 * @param {ParentNode} root @param {string} name @returns {T}
 */
export function part(root, name) {
  const found = root.querySelector(`[data-part="${name}"]`);
  if (!found) throw new Error(`missing part ${name}`);
  return /** @type {T} */ (/** @type {unknown} */ (found));
}

/**
 * Build an element. Props: `class`, `text` (textContent), `dataset`, `on` (listeners),
 * `attrs` (setAttribute), anything else is assigned as a property.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = String(value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "attrs") for (const [name, v] of Object.entries(value)) element.setAttribute(name, String(v));
    else if (key === "on") for (const [type, fn] of Object.entries(value)) element.addEventListener(type, fn);
    else /** @type {any} */ (element)[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * Dispatch a UI intent from a component; main's action handler receives it on the document.
 * @param {EventTarget} from @param {string} action @param {Record<string, unknown>} [detail]
 */
export function intent(from, action, detail = {}) {
  from.dispatchEvent(new CustomEvent("salon-intent", { bubbles: true, composed: true, detail: { action, ...detail } }));
}

/** Load a component's stylesheet once. @param {string} href absolute URL */
export function adoptStyle(href) {
  if (document.querySelector(`link[data-salon-style="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.dataset.salonStyle = href;
  document.head.append(link);
}
