/**
 * The room URL: its room name (path) and its parameters (docs/embedding.md, URL parameters). Pure: takes a
 * pathname and a search string, returns typed values. Unknown parameters and invalid values are
 * ignored with a console.warn, and the default stands.
 *
 * Value conventions: `<on|off>` parameters take `on`/`off`; flags turn on when present with no
 * value. The embed element passes attribute values through, so both also accept `true`/`false`
 * and an empty value (which means on).
 */

/** UI languages a room URL may ask for (`jp`, not `ja`). */
export const LANGUAGES = Object.freeze([
  "cs", "zh-hant", "da", "nl", "en", "fr", "de", "el", "hi", "hu", "it", "jp", "nb", "pt", "pl", "es", "sv", "uk",
]);

/** The languages Salon ships complete (docs/whereby-compatibility.md, "Languages of the room"): the language picker offers these. */
export const UI_LANGUAGES = Object.freeze(["en", "fr", "de", "nb", "pt", "es", "jp"]);

/** At most this many predefined breakout groups (`groups=`). */
export const MAX_GROUPS = 20;

/** `cameraEffect` values (docs/embedding.md, URL parameters). */
const CAMERA_EFFECTS = ["slight-blur", "blur", "image-cabin", "image-concrete", "image-brick", "image-sunrise", "image-day", "image-night"];

/** on/off parameters and their defaults (before `minimal`). */
const SWITCHES = {
  audioDenoiser: false, bottomToolbar: true, breakout: true, callQualityMonitoring: true, cameraAccess: true,
  chat: true, chatDownload: false, fileSharing: true, highlightActiveSpeaker: false, leaveButton: true,
  localization: true, lowData: false, people: true, participantCount: true, pipButton: true,
  precallCeremony: false, precallCeremonyCanSkip: false, precallReview: true, roomIntegrations: false,
  screenshare: true, subgridLabels: true, toolbarText: true, topToolbar: true,
  // The meeting clock shows with `timer=on`; hosts can still start it from "…" (developer guide).
  timer: false,
  // "off"-only parameters: present as `off` to hide or disable something.
  aec: true, agc: true, audio: true, video: true, background: true, locking: true, logo: true,
  moreButton: true, settingsButton: true, personality: true,
};

/**
 * What `minimal` turns off unless the URL turns it back on (`?minimal&chat=on`): the status bar
 * (top toolbar), chat, screen share, leave, branding and integrations (docs/embedding.md, URL parameters), and
 * the settings, Picture-in-Picture and "…" buttons ("all controls except cam and mic", developer
 * guide; the guide's timer note says `minimal` hides "…"), and breakout groups ("needed with
 * minimal": `?minimal&breakout=on` brings them back, in a "…" of their own). Camera, microphone
 * and people stay.
 */
const MINIMAL_OFF = [
  "chat", "screenshare", "leaveButton", "topToolbar", "callQualityMonitoring", "logo", "roomIntegrations",
  "settingsButton", "pipButton", "moreButton", "breakout",
];

const FLAGS = ["minimal", "embed", "floatSelf", "autoSpotlight", "autoHideSelfView", "skipMediaPermissionPrompt", "toolbarDarkText", "needancestor"];

/** Parameters with values of their own, validated below or passed through for later issues. */
const VALUED = [
  "roomKey", "displayName", "externalId", "metadata", "lang", "avatarUrl", "cameraEffect", "groups",
  "virtualBackgroundUrl", "precallPermissionHelpLink", "precallPermissionsHelpLink", "emojiSkinTone",
  "jsApi", "we", "iframeSource", "sdkPlatform", "recording", "emptyRoomInvitation", "help", "hideLegend", "reactions",
];

const KNOWN = new Set([...Object.keys(SWITCHES), ...FLAGS, ...VALUED]);

/**
 * @typedef {{[K in keyof typeof SWITCHES]: boolean} & {
 *   minimal: boolean, floatSelf: boolean, autoSpotlight: boolean, autoHideSelfView: boolean,
 *   skipMediaPermissionPrompt: boolean, toolbarDarkText: boolean,
 *   roomKey: string | null, displayName: string | null, externalId: string | null,
 *   metadata: string | null, lang: string | null, precallPermissionHelpLink: string | null,
 *   avatarUrl: string | null, groups: string[] | null, cameraEffect: string | null,
 *   virtualBackgroundUrl: string | null, jsApi: boolean, rejected: string[]}} RoomParams
 *
 * `rejected` names the parameters whose value was refused (each also warned about), so the page
 * can say more where Whereby's guide asks it to (an invalid `externalId` "returns an error").
 */

/** @param {string} name @param {string} value @param {string} why @param {string[]} [rejected] */
function warn(name, value, why, rejected) {
  console.warn(`salon: ignoring URL parameter ${name}=${JSON.stringify(value)}: ${why}`);
  rejected?.push(name);
}

/** @param {string} value @returns {boolean | null} */
function parseSwitch(value) {
  const v = value.trim().toLowerCase();
  if (v === "" || v === "on" || v === "true") return true;
  if (v === "off" || v === "false") return false;
  return null;
}

// Control characters, as the signaling protocol refuses them in names.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A name as the protocol accepts it: 1–100 characters after trimming, no control characters.
 * @param {string} raw @returns {string | null}
 */
export function cleanDisplayName(raw) {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > 100 || CONTROL.test(name)) return null;
  return name;
}

/**
 * The room name as `join` wants it (with its leading `/`), from the page's pathname.
 * @param {string} pathname @returns {string}
 */
export function roomNameFromPath(pathname) {
  let path = pathname.replace(/\/+$/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it as it came
  }
  return path.startsWith("/") ? path : `/${path}`;
}

/**
 * The role a room key names, as a hint only (the server decides): keys are JWTs whose payload
 * carries `roleName`. Used to skip the camera preview for viewers.
 * @param {string | null} roomKey @returns {'host' | 'viewer' | null}
 */
export function roleHintFromRoomKey(roomKey) {
  if (!roomKey) return null;
  const payload = roomKey.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const role = JSON.parse(json).roleName;
    return role === "host" || role === "viewer" ? role : null;
  } catch {
    return null;
  }
}

/**
 * @param {string} search `location.search`, with or without its `?`
 * @returns {RoomParams}
 */
export function parseParams(search) {
  const query = new URLSearchParams(search);
  /** @type {Record<string, any>} */
  const out = { ...SWITCHES };
  for (const flag of FLAGS) out[flag] = false;
  Object.assign(out, {
    roomKey: null, displayName: null, externalId: null, metadata: null, lang: null,
    precallPermissionHelpLink: null, avatarUrl: null, groups: null, cameraEffect: null,
    virtualBackgroundUrl: null, jsApi: false, rejected: [],
  });
  const explicit = new Set();

  for (const [name, value] of query) {
    if (!KNOWN.has(name)) {
      warn(name, value, "unknown parameter");
      continue;
    }
    if (name in SWITCHES) {
      const on = parseSwitch(value);
      if (on === null) warn(name, value, "expected on or off", out.rejected);
      else {
        out[name] = on;
        explicit.add(name);
      }
    } else if (FLAGS.includes(name)) {
      const on = parseSwitch(value);
      if (on === null) warn(name, value, "expected no value, on or off", out.rejected);
      else out[name === "embed" ? "minimal" : name] = on;
    } else {
      readValued(out, name, value);
    }
  }
  if (out.minimal) for (const name of MINIMAL_OFF) if (!explicit.has(name)) out[name] = false;
  delete out.embed;
  delete out.needancestor;
  return /** @type {RoomParams} */ (out);
}

/**
 * An image URL Whereby's guide allows for `avatarUrl`: https (http only for localhost, as in
 * allowed domains), no query string. Whether its origin is an allowed domain is checked by the
 * page, which knows the list. Pure. @param {string} value @returns {string | null}
 */
export function cleanAvatarUrl(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (!(url.protocol === "https:" || (url.protocol === "http:" && local))) return null;
  if (url.search || value.includes("?") || url.username || url.password) return null;
  return url.href;
}

/**
 * `groups=Orange,Banana,Coconut`: 1 to 20 names of 1–100 characters. Pure.
 * @param {string} value @returns {string[] | null}
 */
export function parseGroups(value) {
  const names = value.split(",").map((name) => cleanDisplayName(name));
  if (names.length === 0 || names.length > MAX_GROUPS || names.some((name) => name === null)) return null;
  return /** @type {string[]} */ (names);
}

/** @param {Record<string, any>} out @param {string} name @param {string} value */
function readValued(out, name, value) {
  /** @param {string} why */
  const reject = (why) => warn(name, name === "metadata" ? value.slice(0, 20) : value, why, out.rejected);
  switch (name) {
    case "roomKey":
      if (value) out.roomKey = value;
      else reject("empty");
      break;
    case "displayName": {
      // Whereby's guide refuses these characters in a preset name; the user is then asked instead.
      const name100 = cleanDisplayName(value);
      if (name100 === null || /[$!<>:;]/.test(value)) reject("1–100 characters, none of $ ! < > : ; (you will be asked for a name)");
      else out.displayName = name100;
      break;
    }
    case "externalId":
      if (/^[A-Za-z0-9_-]{1,36}$/.test(value)) out.externalId = value;
      else reject("A-Z, a-z, 0-9, - and _ only, at most 36 characters");
      break;
    case "metadata":
      if (value.length <= 512) out.metadata = value;
      else reject("at most 512 characters");
      break;
    case "lang": {
      const lang = value.trim().toLowerCase();
      if (LANGUAGES.includes(lang)) out.lang = lang;
      else reject(`one of ${LANGUAGES.join(", ")}`);
      break;
    }
    case "precallPermissionHelpLink":
    case "precallPermissionsHelpLink":
      if (/^https?:\/\//i.test(value)) out.precallPermissionHelpLink = value;
      else reject("an http(s) URL");
      break;
    case "avatarUrl": {
      const url = cleanAvatarUrl(value);
      if (url) out.avatarUrl = url;
      else reject("an https URL with no query string");
      break;
    }
    case "groups": {
      const groups = parseGroups(value);
      if (groups) out.groups = groups;
      else reject(`1 to ${MAX_GROUPS} comma-separated names`);
      break;
    }
    case "cameraEffect":
      if (CAMERA_EFFECTS.includes(value)) out.cameraEffect = value;
      else reject(`one of ${CAMERA_EFFECTS.join(", ")}`);
      break;
    case "virtualBackgroundUrl":
      if (/^https:\/\//i.test(value)) out.virtualBackgroundUrl = value;
      else reject("an https URL");
      break;
    case "jsApi":
    case "we":
      out.jsApi = out.jsApi || value === "true" || value === "1" || value === "";
      break;
    default:
      // Known parameters Salon accepts without acting on them (iframeSource, sdkPlatform, …).
      break;
  }
}
