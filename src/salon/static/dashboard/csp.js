// The Content-Security-Policy header a room page sends for a list of allowed origins: the same
// rule as salon/orgs/domains.py (frame_ancestors), kept here for the live preview only; the
// server validates what is saved.

/** @param {string} value @returns {string} the origin as the server stores it */
export function normalizeOrigin(value) {
  return value.trim().toLowerCase().replace(/\/+$/, "");
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = `(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*`;
const HTTPS = new RegExp(`^https://(${HOST})(?::([0-9]{1,5}))?$`);
const LOCALHOST = /^http:\/\/localhost:([0-9]{1,5})$/;

/** @param {string} origin @returns {boolean} whether the server would accept it */
export function looksAllowed(origin) {
  const https = HTTPS.exec(origin);
  const local = LOCALHOST.exec(origin);
  if (!https && !local) return false;
  const port = https ? https[2] : local ? local[1] : undefined;
  if (port !== undefined && !(Number(port) > 0 && Number(port) < 65536)) return false;
  if (https && !https[1].includes(".") && https[1] !== "localhost") return false;
  return true;
}

/** @param {string} current the header value now @param {string} typed @returns {{header: string, valid: boolean}} */
export function previewHeader(current, typed) {
  const origin = normalizeOrigin(typed);
  if (!origin) return { header: current, valid: true };
  const valid = looksAllowed(origin);
  if (!valid || current.split(" ").includes(origin)) return { header: current, valid };
  return { header: `${current} ${origin}`, valid };
}
