/**
 * The room's theme (set by the theme API or the organization's defaults): the server puts it in
 * `<meta name="salon-theme">`; this module turns it into the UI's design tokens (CSS custom
 * properties on <html>) and the header's logo. Colours: `primary` for buttons and the accent,
 * `secondary` for soft accents (links, highlights), `focus` for focus rings. Backgrounds: the
 * room's behind the video grid, the knock page's behind the pre-call, joining and knock screens.
 *
 * Test hooks: <img data-testid="room-logo"> in the header; <html data-theme="on">.
 */

/** @typedef {{image: string | null, palette: string | null, theme: string | null}} Background */
/** @typedef {{colors: {primary?: string, secondary?: string, focus?: string}, logo: string | null,
 *   roomBackground: Background | null, knockPageBackground: Background | null}} Theme */

/** Whereby's palette names as colours (`burgund` is Whereby's spelling). */
export const PALETTES = { default: null, grey: "#2a2e35", purple: "#2b2146", burgund: "#3f1620" };

/** Whereby's background themes, drawn as gradients: Salon ships no pictures of its own. */
export const PATTERNS = {
  default: null,
  mountains: "linear-gradient(160deg, transparent 55%, rgb(255 255 255 / 0.06) 55% 70%, transparent 70%), linear-gradient(200deg, transparent 60%, rgb(255 255 255 / 0.09) 60%)",
  characters: "radial-gradient(circle at 20% 30%, rgb(255 255 255 / 0.08) 0 6%, transparent 7%), radial-gradient(circle at 75% 65%, rgb(255 255 255 / 0.06) 0 9%, transparent 10%)",
  rocks: "radial-gradient(ellipse at 30% 100%, rgb(255 255 255 / 0.07) 0 30%, transparent 31%), radial-gradient(ellipse at 85% 100%, rgb(255 255 255 / 0.05) 0 25%, transparent 26%)",
};

/** The theme in the page, or null. @param {Document} doc @returns {Theme | null} */
export function readTheme(doc) {
  const content = doc.querySelector('meta[name="salon-theme"]')?.getAttribute("content");
  if (!content) return null;
  try {
    return JSON.parse(content);
  } catch {
    return null;
  }
}

/** A CSS `background` value, or null for none. @param {Background | null} background */
export function backgroundValue(background) {
  if (!background) return null;
  const layers = [];
  if (background.image) layers.push(`url("${encodeURI(background.image)}") center / cover no-repeat`);
  const pattern = PATTERNS[/** @type {keyof typeof PATTERNS} */ (background.theme ?? "default")];
  if (pattern) layers.push(pattern);
  const color = PALETTES[/** @type {keyof typeof PALETTES} */ (background.palette ?? "default")];
  if (color) layers.push(color);
  return layers.length ? layers.join(", ") : null;
}

/**
 * The design tokens a theme sets. `showBackground` is false with `?background=off`: the
 * embedding page then shows through, theme or not.
 * @param {Theme} theme @param {boolean} showBackground @returns {Record<string, string>}
 */
export function themeTokens(theme, showBackground) {
  /** @type {Record<string, string>} */
  const tokens = {};
  const { primary, secondary, focus } = theme.colors ?? {};
  if (primary) {
    tokens["--salon-accent"] = primary;
    tokens["--salon-accent-hover"] = `color-mix(in srgb, ${primary} 85%, black)`;
  }
  if (secondary) tokens["--salon-accent-soft"] = secondary;
  if (focus) tokens["--salon-focus"] = focus;
  const room = showBackground ? backgroundValue(theme.roomBackground) : null;
  if (room) tokens["--salon-room-background"] = room;
  const knock = showBackground ? backgroundValue(theme.knockPageBackground) : null;
  if (knock) tokens["--salon-knock-background"] = knock;
  return tokens;
}

/**
 * Apply the page's theme: tokens on <html>, the logo in the header (hidden with `?logo=off`,
 * as Salon's own mark is).
 * @param {Document} doc @param {{background: boolean}} params
 */
export function applyTheme(doc, params) {
  const theme = readTheme(doc);
  if (!theme) return;
  const html = doc.documentElement;
  const tokens = Object.entries(themeTokens(theme, params.background));
  if (tokens.length > 0 || theme.logo) html.dataset.theme = "on";
  for (const [name, value] of tokens) html.style.setProperty(name, value);
  const brand = doc.querySelector('[data-part="brand"]');
  if (theme.logo && brand) {
    const logo = doc.createElement("img");
    logo.src = theme.logo;
    logo.alt = "";
    logo.className = "brand-logo";
    logo.dataset.testid = "room-logo";
    brand.classList.add("has-logo");
    brand.prepend(logo);
  }
}
